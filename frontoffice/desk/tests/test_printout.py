"""Sale documents drawn over several pages (desk.money.printout): no line lost, the header and footer on each."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import translation
from pypdf import PdfReader

from frontoffice.accounts.models import Organisation
from frontoffice.desk.models import SaleDocument, Visit
from frontoffice.desk.money import documents

ISSUED = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _document(**fields) -> SaleDocument:
    """A document as issued, not stored: drawing it reads nothing from the database."""
    defaults = {
        "organisation": Organisation(name="Przychodnia Lipowa", currency="PLN"),
        "visit": Visit(number="V-2026-000001"),
        "number": "FV-2026-000001",
        "issued_at": ISSUED,
        "sale_date": date(2026, 11, 27),
        "seller_name": "Przychodnia Lipowa sp. z o.o.",
        "seller_address": "ul. Lipowa 1, 00-001 Warszawa",
        "seller_nip": "5260250274",
        "buyer_name": "Budex S.A.",
        "total_net": Decimal("0.00"),
        "total_vat": Decimal("0.00"),
        "total_gross": Decimal("0.00"),
    }
    return SaleDocument(**{**defaults, **fields})


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.producer.startswith("ReportLab")  # drawn, not laid out from HTML
    return [page.extract_text() for page in reader.pages]


def test_an_invoice_of_many_lines_goes_on_over_pages_with_every_line_and_its_totals():
    lines = [
        {
            "description": f"Pozycja {n} zażółć",
            "quantity": "1",
            "unit_price": "10.00",
            "vat_rate": "23",
            "gross": "10.00",
        }
        for n in range(1, 81)
    ]
    breakdown = documents.vat_breakdown(lines)
    net, vat, gross = documents.totals(breakdown)
    invoice = _document(
        kind="invoice", lines=lines, vat_breakdown=breakdown, total_net=net, total_vat=vat, total_gross=gross
    )
    with translation.override("pl"):
        pages = _pages(documents.document_pdf(invoice))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Opis" in text and f"{number} / {len(pages)}" in text and "Faktura VAT FV-2026-000001" in text
    text = "\n".join(pages)
    assert all(f"Pozycja {n} zażółć" in text for n in range(1, 81))
    assert "Do zapłaty: 800,00 PLN" in pages[-1] and "650.41" in pages[-1]  # the total; net at 23 %


def test_a_correction_of_many_lines_goes_on_over_pages_with_each_line_before_and_after():
    part = {"quantity": "2", "unit_price": "35.00", "net": "56.91", "vat": "13.09", "gross": "70.00"}
    after = {"quantity": "1", "unit_price": "35.00", "net": "28.46", "vat": "6.54", "gross": "35.00"}
    change = {"net": "-28.45", "vat": "-6.55", "gross": "-35.00"}
    lines = [
        {
            "position": n,
            "description": f"Kabel {n}",
            "vat_rate": "23",
            "before": part,
            "after": after,
            "difference": change,
        }
        for n in range(1, 41)
    ]
    rates = [{"vat_rate": "23", "before": part, "after": after, **change}]
    correction = _document(
        kind="correction",
        number="FK-2026-000001",
        corrects=_document(kind="invoice"),
        reason="Zwrot połowy",
        lines=lines,
        vat_breakdown=rates,
        total_gross=Decimal("-1400.00"),
    )
    with translation.override("en"):
        pages = _pages(documents.document_pdf(correction))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Description" in text and f"{number} / {len(pages)}" in text
    text = "\n".join(pages)
    assert all(f"Kabel {n}" in text for n in range(1, 41))
    assert text.count("before") >= 41 and text.count("-35.00") >= 41  # each line, and the rate's difference
    assert "Corrects VAT invoice FV-2026-000001 issued on 2026-11-27." in pages[0]
    assert "The amount due goes down by 1400.00 PLN" in pages[-1]
