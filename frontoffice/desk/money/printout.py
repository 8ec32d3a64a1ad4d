"""Receipts, invoices and correction invoices drawn straight to PDF (``core.pdf_drawing``).

Every sale ends with a printed receipt, so its layout is on the desk's busiest path: laid out from
``document_pdf.html`` with WeasyPrint it cost about 40 ms of CPU, a third of all the CPU a patient's
visit costs the server. Drawn here it costs a few. The content and its order are the templates'
(``desk/money/document_pdf.html``, ``correction_pdf.html``), which remain the layout for a document
whose text cannot be drawn (``pdf_drawing.drawable``: an Arabic or Chinese name, say).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.formats import localize
from django.utils.translation import gettext as _

from frontoffice.core import pdf_drawing as drawing

from ..models import SaleDocument
from .choices import DocumentKind

# The correction's table of lines is set a size smaller (``font-size: 0.9em`` in its template): nine columns.
SMALL_FONT_SIZE = drawing.FONT_SIZE * 0.9


def draw(document: SaleDocument, context: dict[str, Any]) -> bytes | None:
    """The document drawn as PDF, or None when its text cannot be drawn (lay it out from HTML then).
    ``context`` is the templates' (``documents.document_pdf``)."""
    correction = document.kind == DocumentKind.CORRECTION
    if not drawing.drawable(_texts(document, context, correction=correction)):
        return None
    title = f"{document.get_kind_display()} {document.number}"
    flowables = [*_heading(document, correction=correction), _parties(document)]
    flowables += _correction_body(document, context) if correction else _body(document, context)
    if context["exempt"]:
        flowables.append(drawing.paragraph(_("VAT exemption (zw): art. 43 (1) of the Polish VAT Act.")))
    return drawing.build(flowables, title=title, language=translation.get_language() or "", created=document.issued_at)


def _texts(document: SaleDocument, context: dict[str, Any], *, correction: bool) -> Iterator[str]:
    """Every text the document shows that a user typed or a translation gave."""
    yield from (document.number, document.seller_name, document.seller_address, document.buyer_name)
    yield from (document.buyer_address, document.reason, str(document.visit.number or ""), context["currency"])
    yield from (str(document.get_kind_display()), _("Correction invoice %(number)s"), _("Reason for the correction"))
    for line in context["lines"]:
        yield from (str(value) for value in line.values() if isinstance(value, str))
        if correction:
            yield from (str(value) for part in ("before", "after", "difference") for value in line[part].values())
    for row in context["breakdown"]:
        yield from (str(value) for value in row.values() if not isinstance(value, dict))
    for row in context["payments"]:
        yield from (str(row["label"]), str(row["amount"]))
    yield from _labels()


def _labels() -> Iterator[str]:
    yield from (
        _("Date of issue"), _("Date of sale"), _("Visit"), _("Seller"), _("Buyer"), _("NIP"), _("Description"),
        _("Quantity"), _("Unit price (gross)"), _("VAT rate"), _("Gross"), _("VAT by rate"), _("Net"), _("VAT"),
        _("Total"), _("Total due"), _("Payment method"), _("before"), _("after"), _("difference"),
        _("Total difference"), _("VAT exemption (zw): art. 43 (1) of the Polish VAT Act."),
    )  # fmt: skip


def _heading(document: SaleDocument, *, correction: bool) -> list[Any]:
    number = document.number
    if correction:
        title = _("Correction invoice %(number)s") % {"number": number}
    elif document.kind == DocumentKind.INVOICE:
        title = _("VAT invoice %(number)s") % {"number": number}
    else:
        title = _("Receipt %(number)s") % {"number": number}
    dates = (
        f"{_('Date of issue')}: {date_filter(document.issued_at, 'Y-m-d')} · "
        f"{_('Date of sale')}: {date_filter(document.sale_date, 'Y-m-d')} · {_('Visit')}: {document.visit.number}"
    )
    flowables = [drawing.paragraph(title, "h1"), drawing.paragraph(dates)]
    if correction:
        corrected = document.corrects
        flowables.append(
            drawing.paragraph(
                _("Corrects VAT invoice %(number)s issued on %(date)s.")
                % {"number": corrected.number, "date": date_filter(corrected.issued_at, "Y-m-d")}
            )
        )
        flowables.append(drawing.paragraph(f"{_('Reason for the correction')}: {document.reason}"))
    return flowables


def _parties(document: SaleDocument) -> Any:
    seller = [document.seller_name, document.seller_address]
    if document.seller_nip:
        seller.append(f"{_('NIP')}: {document.seller_nip}")
    buyer = [document.buyer_name or "—"]
    if document.buyer_address:
        buyer.append(document.buyer_address)
    if document.buyer_nip:
        buyer.append(f"{_('NIP')}: {document.buyer_nip}")
    return drawing.columns(
        [*drawing.heading(_("Seller"), first=True), drawing.paragraph("\n".join(seller))],
        [*drawing.heading(_("Buyer"), first=True), drawing.paragraph("\n".join(buyer))],
        space=drawing.FONT_SIZE,  # 1em above and below, as in the template
    )


def _cell(text: object, size: float | None = None) -> Any:
    """A text cell that wraps (a description or a rate label may be longer than its column)."""
    return drawing.paragraph(text, "cell", size=size)


def _rate(label: object, size: float | None = None) -> Any:
    """A rate label in a right-aligned column: it wraps too ("zwolniony (zw)")."""
    return drawing.paragraph(label, "cell-number", size=size)


def _body(document: SaleDocument, context: dict[str, Any]) -> list[Any]:
    lines = [
        ["#", _("Description"), _("Quantity"), _("Unit price (gross)"), _("VAT rate"), _("Gross")],
        *(
            [
                str(number),
                _cell(line["description"]),
                line["quantity"],
                line["unit_price"],
                _rate(line["rate_label"]),
                line["gross"],
            ]
            for number, line in enumerate(context["lines"], start=1)
        ),
    ]
    currency = context["currency"]
    rates = [
        [_("VAT rate"), _("Net"), _("VAT"), _("Gross")],
        *([_cell(row["rate_label"]), row["net"], row["vat"], row["gross"]] for row in context["breakdown"]),
        [f"{_('Total')} ({currency})", *(localize(value) for value in _totals(document))],
    ]
    flowables = [
        # Widths fit the longest header word and rate label of either language ("jednostkowa", "zwolniony").
        drawing.table(lines, [0.05, None, 0.12, 0.16, 0.13, 0.14], numeric=range(2, 6)),
        *drawing.heading(_("VAT by rate")),
        drawing.table(rates, [None, 0.22, 0.22, 0.22], numeric=range(1, 4), bold_rows=[-1]),
        drawing.paragraph(f"{_('Total due')}: {localize(document.total_gross)} {currency}", "bold"),
    ]
    if context["payments"]:
        paid = ", ".join(f"{row['label']} {row['amount']}" for row in context["payments"])
        flowables.append(drawing.paragraph(f"{_('Payment method')}: {paid}"))
    return flowables


def _totals(document: SaleDocument) -> tuple[Any, Any, Any]:
    return document.total_net, document.total_vat, document.total_gross


def _correction_body(document: SaleDocument, context: dict[str, Any]) -> list[Any]:
    before, after, difference = _("before"), _("after"), _("difference")
    labels = ("#", _("Description"), "", _("Quantity"), _("Unit price (gross)"), _("VAT rate"), _("Net"), _("VAT"))
    lines: list[list[Any]] = [[*labels, _("Gross")]]
    spans, bold_rows = [], []
    for line in context["lines"]:
        top = len(lines)
        was, now, change = line["before"], line["after"], line["difference"]
        lines.append(
            [
                str(line["position"]),
                _cell(line["description"], SMALL_FONT_SIZE),
                before,
                was["quantity"],
                was["unit_price"],
                _rate(line["rate_label"], SMALL_FONT_SIZE),
                was["net"],
                was["vat"],
                was["gross"],
            ]
        )
        lines.append(["", "", after, now["quantity"], now["unit_price"], "", now["net"], now["vat"], now["gross"]])
        lines.append(["", "", difference, "", "", "", change["net"], change["vat"], change["gross"]])
        spans += [((column, top), (column, top + 2)) for column in (0, 1, 5)]
        bold_rows.append(top + 2)
    rates: list[list[Any]] = [[_("VAT rate"), "", _("Net"), _("VAT"), _("Gross")]]
    rate_spans, rate_bold = [], []
    for row in context["breakdown"]:
        top = len(rates)
        was, now = row["before"], row["after"]
        rates.append([_cell(row["rate_label"]), before, was["net"], was["vat"], was["gross"]])
        rates.append(["", after, now["net"], now["vat"], now["gross"]])
        rates.append(["", difference, row["net"], row["vat"], row["gross"]])
        rate_spans.append(((0, top), (0, top + 2)))
        rate_bold.append(top + 2)
    currency = context["currency"]
    rates.append([f"{_('Total difference')} ({currency})", "", *(localize(value) for value in _totals(document))])
    rate_spans.append(((0, len(rates) - 1), (1, len(rates) - 1)))
    rate_bold.append(len(rates) - 1)
    if document.total_gross < 0:
        due = _("The amount due goes down by %(amount)s %(currency)s; what was paid above it is given back separately.")
    else:
        due = _("The amount due goes up by %(amount)s %(currency)s.")
    return [
        drawing.table(
            lines,
            # Nine columns: narrower padding, and widths that fit the longest word of either language.
            [0.04, None, 0.13, 0.1, 0.14, 0.11, 0.09, 0.09, 0.09],
            numeric=[3, 4, 5, 6, 7, 8],
            bold_rows=bold_rows,
            spans=spans,
            size=SMALL_FONT_SIZE,
            padding=1 * drawing.MM,
        ),
        *drawing.heading(_("VAT by rate")),
        drawing.table(
            rates, [None, 0.16, 0.18, 0.18, 0.18], numeric=range(2, 5), bold_rows=rate_bold, spans=rate_spans
        ),
        drawing.paragraph(due % {"amount": floatformat(context["change"], 2), "currency": currency}, "bold"),
    ]
