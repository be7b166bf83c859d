"""An index of the entries that take place, in the order of equal scores.

Below the entries with a clause in their title, the matches of a search scored by
titles alone all score 0, and their order is the tie-break alone (fewer title
words, sort title, id; ranking.TIE_BREAK). For a broad word that few titles hold,
that was most of the matches: "Bibliothek" ranked 8,890 of them to show 20
(17.5 ms on PostgreSQL, 12.5 ms on SQLite). Walking this index instead and
testing each entry met stops after the window: 3.1 ms and 1.5 ms (see
search.RankedEntries._untitled). The index is partial, so that only a statement
that asks for entries taking place can walk it: no other query's plan changes.
The expression is ranking.TITLE_WORDS' and migration 0014's.
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

NAME = "catalog_searchentry_open_in_tie_break_order"
WORDS = "(LENGTH(title) - LENGTH(REPLACE(title, ' ', '')))"
CREATE = [
    f"CREATE INDEX {NAME} ON catalog_searchentry ({WORDS}, sort_title, id) WHERE NOT is_cancelled"
]
DROP = [f"DROP INDEX IF EXISTS {NAME}"]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0019_postgresql_keeps_the_vectors_in_their_rows"),
    ]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor({"sqlite": CREATE, "postgresql": CREATE}),
            _fulltext.on_vendor({"sqlite": DROP, "postgresql": DROP}),
        ),
    ]
