"""PostgreSQL indexes the stems lernstadt writes, as SQLite does, in keys GIN finds fast.

- PostgreSQL's vectors were its ``german`` configuration's reading of the words;
  SQLite's FTS5 table holds the stems lernstadt's own Snowball stemmer wrote
  (``stems_*``). The two stemmers differ (PostgreSQL 15 keeps "ue" where
  Snowball 2 reads "ü": "kurfuerst" against "kurfurst", 1,247 of 16,193 words
  of the regional benchmark), so the same query found different entries. Both
  now search the same stems: PostgreSQL reads them with the ``simple``
  configuration, which changes nothing but the case.
- ``SearchWord.stem``: a query's word is searched as the prefix of its stem. A
  GIN index answers a prefix by collecting every key that starts with it into a
  bitmap before combining it with the other words; the stems a prefix stands for,
  looked up in the vocabulary, are whole keys that GIN combines cheaply
  ("Deutschkurs A1" on 100,000 offers: 17-30 -> 3.5-6 ms).
- PostgreSQL's vector marks the stems of vocabulary labels ("0deutsch", see
  query.LABEL_MARK), so a term of the entry's own text is a plain key: asking
  GIN for weights (deutsch:*AB) made it recheck every row (sampled count of
  "Deutschkurs" 20 -> 4 ms).
- PostgreSQL gets a GIN index of the words of the quarter of the circle that
  SQLite's sample index holds (0010): facet counts of a large result take the
  1,000 matches lowest on the circle, and through the whole index a common word
  was a bitmap of every entry ("Deutschkurs": 20 -> 12 ms a facet group).
"""

from django.db import migrations, models

from lernstadt.catalog import text
from lernstadt.catalog.migrations import _fulltext

POSTGRES_FORWARD = [
    *_fulltext.postgres_vector(_fulltext.STEM_WEIGHTS, "simple"),
    *_fulltext.postgres_title_vector("stems_title", "simple"),
    _fulltext.POSTGRES_SAMPLE_VECTOR,  # dropped with the column it indexes
    _fulltext.POSTGRES_QUARTER_VECTOR,
]
POSTGRES_BACKWARD = [
    *_fulltext.postgres_vector(_fulltext.LABEL_WEIGHTS),
    *_fulltext.postgres_title_vector("search_title", "german"),
    _fulltext.POSTGRES_SAMPLE_VECTOR,
]


def fill_stems(apps, schema_editor):  # type: ignore[no-untyped-def]
    word_model = apps.get_model("catalog", "SearchWord")
    words = list(word_model.objects.all())
    for word in words:
        word.stem = text.stem(word.word)[:100]
    word_model.objects.bulk_update(words, ["stem"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_fulltext_index_of_the_sample"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchword",
            name="stem",
            field=models.CharField(db_index=True, default="", max_length=100),
        ),
        migrations.RunPython(fill_stems, migrations.RunPython.noop),
        migrations.RunPython(
            _fulltext.on_vendor({"postgresql": POSTGRES_FORWARD}),
            _fulltext.on_vendor({"postgresql": POSTGRES_BACKWARD}),
        ),
    ]
