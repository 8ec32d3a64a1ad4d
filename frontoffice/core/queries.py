"""Small query helpers for hot paths."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet


def single[M: Model](queryset: QuerySet[M]) -> M | None:
    """The row a lookup on a unique key (or a rule of one open row) finds, or None.

    ``first()`` would add an ORDER BY (the model's ordering, or the key): with one row at most it sorts nothing
    but still costs its joins and its compilation, and a ``FOR UPDATE`` over a join the database refuses.
    """
    return next(iter(queryset.order_by()[:1]), None)


def update_rows(model: type[Model], objects: Iterable[Model], fields: Sequence[str], *, using: str = "default") -> None:
    """Write ``fields`` of many rows already held in memory, as one ``UPDATE … WHERE pk = %s`` run for each.

    ``bulk_update`` builds a ``CASE WHEN`` per field and row, which costs more Python than it saves round
    trips for a few dozen rows; the database driver runs this statement for every row in one pipeline.
    No signals, no ``auto_now``: set such fields before calling.
    """
    rows = list(objects)
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    columns: list[Any] = [meta.get_field(name) for name in fields]
    primary_key: Any = meta.pk
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    # Only names from the model's own metadata go into the statement; the values are parameters.
    statement = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(primary_key.column)} = %s"  # noqa: S608
    parameters = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, parameters)
