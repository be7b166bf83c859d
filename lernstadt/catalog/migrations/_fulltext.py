"""The full-text index's SQL, shared by the migrations that create and repair it.

SQLite keeps the FTS5 table in step through triggers on catalog_searchentry.
Any migration that makes Django remake that table on SQLite (adding or altering
a column) drops the triggers with the old table, and must end with
:func:`restore_sqlite_triggers` for the columns the index has at that point
(and, from 0009, with :data:`SQLITE_SAMPLE_INDEX`, which Django does not know;
from 0010, with the triggers of :data:`CIRCLE_ROWID` and :func:`sqlite_fill`).
"""

from django.db import migrations

FIRST_COLUMNS = ("stems_title", "stems_body")  # migrations 0002 to 0005
LABEL_COLUMNS = ("stems_title", "stems_body", "stems_labels")  # migrations 0006 to 0008
FACET_COLUMNS = (*LABEL_COLUMNS, "search_facets")  # from migration 0009


def sqlite_table(
    columns: tuple[str, ...],
    tokenchars: str = "",
    prefix: str = "2 3 4",
    content: str = "catalog_searchentry",
    content_rowid: str = "id",
) -> str:
    """The FTS5 table; ``tokenchars`` are kept inside tokens (from 0009: "_", which
    starts every facet token); ``prefix`` lists the prefix lengths FTS5 indexes;
    ``content`` is the table the rows are read from, by ``content_rowid``, or "" for
    a contentless index (from 0010)."""
    tokenize = "unicode61 remove_diacritics 2" + (f" tokenchars ''{tokenchars}''" if tokenchars else "")
    source = f"content='{content}', content_rowid='{content_rowid}'" if content else "content=''"
    return f"""CREATE VIRTUAL TABLE catalog_searchentry_fts USING fts5(
        {", ".join(columns)}, {source},
        tokenize='{tokenize}', prefix='{prefix}')"""


def sqlite_triggers(columns: tuple[str, ...], rowid: str = "{}.id") -> list[str]:
    """Triggers that keep the FTS5 rows in step; ``rowid`` is an FTS row's id in
    SQL of the entry's columns ("{}" stands for new or old)."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = (
        f"INSERT INTO catalog_searchentry_fts(rowid, {names}) "
        f"VALUES ({rowid.format('new')}, {new});"
    )
    delete = (
        f"INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts, rowid, {names}) "
        f"VALUES ('delete', {rowid.format('old')}, {old});"
    )
    return [
        "CREATE TRIGGER IF NOT EXISTS catalog_searchentry_ai AFTER INSERT ON catalog_searchentry "
        f"BEGIN {insert} END",
        "CREATE TRIGGER IF NOT EXISTS catalog_searchentry_ad AFTER DELETE ON catalog_searchentry "
        f"BEGIN {delete} END",
        "CREATE TRIGGER IF NOT EXISTS catalog_searchentry_au AFTER UPDATE ON catalog_searchentry "
        f"BEGIN {delete} {insert} END",
    ]


def postgres_vector(weights: dict[str, str]) -> list[str]:
    """A stored tsvector of the columns at their weights (german), with a GIN index."""
    parts = " ||\n".join(
        f"setweight(to_tsvector('german'::regconfig, coalesce({column}, '')), '{weight}')"
        for column, weight in weights.items()
    )
    return [
        "DROP INDEX IF EXISTS catalog_searchentry_vector",
        "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE catalog_searchentry ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({parts}) STORED",
        "CREATE INDEX catalog_searchentry_vector ON catalog_searchentry USING GIN (search_vector)",
    ]


FIRST_WEIGHTS = {"search_title": "A", "search_body": "B"}
LABEL_WEIGHTS = {"search_title": "A", "search_body": "B", "search_labels": "C"}


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ai",
    "DROP TABLE IF EXISTS catalog_searchentry_fts",
]
SQLITE_REBUILD = "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts) VALUES ('rebuild')"
SQLITE_OPTIMIZE = "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts) VALUES ('optimize')"
# Each entry's place on the sample circle, as search.sample_position("id") writes it
# (migration 0008 has its own copy). %% is one % to the driver.
SAMPLE_POSITION = "((id * 2654435761) %% 4294967296)"
# The index of that place on SQLite (PostgreSQL has it from migration 0008).
SQLITE_SAMPLE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS catalog_searchentry_sample ON catalog_searchentry ({SAMPLE_POSITION})"
)
# From 0010, an FTS row's rowid is its entry's place on the circle ("{}": new or old).
CIRCLE_ROWID = "(({}.id * 2654435761) %% 4294967296)"


def sqlite_fill(columns: tuple[str, ...]) -> list[str]:
    """Write the contentless index (0010) anew from the entries, one row per entry
    at its place on the circle; the triggers keep it in step afterwards."""
    names = ", ".join(columns)
    return [
        "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts) VALUES ('delete-all')",
        f"INSERT INTO catalog_searchentry_fts(rowid, {names}) "
        f"SELECT {SAMPLE_POSITION}, {names} FROM catalog_searchentry",
        SQLITE_OPTIMIZE,
    ]


def on_vendor(statements_by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def restore_sqlite_triggers(columns: tuple[str, ...] = FIRST_COLUMNS) -> migrations.RunPython:
    """Recreate the triggers and re-read the index from the remade table."""
    return migrations.RunPython(
        on_vendor({"sqlite": [*sqlite_triggers(columns), SQLITE_REBUILD]}),
        migrations.RunPython.noop,
    )
