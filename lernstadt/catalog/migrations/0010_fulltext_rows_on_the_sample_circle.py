"""SQLite: the full-text index keeps its rows in the order of the sample circle.

Large totals and facet counts look at the matches lowest on the sample circle
(search.sample_position). FTS5 hands out its matches in rowid order; with the
entry's id as rowid, it had to produce every match of "deutsch kurs" (25,000)
to find the 1,600 in the 1/16 sample or the 1,000 lowest. Each row's rowid is
now the entry's place on the circle, a one-to-one map of the id (Knuth's
multiplier is odd, so it has an inverse modulo 2**32: search.FTS_ENTRY). A
rowid bound then limits the doclists FTS5 reads, and ``ORDER BY rowid LIMIT``
stops after the lowest. On 100,000 offers, the sampled count of "Deutschkurs"
fell from 18 to 1.5 ms and its 1,000 lowest from 21 to 2 ms.

The index becomes contentless: an external content table is read by its rowid,
which is no longer the entry's id. No search reads column values from it; the
triggers give the old values when a row is deleted, as FTS5 requires.
PostgreSQL's index is unchanged.
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

COLUMNS = _fulltext.FACET_COLUMNS
PREFIXES = "2 3 4 5 6 7 8"  # as in 0009
SQLITE_FORWARD = [*_fulltext.SQLITE_DROP, _fulltext.sqlite_table(COLUMNS, "_", PREFIXES, content=""),
                  *_fulltext.sqlite_triggers(COLUMNS, _fulltext.CIRCLE_ROWID),
                  *_fulltext.sqlite_fill(COLUMNS)]  # fmt: skip
SQLITE_BACKWARD = [*_fulltext.SQLITE_DROP, _fulltext.sqlite_table(COLUMNS, "_", PREFIXES),
                   *_fulltext.sqlite_triggers(COLUMNS), _fulltext.SQLITE_REBUILD]  # fmt: skip


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_facets_in_the_fulltext_index'),
    ]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor({"sqlite": SQLITE_FORWARD}),
            _fulltext.on_vendor({"sqlite": SQLITE_BACKWARD}),
        ),
    ]
