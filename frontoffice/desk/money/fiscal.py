"""The fiscal printer adapter: what a cash or card receipt sends to the shop's fiscal printer.

A real printer (a Posnet or Elzab driver, a cloud e-receipt service) implements ``FiscalPrinter``
and is chosen with the ``DESK_FISCAL_PRINTER`` setting: a name from ``PRINTERS`` or a dotted path to
a class. The local implementation (the default) prints nothing: it records, in ``FiscalPrintout``,
exactly what would have been printed, so the desk works the same without a printer attached.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import FiscalPrintout, SaleDocument

# The letters a Polish fiscal printer prints for each VAT rate (PTU).
PTU_LETTERS = {"23": "A", "8": "B", "5": "C", "0": "D", "zw": "E"}


class FiscalPrinter(Protocol):
    name: str

    def print_receipt(self, document: SaleDocument) -> None:
        """Print ``document`` (a receipt) or raise; called inside the issuing transaction."""


def receipt_payload(document: SaleDocument) -> dict[str, Any]:
    """The printer-neutral content of a fiscal receipt: lines with PTU letters, totals per letter, payments."""
    return {
        "number": document.number,
        "seller_nip": document.seller_nip,
        "buyer_nip": document.buyer_nip,
        "lines": [
            {
                "name": line["description"][:40],  # printers cut names at 40 characters
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "gross": line["gross"],
                "ptu": PTU_LETTERS[line["vat_rate"]],
            }
            for line in document.lines
        ],
        "ptu_totals": [
            {"ptu": PTU_LETTERS[row["vat_rate"]], "gross": row["gross"], "vat": row["vat"]}
            for row in document.vat_breakdown
        ],
        "total": str(document.total_gross),
        "payments": document.payments,
    }


class LocalFiscalPrinter:
    """Records what would be printed; the default."""

    name = "local"

    def print_receipt(self, document: SaleDocument) -> None:
        FiscalPrintout.objects.create(document=document, printer=self.name, payload=receipt_payload(document))


PRINTERS: dict[str, type] = {"local": LocalFiscalPrinter}


def fiscal_printer() -> FiscalPrinter:
    """The printer the ``DESK_FISCAL_PRINTER`` setting names."""
    chosen = getattr(settings, "DESK_FISCAL_PRINTER", "local")
    printer_class = PRINTERS.get(chosen) or import_string(chosen)
    printer: FiscalPrinter = printer_class()
    return printer


def is_fiscal(payments: list[dict[str, Any]]) -> bool:
    """A receipt goes to the fiscal printer when any of it was paid in cash or by card."""
    return any(row["method"] in ("cash", "card") and Decimal(row["amount"]) > 0 for row in payments)
