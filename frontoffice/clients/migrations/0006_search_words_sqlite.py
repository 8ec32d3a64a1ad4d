"""SQLite: a word index of the folded names, for search as you type at scale.

The FTS5 trigram table (migration 0002) finds every name containing "and", but all of them must
then be ranked: 26,000 rows at a million clients, too slow. An FTS5 table with the ``unicode61``
tokenizer indexes whole words, and its ``fts5vocab`` 'instance' view lists (word, client) in word
order, so "names with a word starting with …" is a range read that stops after the first few
hundred, and several typed words are one ``MATCH '"jan"* AND "kow"*'`` (prefix indexes for two and
three letters keep short words cheap; see ``search.py``). Triggers keep it in step with ``search_name``, as for the trigram
table. PostgreSQL has its own words table (migration 0005).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE clients_client_words USING fts5(
        search_name, content='clients_client', content_rowid='id', tokenize='unicode61', prefix='2 3'
    )""",
    "CREATE VIRTUAL TABLE clients_client_words_vocab USING fts5vocab(clients_client_words, 'instance')",
    """CREATE TRIGGER clients_client_words_insert AFTER INSERT ON clients_client BEGIN
        INSERT INTO clients_client_words(rowid, search_name) VALUES (new.id, new.search_name);
    END""",
    """CREATE TRIGGER clients_client_words_delete AFTER DELETE ON clients_client BEGIN
        INSERT INTO clients_client_words(clients_client_words, rowid, search_name)
        VALUES ('delete', old.id, old.search_name);
    END""",
    """CREATE TRIGGER clients_client_words_update AFTER UPDATE OF search_name ON clients_client BEGIN
        INSERT INTO clients_client_words(clients_client_words, rowid, search_name)
        VALUES ('delete', old.id, old.search_name);
        INSERT INTO clients_client_words(rowid, search_name) VALUES (new.id, new.search_name);
    END""",
    "INSERT INTO clients_client_words(clients_client_words) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS clients_client_words_insert",
    "DROP TRIGGER IF EXISTS clients_client_words_delete",
    "DROP TRIGGER IF EXISTS clients_client_words_update",
    "DROP TABLE IF EXISTS clients_client_words_vocab",
    "DROP TABLE IF EXISTS clients_client_words",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_search_words")]

    operations = [migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD))]
