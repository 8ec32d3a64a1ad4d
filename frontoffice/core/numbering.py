"""Human-readable, gap-free numbers such as ``V-2026-000123``.

The counter row is locked and incremented inside the caller's transaction:
on PostgreSQL the UPDATE takes a row lock that later callers wait on; on
SQLite every transaction starts IMMEDIATE (see settings), so writers queue
on the database lock. Either way two callers never get the same number, and
a rolled-back caller returns its number to the sequence.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence, Organisation


def next_number(*, organisation: Organisation, prefix: str, year: int | None = None, width: int = 6) -> str:
    if not prefix.isalnum() or not prefix.isupper():
        raise ValueError("Number prefixes are upper-case letters or digits, e.g. 'V'.")
    year = year or timezone.localdate().year
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that stores the numbered record.")
    value = _increment(organisation=organisation, prefix=prefix, year=year)
    return f"{prefix}-{year}-{value:0{width}d}"


def _increment(*, organisation: Organisation, prefix: str, year: int) -> int:
    lookup = {"organisation": organisation, "key": prefix, "year": year}
    updated = NumberSequence.objects.filter(**lookup).update(last_value=F("last_value") + 1)
    if not updated:
        try:
            # A savepoint, so that losing the race to create the row leaves the
            # caller's transaction usable on PostgreSQL.
            with transaction.atomic():
                NumberSequence.objects.create(**lookup, last_value=1)
            return 1
        except IntegrityError:
            NumberSequence.objects.filter(**lookup).update(last_value=F("last_value") + 1)
    return NumberSequence.objects.filter(**lookup).values_list("last_value", flat=True).get()
