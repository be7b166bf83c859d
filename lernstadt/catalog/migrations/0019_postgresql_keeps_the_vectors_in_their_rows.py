"""PostgreSQL keeps each entry's vectors in its row; the texts they are made of move
to the TOAST table first.

A row longer than about 2 kB (84 % of the 109,449 entries of bench/scale) is made
shorter by moving its largest values to the TOAST table, and the search vector,
which compresses badly, was the first to go. Ranking the matches of a widened
search tests each clause against each entry's vector, and each test fetched the
vector back from the TOAST table: 23,028 buffers for the 2,407 matches of
"Bewerbung schreiben Hilfe", 24 ms. With ``STORAGE MAIN`` a vector leaves its
row only when nothing else can, so the texts no search reads (search_body,
stems_body, ...) go instead: that statement 10.6 ms. The page path of the 32
searches the code was not tuned on (bench/scale's OTHER_SEARCHES), alternated
twice: p95 37 -> 24 ms. The table is
rewritten so that existing rows follow (7 s for 109,449 entries, VACUUM FULL,
hence not atomic). SQLite's FTS5 tables keep no vectors in rows.
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

REWRITE = "VACUUM (FULL, ANALYZE) catalog_searchentry"


def vectors_stored(storage: str) -> dict[str, list[str]]:
    return {"postgresql": [_fulltext.postgres_vector_storage(storage), REWRITE]}


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run in a transaction

    dependencies = [
        ("catalog", "0018_tags_numbered_once"),
    ]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor(vectors_stored("MAIN")),
            _fulltext.on_vendor(vectors_stored("EXTENDED")),
        ),
    ]
