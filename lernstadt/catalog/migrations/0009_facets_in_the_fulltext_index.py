"""Facet filters answered by the full-text index, together with the words.

A facet filter (``cost=free``) used to be a list of entry ids read from
catalog_searchtag for every statement: 42,000 ids for "free", 10 ms on SQLite
before a single word was matched, and on PostgreSQL a scan of those tags merged
with the word matches. Each entry now carries its facet values as tokens
(``indexing.facet_token``: "_" and 16 letters). SQLite's FTS5 table gets them as a
fourth column, and keeps "_" inside tokens so that no typed word reaches them;
PostgreSQL gets a tsvector of them with its own GIN index, which it combines
with the words' index. catalog_searchtag stays: facet counts read it.

The new FTS5 table also indexes prefixes of up to 8 letters (was 4): every word
is searched as the prefix of its stem, and a stem such as "deutsch" matched
through no prefix index made FTS5 merge the lists of every word starting with
it. Counting eight typical searches on 100,000 offers: 42 -> 27 ms, for an
index of 161 instead of 99 MiB.

SQLite gets the index of each entry's place on the sample circle that PostgreSQL
has since 0008: facet counts over every entry (the home page, a facet filter
without words) take the 1,000 lowest from it instead of computing the place of
110,000 entries (10.5 -> 4.5 ms).

PostgreSQL also gets a GIN index of the words of the 1/16 sample alone (1.8 MiB
for 110,000 entries). Totals and the facet counts of large results are counted
in the sample; through the whole index, a common word such as "deutsch" was a
bitmap of every entry before the sample was taken from it (sampled count of
"Kurs" 26 -> 3.6 ms).
"""

from django.db import migrations, models

from lernstadt.catalog.migrations import _fulltext

FACETS = _fulltext.FACET_COLUMNS
LABELS = _fulltext.LABEL_COLUMNS
PREFIXES = "2 3 4 5 6 7 8"
SQLITE_FORWARD = [*_fulltext.SQLITE_DROP, _fulltext.sqlite_table(FACETS, "_", PREFIXES),
                  *_fulltext.sqlite_triggers(FACETS), _fulltext.SQLITE_REBUILD,
                  _fulltext.SQLITE_SAMPLE_INDEX]  # fmt: skip
SQLITE_BACKWARD = [*_fulltext.SQLITE_DROP, _fulltext.sqlite_table(LABELS),
                   *_fulltext.sqlite_triggers(LABELS), _fulltext.SQLITE_REBUILD,
                   "DROP INDEX IF EXISTS catalog_searchentry_sample"]  # fmt: skip
POSTGRES_FORWARD = [
    "ALTER TABLE catalog_searchentry ADD COLUMN facet_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, search_facets)) STORED",
    "CREATE INDEX catalog_searchentry_facet_vector ON catalog_searchentry USING GIN (facet_vector)",
    _fulltext.POSTGRES_SAMPLE_VECTOR,
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_searchentry_sample_vector",
    "DROP INDEX IF EXISTS catalog_searchentry_facet_vector",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS facet_vector",
]


BATCH = 1000


def write_facet_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Give every existing entry the tokens of its facet values."""
    from lernstadt.catalog.indexing import facet_token

    SearchEntry = apps.get_model("catalog", "SearchEntry")
    SearchTag = apps.get_model("catalog", "SearchTag")
    tags = SearchTag.objects.order_by("entry_id").values_list("entry_id", "facet", "value")
    tokens: dict[int, list[str]] = {}
    for entry_id, facet, value in tags.iterator(chunk_size=5000):
        if entry_id not in tokens and len(tokens) == BATCH:
            _write(SearchEntry, tokens)  # BATCH entries at a time, in tag order
            tokens = {}
        tokens.setdefault(entry_id, []).append(facet_token(facet, value))
    _write(SearchEntry, tokens)


def _write(SearchEntry, tokens):  # type: ignore[no-untyped-def]
    entries = [SearchEntry(id=i, search_facets=" ".join(t)) for i, t in tokens.items()]
    SearchEntry.objects.bulk_update(entries, ["search_facets"])


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0008_search_at_regional_scale'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchentry',
            name='search_facets',
            field=models.TextField(default=''),
        ),
        migrations.RunPython(write_facet_tokens, migrations.RunPython.noop),
        # Recreating the FTS5 table also restores the triggers that adding the
        # column dropped on SQLite.
        migrations.RunPython(
            _fulltext.on_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _fulltext.on_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
