"""The database's own full-text index over catalog_searchentry.

SQLite: an FTS5 table with external content, kept in step by triggers.
PostgreSQL: a stored generated tsvector (german configuration, title weight A,
body weight B) with a GIN index.
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

SQLITE_FORWARD = [_fulltext.SQLITE_TABLE, *_fulltext.SQLITE_TRIGGERS]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ai",
    "DROP TABLE IF EXISTS catalog_searchentry_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE catalog_searchentry ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('german'::regconfig, coalesce(search_title, '')), 'A') ||
            setweight(to_tsvector('german'::regconfig, coalesce(search_body, '')), 'B')
        ) STORED""",
    "CREATE INDEX catalog_searchentry_vector ON catalog_searchentry USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_searchentry_vector",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
