"""SQLite: a full-text index of the sample, its rows in the order of the circle.

Large totals and facet counts look at the matches lowest on the sample circle
(search.sample_position). FTS5 hands out its matches in rowid order, the
entry's id: it had to produce all 25,000 matches of "Deutschkurs" to find the
1,600 in the 1/16 sample or the 1,000 lowest. A second FTS5 table holds the
entries of a quarter of the circle, each row at its entry's place (a one-to-one
map of the id: Knuth's multiplier is odd, so it has an inverse modulo 2**32,
search.FTS_SAMPLE_ENTRY). A rowid bound then limits the doclists FTS5 reads,
and ``ORDER BY rowid LIMIT`` stops after the lowest. On 100,000 offers, the
sampled count of "Deutschkurs" fell from 18 to 1.5 ms and its 1,000 lowest
from 21 to 2 ms.

The main table keeps the entry's id as rowid: an import writes similar entries
one after another, and their neighbouring ids keep its doclists short and its
AND queries quick (with every row at its place on the circle, counting
"Deutschkurs A1" took 4.2 instead of 1.0 ms). This is PostgreSQL's way too:
a GIN index of the sample's words beside the whole index (0009).

The sample's table is contentless: no search reads column values from it; its
triggers give the old values when a row is deleted, as FTS5 requires. It holds a
quarter of the entries in a third of the main index's size (54 against 158 MiB
on 100,000 offers: rowids far apart take more bytes).
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

COLUMNS = _fulltext.FACET_COLUMNS
PREFIXES = "2 3 4 5 6 7 8"  # as in 0009
SQLITE_FORWARD = _fulltext.sqlite_sample_index(COLUMNS, "_", PREFIXES)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_facets_in_the_fulltext_index'),
    ]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor({"sqlite": SQLITE_FORWARD}),
            _fulltext.on_vendor({"sqlite": _fulltext.SQLITE_SAMPLE_DROP}),
        ),
    ]
