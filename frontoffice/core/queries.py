"""Small query helpers for hot paths."""

from __future__ import annotations

from django.db.models import Model, QuerySet


def single[M: Model](queryset: QuerySet[M]) -> M | None:
    """The row a lookup on a unique key (or a rule of one open row) finds, or None.

    ``first()`` would add an ORDER BY (the model's ordering, or the key): with one row at most it sorts nothing
    but still costs its joins and its compilation, and a ``FOR UPDATE`` over a join the database refuses.
    """
    return next(iter(queryset.order_by()[:1]), None)
