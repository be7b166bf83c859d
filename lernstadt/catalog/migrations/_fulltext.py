"""The full-text index's SQL, shared by the migrations that create and repair it.

SQLite keeps the FTS5 table in step through triggers on catalog_searchentry.
Any migration that makes Django remake that table on SQLite (adding or altering
a column) drops the triggers with the old table, and must end with
:func:`restore_sqlite_triggers`.
"""

from django.db import migrations

SQLITE_TABLE = """CREATE VIRTUAL TABLE catalog_searchentry_fts USING fts5(
    stems_title, stems_body,
    content='catalog_searchentry', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"""
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS catalog_searchentry_ai AFTER INSERT ON catalog_searchentry
    BEGIN
        INSERT INTO catalog_searchentry_fts(rowid, stems_title, stems_body)
        VALUES (new.id, new.stems_title, new.stems_body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS catalog_searchentry_ad AFTER DELETE ON catalog_searchentry
    BEGIN
        INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts, rowid, stems_title, stems_body)
        VALUES ('delete', old.id, old.stems_title, old.stems_body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS catalog_searchentry_au AFTER UPDATE ON catalog_searchentry
    BEGIN
        INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts, rowid, stems_title, stems_body)
        VALUES ('delete', old.id, old.stems_title, old.stems_body);
        INSERT INTO catalog_searchentry_fts(rowid, stems_title, stems_body)
        VALUES (new.id, new.stems_title, new.stems_body);
    END""",
]
SQLITE_REBUILD = "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts) VALUES ('rebuild')"


def _on_sqlite(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def restore_sqlite_triggers() -> migrations.RunPython:
    """Recreate the triggers and re-read the index from the remade table."""
    return migrations.RunPython(
        _on_sqlite([*SQLITE_TRIGGERS, SQLITE_REBUILD]), migrations.RunPython.noop
    )
