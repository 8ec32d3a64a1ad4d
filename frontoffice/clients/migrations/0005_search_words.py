"""PostgreSQL: one row per word of every client's folded name, for search as you type at scale.

A trigram (GIN) index finds every name containing "and", but PostgreSQL must then fetch all
of them (26,000 rows at a million clients) to rank them, which takes hundreds of
milliseconds. A B-tree over the words answers "names with a word starting with …" in index
order with an index-only scan, so the search reads the first few hundred and ranks only
those (see ``search.py``). A trigger keeps the table in step with ``search_name``, whatever
writes it (services, the importer, the population generator, erasure, merges).

SQLite keeps using its FTS5 trigram table (migration 0002), which is fast enough there.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """CREATE TABLE clients_client_word (
        client_id bigint NOT NULL,
        organisation_id bigint NOT NULL,
        word text COLLATE "C" NOT NULL
    )""",
    """CREATE FUNCTION clients_client_word_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM clients_client_word WHERE client_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO clients_client_word (client_id, organisation_id, word)
            SELECT DISTINCT NEW.id, NEW.organisation_id, part
            FROM regexp_split_to_table(NEW.search_name, ' ') AS part
            WHERE part <> '';
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE FUNCTION clients_client_word_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE clients_client_word;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER clients_client_word_delete AFTER DELETE ON clients_client
        FOR EACH ROW EXECUTE FUNCTION clients_client_word_sync()""",
    # Emptying the clients (as the test runner's flush does) empties their words too.
    """CREATE TRIGGER clients_client_word_truncate AFTER TRUNCATE ON clients_client
        FOR EACH STATEMENT EXECUTE FUNCTION clients_client_word_clear()""",
    """CREATE TRIGGER clients_client_word_insert AFTER INSERT ON clients_client
        FOR EACH ROW EXECUTE FUNCTION clients_client_word_sync()""",
    """CREATE TRIGGER clients_client_word_update AFTER UPDATE OF search_name, organisation_id ON clients_client
        FOR EACH ROW WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name
                           OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
        EXECUTE FUNCTION clients_client_word_sync()""",
    """INSERT INTO clients_client_word (client_id, organisation_id, word)
        SELECT DISTINCT id, organisation_id, part
        FROM clients_client, regexp_split_to_table(search_name, ' ') AS part
        WHERE part <> ''""",
    "CREATE INDEX clients_client_word_prefix ON clients_client_word (organisation_id, word, client_id)",
    "CREATE INDEX clients_client_word_client ON clients_client_word (client_id, word)",
    # Names are few and skewed: without the common ones in its statistics the planner takes the range of
    # "anna" for one row and joins it with a nested loop that reads millions of index entries.
    "ALTER TABLE clients_client_word ALTER COLUMN word SET STATISTICS 10000",
    "ANALYZE clients_client_word",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS clients_client_word_insert ON clients_client",
    "DROP TRIGGER IF EXISTS clients_client_word_delete ON clients_client",
    "DROP TRIGGER IF EXISTS clients_client_word_truncate ON clients_client",
    "DROP FUNCTION IF EXISTS clients_client_word_clear()",
    "DROP TRIGGER IF EXISTS clients_client_word_update ON clients_client",
    "DROP FUNCTION IF EXISTS clients_client_word_sync()",
    "DROP TABLE IF EXISTS clients_client_word",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_client_settings")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
