"""Reads of money: a visit's folio and balance, refunds waiting for approval, drawer sessions.

Money is Decimal throughout and every amount is gross, in the organisation's currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils.functional import Promise

from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Organisation
from frontoffice.core.scoping import scope_queryset

from .. import workflow
from ..choices import VisitStatus
from ..models import (
    Charge,
    DrawerSession,
    MoneySettings,
    Payment,
    Refund,
    SaleDocument,
    Visit,
    VisitBilling,
    VisitLine,
)
from ..pricing import line_totals
from .choices import ChargeKind, DocumentKind, PaymentMethod, RefundStatus

ZERO = Decimal("0.00")
# A clinic visit or a stay is charged once it is under way; before that, payments are deposits.
CHARGED_FROM: dict[str, str] = {BusinessKind.CLINIC: VisitStatus.ARRIVED, BusinessKind.HOTEL: VisitStatus.CHECKED_IN}
NOTHING_CHARGED = frozenset({VisitStatus.CANCELLED, VisitStatus.NO_SHOW})


def _sum(queryset: QuerySet[Any], field_name: str) -> Decimal:
    # SQLite sums decimals as floats' text; money is always whole grosze.
    return (queryset.aggregate(total=Sum(field_name))["total"] or ZERO).quantize(ZERO)


@dataclass(frozen=True)
class DefaultCharge:
    """What the desk charges a clinic visit or a stay from its visit type (not yet posted, or posted)."""

    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: str

    @property
    def gross(self) -> Decimal:
        return line_totals(quantity=self.quantity, unit_price=self.unit_price, vat_rate=self.vat_rate).gross


def default_charge(visit: Visit) -> DefaultCharge | None:
    """The visit type's price (clinic), or nights × the type's nightly price (hotel); None for a sale."""
    visit_type = visit.visit_type
    if visit.vertical == BusinessKind.CLINIC:
        return DefaultCharge(ChargeKind.SERVICE, visit_type.name, Decimal(1), visit_type.price, visit_type.vat_rate)
    if visit.vertical == BusinessKind.HOTEL and visit.arrival_date and visit.departure_date:
        nights = (visit.departure_date - visit.arrival_date).days
        return DefaultCharge(ChargeKind.NIGHTS, visit_type.name, Decimal(nights), visit_type.price, visit_type.vat_rate)
    return None


def is_under_way(visit: Visit) -> bool:
    """Past the status from which the visit is charged (every sale is)."""
    start = CHARGED_FROM.get(visit.vertical)
    if start is None:
        return True
    return visit.status not in (workflow.INITIAL[visit.vertical], *NOTHING_CHARGED)


@dataclass
class Folio:
    """A visit's money: what it charges, what was paid and given back, and what is still due."""

    charges: Decimal = ZERO  # posted: line items and charges that are not void, plus corrections
    corrections: Decimal = ZERO  # what correction invoices changed (below zero: lowered)
    expected: Decimal = ZERO  # charges plus the default charge not posted yet (what a deposit may cover)
    paid: Decimal = ZERO
    refunded: Decimal = ZERO  # approved refunds
    pending_refunds: Decimal = ZERO
    deposits: Decimal = ZERO
    by_method: dict[str, Decimal] = field(default_factory=dict)

    @property
    def balance(self) -> Decimal:
        """Charges − payments + refunds: above zero the client owes, below zero the desk owes the client."""
        return self.charges - self.paid + self.refunded

    @property
    def outstanding(self) -> Decimal:
        """What may still be paid: the expected total less what was kept (paid − refunded)."""
        return max(self.expected - self.paid + self.refunded, ZERO)

    @property
    def refundable(self) -> Decimal:
        """Paid and not yet given back or asked back."""
        return max(self.paid - self.refunded - self.pending_refunds, ZERO)

    @property
    def is_settled(self) -> bool:
        return self.expected - self.paid + self.refunded <= 0


def _money(value: Decimal | float | int | None) -> Decimal:
    # SQLite sums decimals as floats; money is always whole grosze.
    return Decimal(str(value or 0)).quantize(ZERO)


def _folio_sql() -> str:
    """Every figure of a folio in one UNION ALL of small aggregates, each answered by a ``visit_id`` index.

    Plain SQL on purpose: it is the hottest read of the desk (every payment, check-in guard and money
    page asks for it), and the ORM spent more CPU compiling the same figures as a dozen subqueries
    than the database spent answering them.
    """
    line, charge = VisitLine._meta.db_table, Charge._meta.db_table
    document, payment, refund = SaleDocument._meta.db_table, Payment._meta.db_table, Refund._meta.db_table
    # Table names come from the models; every value is a parameter.
    return (
        f"SELECT 'lines', '', SUM(total_gross) FROM {line} WHERE visit_id = %(visit)s"  # noqa: S608
        f" UNION ALL SELECT 'posted', '', SUM(total_gross) FROM {charge}"
        f" WHERE visit_id = %(visit)s AND voided_at IS NULL"
        f" UNION ALL SELECT 'kind', kind, COUNT(*) FROM {charge} WHERE visit_id = %(visit)s GROUP BY kind"
        f" UNION ALL SELECT 'corrected', '', SUM(total_gross) FROM {document}"
        f" WHERE visit_id = %(visit)s AND kind = %(correction)s"
        f" UNION ALL SELECT 'paid', method, SUM(amount) FROM {payment} WHERE visit_id = %(visit)s GROUP BY method"
        f" UNION ALL SELECT 'deposits', '', SUM(amount) FROM {payment} WHERE visit_id = %(visit)s AND is_deposit"
        f" UNION ALL SELECT 'refund', status, SUM(amount) FROM {refund} WHERE visit_id = %(visit)s GROUP BY status"
    )


def folio(visit: Visit) -> Folio:
    """The balance of one visit, read in a single query."""
    figures: dict[str, Decimal] = {}
    kinds: set[str] = set()
    paid: dict[str, Decimal] = {}
    refunds: dict[str, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(_folio_sql(), {"visit": visit.pk, "correction": DocumentKind.CORRECTION})
        for figure, key, value in cursor.fetchall():
            if figure == "kind":
                kinds.add(key)
            elif figure == "paid":
                paid[key] = _money(value)
            elif figure == "refund":
                refunds[key] = _money(value)
            else:
                figures[figure] = _money(value)
    lines, posted, corrected = figures["lines"], figures["posted"], figures["corrected"]
    if visit.status == VisitStatus.RETURNED:
        # The sale was taken back: what was paid is owed back to the client.
        lines = posted = corrected = ZERO
    result = Folio(charges=lines + posted + corrected, corrections=corrected)
    result.expected = result.charges
    default = default_charge(visit)
    if default is not None and visit.status not in NOTHING_CHARGED and default.kind not in kinds:
        # Not posted yet: due once the visit is under way (visits from before payments existed), and
        # before that the most a deposit may cover.
        result.expected += default.gross
        if is_under_way(visit):
            result.charges += default.gross
    result.by_method = {method: amount for method, amount in sorted(paid.items()) if amount}
    result.paid = sum(paid.values(), ZERO)
    result.deposits = figures["deposits"]
    result.refunded = refunds.get(RefundStatus.APPROVED, ZERO)
    result.pending_refunds = refunds.get(RefundStatus.PENDING, ZERO)
    return result


def visit_billing(visit: Visit) -> VisitBilling | None:
    """How the visit is paid (coverage with its copay, or self-pay), if an eligibility check or arrival said so."""
    return VisitBilling.objects.filter(visit=visit).select_related("coverage__payer").first()


def suggested_amount(current: Folio, billing: VisitBilling | None) -> Decimal | None:
    """The amount the payment form offers: what is due, or a covered visit's copay while nothing is paid yet.

    The client pays the copay at the desk; the payer's share is recorded separately (method "insurer").
    """
    due = current.outstanding
    if due <= 0:
        return None
    if billing is not None and not billing.is_self_pay and billing.copay and current.paid == 0:
        return min(billing.copay, due)
    return due


def _balances_sql(count: int) -> str:
    """The day page's figures per visit, as ``_folio_sql`` does for one visit (and for the same reason)."""
    ids = ", ".join(["%s"] * count)
    line, charge = VisitLine._meta.db_table, Charge._meta.db_table
    document, payment, refund = SaleDocument._meta.db_table, Payment._meta.db_table, Refund._meta.db_table
    in_visits = f"WHERE visit_id IN ({ids})"
    return (
        f"SELECT 'lines', visit_id, '', SUM(total_gross) FROM {line} {in_visits} GROUP BY visit_id"  # noqa: S608
        f" UNION ALL SELECT 'posted', visit_id, '', SUM(total_gross) FROM {charge}"
        f" {in_visits} AND voided_at IS NULL GROUP BY visit_id"
        f" UNION ALL SELECT 'kind', visit_id, kind, COUNT(*) FROM {charge} {in_visits} GROUP BY visit_id, kind"
        f" UNION ALL SELECT 'corrected', visit_id, '', SUM(total_gross) FROM {document}"
        f" {in_visits} AND kind = %s GROUP BY visit_id"
        f" UNION ALL SELECT 'paid', visit_id, '', SUM(amount) FROM {payment} {in_visits} GROUP BY visit_id"
        f" UNION ALL SELECT 'refunded', visit_id, '', SUM(amount) FROM {refund}"
        f" {in_visits} AND status = %s GROUP BY visit_id"
    )


def balances(visits: Iterable[Visit]) -> dict[int, Decimal]:
    """``folio(visit).balance`` of many visits in one query, for the day page."""
    visits = list(visits)
    ids = [visit.pk for visit in visits]
    if not ids:
        return {}
    params: list[int | str] = [*ids, *ids, *ids, *ids, DocumentKind.CORRECTION, *ids, *ids, RefundStatus.APPROVED]
    figures: dict[tuple[str, int], Decimal] = {}
    kinds: set[tuple[int, str]] = set()
    with connection.cursor() as cursor:
        cursor.execute(_balances_sql(len(ids)), params)
        for figure, visit_id, kind, value in cursor.fetchall():
            if figure == "kind":
                kinds.add((visit_id, kind))
            else:
                figures[(figure, visit_id)] = _money(value)
    result = {}
    for visit in visits:
        charges = sum((figures.get((name, visit.pk), ZERO) for name in ("lines", "posted", "corrected")), ZERO)
        default = default_charge(visit)
        if default is not None and is_under_way(visit) and (visit.pk, default.kind) not in kinds:
            charges += default.gross
        if visit.status == VisitStatus.RETURNED:
            charges = ZERO
        paid, refunded = figures.get(("paid", visit.pk), ZERO), figures.get(("refunded", visit.pk), ZERO)
        result[visit.pk] = charges - paid + refunded
    return result


# --- lists ------------------------------------------------------------------------------------------


def money_settings(organisation: Organisation) -> MoneySettings:
    """The organisation's settings; an unsaved default row when none was saved yet."""
    found = MoneySettings.objects.filter(organisation=organisation).first()
    return found or MoneySettings(organisation=organisation)


def payments_of(visit: Visit) -> QuerySet[Payment]:
    return Payment.objects.filter(visit=visit).select_related("taken_by").order_by("taken_at", "pk")


def refunds_of(visit: Visit) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(visit=visit).select_related("requested_by", "decided_by").order_by("requested_at", "pk")
    )


def charges_of(visit: Visit) -> QuerySet[Charge]:
    return Charge.objects.filter(visit=visit).select_related("created_by", "voided_by").order_by("created_at", "pk")


def documents_of(visit: Visit) -> QuerySet[SaleDocument]:
    """The visit's receipt, invoice and correction invoices, in the order they were issued."""
    return SaleDocument.objects.filter(visit=visit).select_related("corrects").order_by("issued_at", "pk")


def charge_get(*, visit: Visit, pk: int) -> Charge:
    """A charge of ``visit`` (which the caller has already fetched through a scoped selector)."""
    try:
        return Charge.objects.select_related("created_by", "voided_by").get(visit=visit, pk=pk)
    except (Charge.DoesNotExist, ValueError):
        raise Http404 from None


def refund_queryset(*, user: Any) -> QuerySet[Refund]:
    return scope_queryset(Refund.objects.all(), user).select_related(
        "visit__client", "branch", "requested_by", "decided_by"
    )


def refund_list(*, user: Any, status: str = RefundStatus.PENDING) -> QuerySet[Refund]:
    refunds = refund_queryset(user=user)
    if status:
        refunds = refunds.filter(status=status)
    return refunds.order_by("-requested_at", "-pk")


def refund_get(*, user: Any, pk: int) -> Refund:
    try:
        return refund_queryset(user=user).get(pk=pk)
    except (Refund.DoesNotExist, ValueError):
        raise Http404 from None


def open_drawer(*, user: Any) -> DrawerSession | None:
    """The user's open cash drawer session, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return DrawerSession.objects.filter(clerk=user, closed_at__isnull=True).select_related("branch").first()


def drawer_queryset(*, user: Any) -> QuerySet[DrawerSession]:
    return scope_queryset(DrawerSession.objects.all(), user).select_related("branch", "clerk")


def drawer_list(*, user: Any, discrepancies_only: bool = False, own_only: bool = False) -> QuerySet[DrawerSession]:
    sessions = drawer_queryset(user=user)
    if own_only:
        sessions = sessions.filter(clerk=user)
    if discrepancies_only:
        sessions = sessions.filter(closed_at__isnull=False).exclude(discrepancy=0)
    return sessions.order_by("-opened_at", "-pk")


def drawer_get(*, user: Any, pk: int, own_only: bool = False) -> DrawerSession:
    try:
        return drawer_list(user=user, own_only=own_only).get(pk=pk)
    except (DrawerSession.DoesNotExist, ValueError):
        raise Http404 from None


def drawer_expected(session: DrawerSession) -> Decimal:
    """Float + cash taken − approved cash refunds paid out of this drawer."""
    cash_in = _sum(session.payments.filter(method=PaymentMethod.CASH), "amount")
    cash_out = _sum(session.refunds.filter(method=PaymentMethod.CASH, status=RefundStatus.APPROVED), "amount")
    return session.opening_float + cash_in - cash_out


@dataclass(frozen=True)
class DrawerSummary:
    """What the handover log shows of a closed (or open) drawer."""

    session_id: int
    clerk: str
    branch: str
    opened_at: datetime
    closed_at: datetime | None
    opening_float: Decimal
    cash_in: Decimal
    cash_out: Decimal
    expected: Decimal
    counted: Decimal | None
    discrepancy: Decimal | None
    payments: int
    refunds: int
    by_method: dict[str, Decimal]
    note: str


def drawer_close_summary(session: DrawerSession) -> DrawerSummary:
    """The close summary of a drawer session, for the shift handover log (and the drawer pages)."""
    by_method: dict[str, Decimal] = {}
    payments = 0
    for method, amount in session.payments.values_list("method", "amount"):
        by_method[method] = by_method.get(method, ZERO) + amount
        payments += 1
    approved_cash = session.refunds.filter(method=PaymentMethod.CASH, status=RefundStatus.APPROVED)
    cash_out = _sum(approved_cash, "amount")
    cash_in = by_method.get(PaymentMethod.CASH, ZERO)
    clerk = session.clerk
    return DrawerSummary(
        session_id=session.pk,
        clerk=clerk.get_full_name() or clerk.get_username(),
        branch=session.branch.name,
        opened_at=session.opened_at,
        closed_at=session.closed_at,
        opening_float=session.opening_float,
        cash_in=cash_in,
        cash_out=cash_out,
        expected=session.expected_amount if session.expected_amount is not None else drawer_expected(session),
        counted=session.counted_amount,
        discrepancy=session.discrepancy,
        payments=payments,
        refunds=session.refunds.exclude(status=RefundStatus.REJECTED).count(),
        by_method=by_method,
        note=session.close_note,
    )


def document_queryset(*, user: Any) -> QuerySet[SaleDocument]:
    return scope_queryset(SaleDocument.objects.all(), user)


def document_get(*, user: Any, pk: int) -> SaleDocument:
    try:
        return document_queryset(user=user).select_related("visit").get(pk=pk)
    except (SaleDocument.DoesNotExist, ValueError):
        raise Http404 from None


def document_of(visit: Visit, kind: str) -> SaleDocument | None:
    document = SaleDocument.objects.filter(visit=visit, kind=kind).first()
    if document is not None:
        # The visit in hand is the document's: its printed copy names the visit without reading it again.
        document.visit = visit
    return document


# --- what a document covers, corrections and early departures ------------------------------------------


def covers(document: SaleDocument, charge: Charge) -> bool:
    """Whether ``document`` lists ``charge``. Documents name the source of each line; older ones, which do
    not, cover every charge posted before they were issued."""
    sources = [line.get("source") for line in document.lines]
    if any(sources):
        return f"charge:{charge.pk}" in sources
    return document.issued_at >= charge.created_at


def covering_document(charge: Charge) -> SaleDocument | None:
    """The receipt or invoice that lists ``charge``, if one was issued."""
    issued = SaleDocument.objects.filter(visit_id=charge.visit_id).exclude(kind=DocumentKind.CORRECTION)
    return next((document for document in issued.order_by("issued_at", "pk") if covers(document, charge)), None)


def takes_charges(visit: Visit) -> bool:
    """Whether charges may still be added to (or voided on) the visit: not closed, and a sale only while open."""
    if workflow.is_final(visit.vertical, visit.status) and visit.status != VisitStatus.FINISHED:
        return False
    return visit.vertical not in (BusinessKind.RETAIL, BusinessKind.OFFICE) or visit.status == VisitStatus.OPEN


def voidable_charge_ids(visit: Visit, charges: Iterable[Charge], documents: Iterable[SaleDocument]) -> set[int]:
    """Which of the visit's charges a clerk may still void (extras that count, no receipt or invoice lists
    them, the visit still takes charges); read from lists already fetched, so no query per charge."""
    if not takes_charges(visit):
        return set()
    issued = [document for document in documents if document.kind != DocumentKind.CORRECTION]
    return {
        charge.pk
        for charge in charges
        if charge.kind == ChargeKind.EXTRA
        and charge.voided_at is None
        and not any(covers(document, charge) for document in issued)
    }


def invoice_lines_now(invoice: SaleDocument) -> list[dict[str, str]]:
    """The invoice's lines as its corrections left them, each with its 1-based ``position`` on the invoice."""
    lines = [{**line, "position": str(number)} for number, line in enumerate(invoice.lines, start=1)]
    for correction in SaleDocument.objects.filter(corrects=invoice).order_by("issued_at", "pk"):
        for corrected in correction.lines:
            now = lines[int(corrected["position"]) - 1]
            after = corrected["after"]
            now.update(quantity=after["quantity"], unit_price=after["unit_price"], gross=after["gross"])
    return lines


def corrections_of(invoice: SaleDocument) -> QuerySet[SaleDocument]:
    return SaleDocument.objects.filter(corrects=invoice).order_by("issued_at", "pk")


@dataclass(frozen=True)
class EarlyDeparture:
    """A checked-in guest leaving before the departure date: the nights charged and the nights stayed."""

    charge: Charge | None  # the nights charge that counts (None: not posted, as on stays from before payments)
    booked: int
    stayed: int
    unit_price: Decimal
    vat_rate: str
    description: str
    invoice: SaleDocument | None  # the invoice that lists the nights, while its corrections still say otherwise
    corrected: bool  # an invoice listed the nights and a correction already brought them to the nights stayed
    fee: Decimal  # the organisation's early departure fee (zero: none)

    @property
    def new_gross(self) -> Decimal:
        return line_totals(quantity=Decimal(self.stayed), unit_price=self.unit_price, vat_rate=self.vat_rate).gross

    @property
    def difference(self) -> Decimal:
        """What the folio changes by once the nights stayed replace the nights booked (below zero)."""
        if self.corrected:
            return ZERO
        old = line_totals(quantity=Decimal(self.booked), unit_price=self.unit_price, vat_rate=self.vat_rate).gross
        return self.new_gross - old

    @property
    def due_change(self) -> Decimal:
        """What the amount due changes by at the check-out: the nights not stayed off, the fee on."""
        return self.difference + self.fee


def _nights_on(invoice: SaleDocument, charge: Charge) -> Decimal | None:
    """How many nights ``invoice`` (with its corrections) still bills for ``charge``."""
    for line in invoice_lines_now(invoice):
        if line.get("source") == f"charge:{charge.pk}" or (
            "source" not in line
            and line["description"] == charge.description
            and Decimal(line["unit_price"]) == charge.unit_price
        ):
            return Decimal(line["quantity"])
    return None


def early_departure(visit: Visit, today: date) -> EarlyDeparture | None:
    """What an early check-out on ``today`` changes in the nights charged (None: nothing to change).

    The nights stayed run from the arrival to ``today``, at least one. The price is the one charged at
    check-in (not the visit type's price of today).
    """
    if visit.vertical != BusinessKind.HOTEL or not visit.arrival_date or not visit.departure_date:
        return None
    if today >= visit.departure_date:
        return None
    stayed = max((today - visit.arrival_date).days, 1)
    charge = Charge.objects.filter(visit=visit, kind=ChargeKind.NIGHTS, voided_at__isnull=True).first()
    if charge is not None:
        booked, price, rate, description = int(charge.quantity), charge.unit_price, charge.vat_rate, charge.description
    elif Charge.objects.filter(visit=visit, kind=ChargeKind.NIGHTS).exists():
        return None  # the nights were voided (a cancelled stay): nothing is charged
    else:
        default = default_charge(visit)
        assert default is not None
        booked, price, rate, description = (
            int(default.quantity),
            default.unit_price,
            default.vat_rate,
            default.description,
        )
    if stayed >= booked:
        return None
    invoice, corrected = None, False
    document = covering_document(charge) if charge is not None else None
    if document is not None and document.kind == DocumentKind.INVOICE:
        assert charge is not None
        if _nights_on(document, charge) == stayed:
            corrected = True
        else:
            invoice = document
    fee = money_settings(visit.organisation).early_departure_fee or ZERO
    return EarlyDeparture(charge, booked, stayed, price, rate, description, invoice, corrected, fee)


def drawer_handover_block(context: Any) -> Any:
    """The shift handover's cash-drawer block: every drawer of the branch closed since the previous
    handover, with its counted amount and discrepancy (``handover_summaries`` stores it on the handover)."""
    from django.utils.translation import gettext as _

    from ..handover_summaries import SummaryBlock

    closed = DrawerSession.objects.filter(
        branch=context.branch, closed_at__isnull=False, closed_at__lte=context.until
    ).select_related("clerk", "branch")
    if context.since is not None:
        closed = closed.filter(closed_at__gt=context.since)
    lines: list[tuple[str | Promise, str | Promise]] = []
    short = False
    for session in closed.order_by("closed_at"):
        summary = drawer_close_summary(session)
        short = short or bool(summary.discrepancy)
        lines.append(
            (
                summary.clerk,
                _("expected %(expected)s, counted %(counted)s, difference %(difference)s")
                % {"expected": summary.expected, "counted": summary.counted, "difference": summary.discrepancy},
            )
        )
    if not lines:
        return None
    return SummaryBlock(title=_("Cash drawers closed"), lines=lines, tone="warn" if short else "")
