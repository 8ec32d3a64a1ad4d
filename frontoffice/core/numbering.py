"""Human-readable, gap-free numbers such as ``V-2026-000123``.

The counter row is locked and incremented inside the caller's transaction:
on PostgreSQL the UPDATE takes a row lock that later callers wait on; on
SQLite every transaction starts IMMEDIATE (see settings), so writers queue
on the database lock. Either way two callers never get the same number, and
a rolled-back caller returns its numbers to the sequence.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence, Organisation


def next_number(*, organisation: Organisation, prefix: str, year: int | None = None, width: int = 6) -> str:
    """The next number of ``prefix`` in ``year`` (this year by default), e.g. ``V-2026-000123``."""
    return next_numbers(organisation=organisation, prefix=prefix, count=1, year=year, width=width)[0]


def next_numbers(
    *, organisation: Organisation, prefix: str, count: int, year: int | None = None, width: int = 6
) -> list[str]:
    """``count`` consecutive numbers in one step (for bulk writes such as an import): the counter moves on
    by ``count`` at once, under the same lock as ``next_number``, so nobody else can be given one of them
    and a rollback returns them all."""
    if not prefix.isalnum() or not prefix.isupper():
        raise ValueError("Number prefixes are upper-case letters or digits, e.g. 'V'.")
    if count < 1:
        raise ValueError("Ask for at least one number.")
    year = year or timezone.localdate().year
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Numbers must be taken inside the transaction that stores the numbered records.")
    last = _increment(organisation=organisation, prefix=prefix, year=year, by=count)
    return [f"{prefix}-{year}-{value:0{width}d}" for value in range(last - count + 1, last + 1)]


def _increment(*, organisation: Organisation, prefix: str, year: int, by: int) -> int:
    """Move the counter on by ``by`` and return its new last value."""
    lookup = {"organisation": organisation, "key": prefix, "year": year}
    updated = NumberSequence.objects.filter(**lookup).update(last_value=F("last_value") + by)
    if not updated:
        try:
            # A savepoint, so that losing the race to create the row leaves the
            # caller's transaction usable on PostgreSQL.
            with transaction.atomic():
                NumberSequence.objects.create(**lookup, last_value=by)
            return by
        except IntegrityError:
            NumberSequence.objects.filter(**lookup).update(last_value=F("last_value") + by)
    return NumberSequence.objects.filter(**lookup).values_list("last_value", flat=True).get()
