"""What a receipt or an invoice says: its lines, the VAT breakdown by rate, and the PDF.

Prices are gross (as Polish shelf prices are), so the VAT of a document is computed the way the
VAT Act allows for gross prices: for each rate, the VAT is taken out of the **sum** of the gross
values at that rate (gross × rate / (100 + rate)), rounded half-up to the grosz, and net = gross −
VAT. Per-line VAT, rounded line by line, may differ from it by a grosz or two; the document's
figures are the per-rate ones.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from frontoffice.core.files import private_storage
from frontoffice.core.pdf import render_pdf

from ..choices import VatRate
from ..models import Charge, SaleDocument, Visit, VisitLine
from ..pricing import to_cents
from . import printout
from .choices import DocumentKind, PaymentMethod

RATE_ORDER = ["23", "8", "5", "0", "zw"]


def document_lines(visit: Visit) -> list[dict[str, str]]:
    """The visit's line items and charges that are not void, as stored on a document."""
    rows: list[Any] = [*VisitLine.objects.filter(visit=visit).order_by("position", "pk")]
    rows += list(Charge.objects.filter(visit=visit, voided_at__isnull=True).order_by("created_at", "pk"))
    return lines_from(rows)


def lines_from(rows: list[Any]) -> list[dict[str, str]]:
    """Line items and charges (in the order given) as a document stores them."""
    return [
        {
            "source": f"{'line' if isinstance(row, VisitLine) else 'charge'}:{row.pk}",
            "description": row.description,
            "quantity": format(row.quantity.normalize(), "f"),
            "unit_price": str(row.unit_price),
            "vat_rate": row.vat_rate,
            "gross": str(row.total_gross),
        }
        for row in rows
    ]


def vat_breakdown(lines: list[dict[str, str]]) -> list[dict[str, str]]:
    """Net, VAT and gross per rate, from the sum of the gross values at each rate."""
    gross_by_rate: dict[str, Decimal] = {}
    for line in lines:
        gross_by_rate[line["vat_rate"]] = gross_by_rate.get(line["vat_rate"], Decimal("0.00")) + Decimal(line["gross"])
    breakdown = []
    for rate in sorted(gross_by_rate, key=RATE_ORDER.index):
        gross = gross_by_rate[rate]
        percent = VatRate(rate).percent
        vat = to_cents(gross * percent / (Decimal(100) + percent))
        breakdown.append({"vat_rate": rate, "net": str(gross - vat), "vat": str(vat), "gross": str(gross)})
    return breakdown


def totals(breakdown: list[dict[str, str]]) -> tuple[Decimal, Decimal, Decimal]:
    net = sum((Decimal(row["net"]) for row in breakdown), Decimal("0.00"))
    vat = sum((Decimal(row["vat"]) for row in breakdown), Decimal("0.00"))
    return net, vat, net + vat


def document_pdf(document: SaleDocument, request: HttpRequest | None = None) -> bytes:
    rates = dict(VatRate.choices)
    context = {
        "document": document,
        "lines": [{**line, "rate_label": rates.get(line["vat_rate"], line["vat_rate"])} for line in document.lines],
        "breakdown": [
            {**row, "rate_label": rates.get(row["vat_rate"], row["vat_rate"])} for row in document.vat_breakdown
        ],
        "payments": [{**row, "label": PaymentMethod(row["method"]).label} for row in document.payments],
        "exempt": any(row["vat_rate"] == VatRate.EXEMPT for row in document.vat_breakdown),
        "currency": document.organisation.currency,
        "change": abs(document.total_gross),
    }
    template = "desk/money/document_pdf.html"
    if document.kind == DocumentKind.CORRECTION:
        template = "desk/money/correction_pdf.html"
        context["payments"] = []
    drawn = printout.draw(document, context)
    if drawn is not None:
        return drawn
    return render_pdf(template, context, request=request)


def _kept_pdf_name(document: SaleDocument) -> str:
    return f"sale-documents/{document.organisation_id}/{document.pk}.pdf"


def keep_issued_pdf(document: SaleDocument) -> None:
    """Print a document once, after it is issued, and keep the bytes. Every later copy is then the document
    exactly as issued, even after a template, a translation or the seller's address changes, and a copy costs
    a file read instead of a page layout.

    The layout (WeasyPrint, tens of milliseconds of CPU) is done by the worker once the issuing transaction
    commits, in the language the document was issued in, so the clerk's click does not wait for it and the
    page processes keep their CPU for pages. A copy asked for before the worker got to it is printed and kept
    then (``issued_pdf``)."""
    from ..tasks import keep_sale_document_pdf

    transaction.on_commit(
        partial(keep_sale_document_pdf.enqueue, document_id=document.pk, language=translation.get_language())
    )


def keep_pdf_now(document: SaleDocument) -> bytes | None:
    """Print and keep the document unless a copy is kept already; the bytes printed, or None."""
    storage = private_storage()
    name = _kept_pdf_name(document)
    if storage.exists(name):
        return None
    pdf = document_pdf(document)
    if not storage.exists(name):  # the worker and a copy asked for may print at the same time: keep the first
        storage.save(name, ContentFile(pdf))
    return pdf


def issued_pdf(document: SaleDocument) -> bytes:
    """The copy kept when the document was issued (printed and kept now when there is none yet: the worker has
    not got to it, or the document was issued before copies were kept)."""
    printed = keep_pdf_now(document)
    if printed is not None:
        return printed
    with private_storage().open(_kept_pdf_name(document)) as kept:
        return bytes(kept.read())


def document_filename(document: SaleDocument) -> str:
    return f"{document.number}.pdf"
