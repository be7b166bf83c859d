"""Search indexes for a regional catalogue (100,000 offers), measured in bench/scale.

- Both databases: the home page lists entries that take place first, in id
  order; PostgreSQL's index on ``is_cancelled`` alone did not keep id order and
  sorted every entry.
- PostgreSQL: an index on each entry's place on the sample circle. Large totals
  and facet counts are estimated from the entries below a threshold
  (``search.sample_position``); the index lets PostgreSQL combine that range
  with the full-text index and read only the sample's rows. SQLite computes the
  position from the FTS rowids.
- PostgreSQL: the title's own tsvector with its own GIN index. Entries with
  every typed word in their title lead; asking the whole vector for title words
  (``kurs:A``) made PostgreSQL recheck every entry with the word anywhere, since
  a GIN index does not know weights (250 ms for "Kurs"). SQLite's FTS5 table has
  a title column already.
- PostgreSQL: statistics of facet and value together. A facet filter asks for
  both (``cost`` = ``free``); taken as independent, the planner guessed 5,000 of
  42,000 tags and chose plans for a few rows.
"""

from django.db import migrations, models

from lernstadt.catalog.migrations._fulltext import on_vendor

POSITION = "((id * 2654435761) %% 4294967296)"  # search.sample_position("id"); %% is one %

CREATE = [
    f"CREATE INDEX catalog_searchentry_sample ON catalog_searchentry ({POSITION})",
    "ALTER TABLE catalog_searchentry ADD COLUMN title_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('german'::regconfig, coalesce(search_title, ''))) STORED",
    "CREATE INDEX catalog_searchentry_title_vector ON catalog_searchentry USING GIN (title_vector)",
    "CREATE STATISTICS catalog_searchtag_facet_value (dependencies, mcv) "
    "ON facet, value FROM catalog_searchtag",
]
DROP = [
    "DROP STATISTICS IF EXISTS catalog_searchtag_facet_value",
    "DROP INDEX IF EXISTS catalog_searchentry_title_vector",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS title_vector",
    "DROP INDEX IF EXISTS catalog_searchentry_sample",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_search_at_scale"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="searchentry",
            name="searchentry_open_first",
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["is_cancelled", "id"], name="searchentry_open_by_id"),
        ),
        migrations.RunPython(on_vendor({"postgresql": CREATE}), on_vendor({"postgresql": DROP})),
    ]
