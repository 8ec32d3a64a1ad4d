"""Test runs only: on PostgreSQL, empty with DELETE only the tables that hold rows between transactional tests.

Browser tests and the other transactional tests end with Django's ``flush``, which on PostgreSQL is one
``TRUNCATE`` of every table with rows. TRUNCATE gives each table new files, which costs the commit an
fsync per table: seconds per test. Here one query first asks which tables hold any row, and those are
emptied with DELETE in one transaction. Django creates its foreign keys ``DEFERRABLE INITIALLY DEFERRED``,
so the order of the DELETEs does not matter; row triggers (the client search words) fire as they would for
any delete. Sequences are not reset, as with Django's own flush unless ``reset_sequences`` is asked for
(then Django's TRUNCATE runs unchanged).

Content types and permissions are kept, on SQLite too: ``post_migrate`` (run after every flush that empties
anything) would only write the same rows again, under new ids that the content type cache of the process
would not know.
"""

from __future__ import annotations

from typing import Any

# Each backend's ``base`` first: importing an ``operations`` module on its own is a circular import.
from django.db.backends.postgresql.base import DatabaseOperations
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations

_original_sql_flush = DatabaseOperations.sql_flush
_original_sqlite_flush = SQLiteOperations.sql_flush
KEPT = frozenset({"django_content_type", "auth_permission"})


def tables_with_rows(connection: Any, tables: list[str]) -> list[str]:
    if not tables:
        return []
    quote = connection.ops.quote_name
    # Table names come from the database's own catalogue and are quoted.
    probe = "SELECT %s WHERE EXISTS (SELECT 1 FROM {})"
    probes = " UNION ALL ".join(probe.format(quote(table)) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(probes, list(tables))
        return [row[0] for row in cursor.fetchall()]


def sql_flush(
    self: DatabaseOperations, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
) -> list[str]:
    if reset_sequences:
        return _original_sql_flush(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
    filled = tables_with_rows(self.connection, sorted(set(tables) - KEPT))
    return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in filled]


def sqlite_flush(
    self: SQLiteOperations, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
) -> list[str]:
    """SQLite's flush is DELETEs already; it only keeps content types and permissions here too (rows written
    again by ``post_migrate`` would get new ids, and the process's content type cache would keep the old)."""
    if not reset_sequences:
        tables = sorted(set(tables) - KEPT)
    return _original_sqlite_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)


def install() -> None:
    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    SQLiteOperations.sql_flush = sqlite_flush  # type: ignore[method-assign]
