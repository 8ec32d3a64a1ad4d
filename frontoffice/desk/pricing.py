"""Money arithmetic for line items: Decimal only, rounded half-up to the grosz."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import VatRate

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal


def line_totals(*, quantity: Decimal, unit_price: Decimal, vat_rate: str) -> Totals:
    """Gross = quantity × gross unit price; VAT is taken out of the gross ("od brutto"); net = gross − VAT.

    >>> line_totals(quantity=Decimal("3"), unit_price=Decimal("19.99"), vat_rate="23")
    Totals(net=Decimal('48.76'), vat=Decimal('11.21'), gross=Decimal('59.97'))
    """
    gross = to_cents(quantity * unit_price)
    percent = VatRate(vat_rate).percent
    vat = to_cents(gross * percent / (Decimal(100) + percent))
    return Totals(net=gross - vat, vat=vat, gross=gross)


def sum_totals(items: list[Totals]) -> Totals:
    return Totals(
        net=sum((t.net for t in items), Decimal("0.00")),
        vat=sum((t.vat for t in items), Decimal("0.00")),
        gross=sum((t.gross for t in items), Decimal("0.00")),
    )
