"""Indexes for search as you type: trigram GIN on PostgreSQL, an FTS5 trigram table on SQLite.

Both index the folded copies (``search_name``, ``search_phones``, ``search_emails``)
that the services write, so "zolw" finds "Żółw" on either database.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS client_search_name_trgm ON clients_client USING gin (search_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS client_search_phones_trgm ON clients_client USING gin (search_phones gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS client_search_emails_trgm ON clients_client USING gin (search_emails gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS client_search_name_trgm",
    "DROP INDEX IF EXISTS client_search_phones_trgm",
    "DROP INDEX IF EXISTS client_search_emails_trgm",
]
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE clients_client_fts USING fts5(
        search_name, search_phones, search_emails,
        content='clients_client', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER clients_client_fts_insert AFTER INSERT ON clients_client BEGIN
        INSERT INTO clients_client_fts(rowid, search_name, search_phones, search_emails)
        VALUES (new.id, new.search_name, new.search_phones, new.search_emails);
    END""",
    """CREATE TRIGGER clients_client_fts_delete AFTER DELETE ON clients_client BEGIN
        INSERT INTO clients_client_fts(clients_client_fts, rowid, search_name, search_phones, search_emails)
        VALUES ('delete', old.id, old.search_name, old.search_phones, old.search_emails);
    END""",
    """CREATE TRIGGER clients_client_fts_update AFTER UPDATE OF search_name, search_phones, search_emails
        ON clients_client BEGIN
        INSERT INTO clients_client_fts(clients_client_fts, rowid, search_name, search_phones, search_emails)
        VALUES ('delete', old.id, old.search_name, old.search_phones, old.search_emails);
        INSERT INTO clients_client_fts(rowid, search_name, search_phones, search_emails)
        VALUES (new.id, new.search_name, new.search_phones, new.search_emails);
    END""",
    "INSERT INTO clients_client_fts(clients_client_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS clients_client_fts_insert",
    "DROP TRIGGER IF EXISTS clients_client_fts_delete",
    "DROP TRIGGER IF EXISTS clients_client_fts_update",
    "DROP TABLE IF EXISTS clients_client_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
