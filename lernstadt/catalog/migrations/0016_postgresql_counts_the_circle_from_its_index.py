"""PostgreSQL's index of each entry's place on the sample circle holds the entry's
id too (``INCLUDE (id)``), so counting or taking a part of the circle reads the
index alone.

The index of 0008 held the place only: PostgreSQL could not answer from it
without reading each entry's row, and counted the 1/16 sample of all entries
(the results page without words, and the home page) by scanning the whole
primary key in parallel workers instead: 24 ms. From this index it reads the
sample's 6,800 places: 1.3 ms; the facet counts of that page 9 -> 6 ms.
Alternating both indexes over the searches of bench/scale, four rounds: a round
1,294 -> 1,103 ms (mean), the search without words 19.8 -> 7.4 ms. SQLite's
index of the place (0009) holds the rowid, which is the id, already.

The new index has no statistics of its expression until the table is analysed,
and autovacuum analyses only after many rows change: without them PostgreSQL
guessed a third of the entries below any place and counted "Kurs" 7 -> 15 ms.
So the migration analyses the entries after making the index, both ways.
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

INDEX = "catalog_searchentry_sample"
PLACE_ONLY = f"CREATE INDEX {INDEX} ON catalog_searchentry ({_fulltext.SAMPLE_POSITION})"


def circle_index(create: str) -> dict[str, list[str]]:
    return {"postgresql": [f"DROP INDEX IF EXISTS {INDEX}", create, "ANALYZE catalog_searchentry"]}


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0015_postgresql_sample_indexes_hold_the_facet_tokens"),
    ]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor(circle_index(f"{PLACE_ONLY} INCLUDE (id)")),
            _fulltext.on_vendor(circle_index(PLACE_ONLY)),
        ),
    ]
