"""Small query helpers for hot paths."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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


class InsertBuffer[M: Model]:
    """New rows of one model kept while a block runs and written in one INSERT when it ends.

    For work that writes many such rows in one transaction (a batch of queued CTI events): open the block
    inside the transaction, so that the rows still commit, or roll back, with the facts they record. Outside
    a block ``keep`` declines and the caller saves the row itself."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._pending: ContextVar[list[M] | None] = ContextVar(f"{model._meta.label}_pending", default=None)

    def keep(self, row: M) -> bool:
        """Hold ``row`` for the block's INSERT; False outside a block."""
        pending = self._pending.get()
        if pending is None:
            return False
        pending.append(row)
        return True

    @contextmanager
    def block(self) -> Iterator[None]:
        pending: list[M] = []
        token = self._pending.set(pending)
        try:
            yield
            self.model._default_manager.bulk_create(pending)
        finally:
            self._pending.reset(token)
