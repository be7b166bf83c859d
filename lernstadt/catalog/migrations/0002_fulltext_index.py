"""The database's own full-text index over catalog_searchentry.

SQLite: an FTS5 table with external content, kept in step by triggers.
PostgreSQL: a stored generated tsvector (german configuration, title weight A,
body weight B) with a GIN index.
"""

from django.db import migrations

from lernstadt.catalog.migrations import _fulltext

SQLITE_FORWARD = [
    _fulltext.sqlite_table(_fulltext.FIRST_COLUMNS),
    *_fulltext.sqlite_triggers(_fulltext.FIRST_COLUMNS),
]
SQLITE_BACKWARD = _fulltext.SQLITE_DROP
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


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _fulltext.on_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _fulltext.on_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
