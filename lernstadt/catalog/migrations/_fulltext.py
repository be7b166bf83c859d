"""The full-text index's SQL, shared by the migrations that create and repair it.

SQLite keeps the FTS5 table in step through triggers on catalog_searchentry.
Any migration that makes Django remake that table on SQLite (adding or altering
a column) drops the triggers with the old table, and must end with
:func:`restore_sqlite_triggers` for the columns the index has at that point
(and, from 0009, with :data:`SQLITE_SAMPLE_INDEX`, which Django does not know;
from 0010, with the sample's full-text index: :func:`sqlite_sample_index`; from
0017, with the titles' full-text index: :func:`sqlite_title_index`).
"""

from django.db import migrations

FIRST_COLUMNS = ("stems_title", "stems_body")  # migrations 0002 to 0005
LABEL_COLUMNS = ("stems_title", "stems_body", "stems_labels")  # migrations 0006 to 0008
FACET_COLUMNS = (*LABEL_COLUMNS, "search_facets")  # from migration 0009


MAIN_TABLE = "catalog_searchentry_fts"


def sqlite_table(
    columns: tuple[str, ...],
    tokenchars: str = "",
    prefix: str = "2 3 4",
    table: str = MAIN_TABLE,
    content: str = "content='catalog_searchentry', content_rowid='id'",
) -> str:
    """The FTS5 table; ``tokenchars`` are kept inside tokens (from 0009: "_", which
    starts every facet token); ``prefix`` lists the prefix lengths FTS5 indexes;
    ``content`` says where its text lives ("content=''": nowhere, from 0010)."""
    tokenize = "unicode61 remove_diacritics 2" + (f" tokenchars ''{tokenchars}''" if tokenchars else "")
    return f"""CREATE VIRTUAL TABLE {table} USING fts5(
        {", ".join(columns)},
        {content},
        tokenize='{tokenize}', prefix='{prefix}')"""


def sqlite_triggers(
    columns: tuple[str, ...],
    table: str = MAIN_TABLE,
    rowid: str = "{}.id",
    name: str = "catalog_searchentry",
    only: str = "",
) -> list[str]:
    """Triggers ``name``_ai/_ad/_au that keep ``table`` in step with the entries: a
    row at ``rowid``, for the entries that meet ``only`` (SQL; "{}" in both stands
    for new or old)."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {table}(rowid, {names}) VALUES ({rowid.format('new')}, {new});"
    delete = (
        f"INSERT INTO {table}({table}, rowid, {names}) "
        f"VALUES ('delete', {rowid.format('old')}, {old});"
    )
    when_new, when_old = (f"WHEN {only.format(row)} " if only else "" for row in ("new", "old"))
    after = "CREATE TRIGGER IF NOT EXISTS {} AFTER {} ON catalog_searchentry "
    return [
        after.format(f"{name}_ai", "INSERT") + f"{when_new}BEGIN {insert} END",
        after.format(f"{name}_ad", "DELETE") + f"{when_old}BEGIN {delete} END",
        after.format(f"{name}_au", "UPDATE") + f"{when_old}BEGIN {delete} {insert} END",
    ]


def postgres_vector(weights: dict[str, str], config: str = "german") -> list[str]:
    """A stored tsvector of the columns (or SQL expressions of them) at their
    weights, with a GIN index."""
    parts = " ||\n".join(
        f"setweight(to_tsvector('{config}'::regconfig, coalesce({column}, '')), '{weight}')"
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
# From 0011: the stems lernstadt wrote, as SQLite's FTS5 table has them, each stem
# of a vocabulary label marked in front ("0deutsch"; keep equal to query.LABEL_MARK).
POSTGRES_LABEL_MARK = "0"
MARKED_LABELS = f"regexp_replace(stems_labels, '(\\S+)', '{POSTGRES_LABEL_MARK}\\1', 'g')"
STEM_WEIGHTS = {"stems_title": "A", "stems_body": "B", MARKED_LABELS: "C"}


VECTORS = ("search_vector", "title_vector", "facet_vector")


def postgres_vector_storage(storage: str) -> str:
    """The entries' vectors stored as ``storage``: MAIN keeps them in their rows
    (0019). A migration that adds one of these columns anew sets it again."""
    columns = ", ".join(f"ALTER COLUMN {column} SET STORAGE {storage}" for column in VECTORS)
    return f"ALTER TABLE catalog_searchentry {columns}"


def postgres_title_vector(column: str, config: str) -> list[str]:
    """The title's own tsvector with its GIN index (0008: german words; 0011: stems)."""
    return [
        "DROP INDEX IF EXISTS catalog_searchentry_title_vector",
        "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS title_vector",
        "ALTER TABLE catalog_searchentry ADD COLUMN title_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('{config}'::regconfig, coalesce({column}, ''))) STORED",
        "CREATE INDEX catalog_searchentry_title_vector ON catalog_searchentry "
        "USING GIN (title_vector)",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ai",
    "DROP TABLE IF EXISTS catalog_searchentry_fts",
]
SQLITE_REBUILD = "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts) VALUES ('rebuild')"
# Each entry's place on the sample circle, as search.sample_position("id") writes it
# (migration 0008 has its own copy). %% is one % to the driver.
SAMPLE_POSITION = "((id * 2654435761) %% 4294967296)"
# The index of that place on SQLite (PostgreSQL has it from migration 0008).
SQLITE_SAMPLE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS catalog_searchentry_sample ON catalog_searchentry ({SAMPLE_POSITION})"
)
# PostgreSQL's GIN index of the words of the entries in the sample of
# search.sample_below(1 / search.SAMPLE_SHARE) (from 0009): keep both equal
# (tests/test_search_at_scale.py checks).
POSTGRES_IN_SAMPLE = f"{SAMPLE_POSITION} < 268435456"


def postgres_words_of(index: str, in_sample: str, facets: bool = False) -> str:
    """A GIN index of the words (and from 0015 the facet tokens, ``facets``) of the
    entries that meet ``in_sample`` alone."""
    columns = "search_vector, facet_vector" if facets else "search_vector"
    return (
        f"CREATE INDEX {index} ON catalog_searchentry USING GIN ({columns}) WHERE {in_sample}"
    )


POSTGRES_SAMPLE_VECTOR = postgres_words_of("catalog_searchentry_sample_vector", POSTGRES_IN_SAMPLE)


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


# From 0010, SQLite also keeps a full-text index of the entries in a sample of a
# quarter of the circle, each row at its entry's place (a contentless FTS5 table:
# search.FTS_SAMPLE_ENTRY maps a place back to the id). Keep the bound equal to
# search.sample_below(1 / search.SAMPLE_INDEX_SHARE) (tests/test_search_at_scale.py).
SAMPLE_TABLE = "catalog_searchentry_fts_sample"
SAMPLE_INDEX_BELOW = 1073741824
PLACE = "(({}.id * 2654435761) %% 4294967296)"  # "{}": new, old or the table


def sqlite_sample_index(columns: tuple[str, ...], tokenchars: str, prefix: str) -> list[str]:
    """The sample's FTS5 table, its triggers and its rows (0010)."""
    in_sample = f"{PLACE} < {SAMPLE_INDEX_BELOW}"
    return [
        sqlite_table(columns, tokenchars, prefix, SAMPLE_TABLE, content="content=''"),
        *sqlite_triggers(columns, SAMPLE_TABLE, PLACE, "catalog_searchentry_sample", in_sample),
        *sqlite_sample_fill(columns),
    ]


def sqlite_sample_fill(columns: tuple[str, ...]) -> list[str]:
    """Write the sample's rows anew from the entries (the triggers keep them in step)."""
    names = ", ".join(columns)
    place = PLACE.format("catalog_searchentry")
    return [
        f"INSERT INTO {SAMPLE_TABLE}({SAMPLE_TABLE}) VALUES ('delete-all')",
        f"INSERT INTO {SAMPLE_TABLE}(rowid, {names}) SELECT {place}, {names} "
        f"FROM catalog_searchentry WHERE {place} < {SAMPLE_INDEX_BELOW}",
        f"INSERT INTO {SAMPLE_TABLE}({SAMPLE_TABLE}) VALUES ('optimize')",
    ]


# From 0011, PostgreSQL also keeps a GIN index of the words of that quarter.
POSTGRES_IN_QUARTER = f"{SAMPLE_POSITION} < {SAMPLE_INDEX_BELOW}"
POSTGRES_QUARTER_VECTOR = postgres_words_of(
    "catalog_searchentry_quarter_vector", POSTGRES_IN_QUARTER
)

# From 0012, PostgreSQL also keeps a GIN index of the words of the 1/64 sample: keep
# the bound equal to search.sample_below(1 / search.SMALL_SAMPLE_SHARE).
SMALL_SAMPLE_BELOW = 67108864
POSTGRES_IN_SMALL_SAMPLE = f"{SAMPLE_POSITION} < {SMALL_SAMPLE_BELOW}"
POSTGRES_SMALL_SAMPLE_VECTOR = postgres_words_of(
    "catalog_searchentry_small_sample_vector", POSTGRES_IN_SMALL_SAMPLE
)

# PostgreSQL's GIN indexes of the samples and the sample each covers (from 0015 they
# hold the facet tokens too).
POSTGRES_SAMPLE_INDEXES = {
    "catalog_searchentry_small_sample_vector": POSTGRES_IN_SMALL_SAMPLE,
    "catalog_searchentry_sample_vector": POSTGRES_IN_SAMPLE,
    "catalog_searchentry_quarter_vector": POSTGRES_IN_QUARTER,
}


SQLITE_SAMPLE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_sample_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_sample_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_sample_ai",
    f"DROP TABLE IF EXISTS {SAMPLE_TABLE}",
]


# From 0017, SQLite also keeps a full-text index of the titles alone.
TITLE_TABLE = "catalog_searchentry_fts_title"
TITLE_COLUMNS = ("stems_title",)


def sqlite_title_index() -> list[str]:
    """The titles' FTS5 table, its triggers and its rows (0017): tokens as in the
    main table's title column (from 0009)."""
    return [
        sqlite_table(TITLE_COLUMNS, "_", "2 3 4 5 6 7 8", TITLE_TABLE),
        *sqlite_triggers(TITLE_COLUMNS, TITLE_TABLE, name="catalog_searchentry_title"),
        f"INSERT INTO {TITLE_TABLE}({TITLE_TABLE}) VALUES ('rebuild')",
    ]


SQLITE_TITLE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_title_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_title_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_title_ai",
    f"DROP TABLE IF EXISTS {TITLE_TABLE}",
]
