"""Every write of money at the desk: charges, payments, refunds and their approval, cash drawers,
receipts and invoices, and the organisation's money settings.

Each function is keyword-only and atomic, locks the visit (or drawer, or refund) it changes, and
writes its audit entry in the same transaction. Amounts are Decimal, gross, in the organisation's
currency. A ``token`` (the hidden field of a form, or the API's Idempotency-Key) makes a repeated
submit return the first record instead of storing a second one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from frontoffice.accounts.choices import Role
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.choices import BusinessKind
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.numbering import next_number

from .. import workflow
from ..choices import VatRate, VisitStatus
from ..models import Charge, DrawerSession, MoneySettings, Payment, Refund, SaleDocument, Visit
from ..pricing import line_totals
from . import documents
from .choices import ChargeKind, DocumentKind, PaymentMethod, RefundStatus
from .fiscal import fiscal_printer, is_fiscal
from .roles import ROLE_RANK
from .selectors import (
    NOTHING_CHARGED,
    ZERO,
    default_charge,
    drawer_expected,
    folio,
    is_under_way,
    money_settings,
    open_drawer,
)

RECEIPT_PREFIX = "PAR"
INVOICE_PREFIX = "FV"
SETTINGS_FIELDS = ("seller_name", "seller_nip", "seller_street", "seller_postal_code", "seller_city", "approval_ladder")


def _money(value: Decimal) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def _amount(value: Any, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """A positive (or, with ``allow_zero``, non-negative) amount with at most two decimals, or a field error
    that says what is wrong."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount, e.g. 120.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount, e.g. 120.50.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount above zero; a negative amount is not accepted.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Amounts have at most two decimal places (grosze).")})
    return amount.quantize(Decimal("0.01"))


def _locked_visit(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("organisation", "branch", "visit_type", "client")
        .get(pk=visit.pk)
    )


def _audit(actor: Any, action: str, target: Any, visit: Visit, summary: str, data: dict[str, Any]) -> None:
    audit(
        actor=actor,
        action=action,
        target=target,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=summary,
        data=data,
    )


# --- settings -------------------------------------------------------------------------------------


@transaction.atomic
def money_settings_update(
    *, organisation: Organisation, actor: Any, expected_version: int | None, **changes: Any
) -> MoneySettings:
    """Save the seller's details and the approval ladder; a stale version is refused."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"money_settings_update() got unknown fields: {sorted(unknown)}")
    current, _created = MoneySettings.objects.select_for_update().get_or_create(organisation=organisation)
    if not _created:
        check_version(current, expected_version)
    if "seller_nip" in changes:
        changes["seller_nip"] = "".join(ch for ch in changes["seller_nip"] if ch.isdigit()) or changes["seller_nip"]
    if "approval_ladder" in changes:
        changes["approval_ladder"] = sorted(changes["approval_ladder"], key=lambda step: Decimal(str(step["above"])))
    for name, value in changes.items():
        setattr(current, name, value)
    bump_version(current, user=actor)
    current.full_clean()
    current.save()
    audit(
        actor=actor,
        action="money_settings.update",
        target=current,
        organisation=organisation,
        summary=_("Money settings"),
        data={"changed": sorted(changes)},
    )
    return current


# --- charges --------------------------------------------------------------------------------------


def _post_default(visit: Visit, actor: Any) -> Charge | None:
    """Post the visit type's charge (clinic) or the nights (hotel) once; the visit must be locked."""
    default = default_charge(visit)
    if default is None or visit.status in NOTHING_CHARGED:
        return None
    if Charge.objects.filter(visit=visit, kind=default.kind).exists():
        return None
    charge = Charge(
        visit=visit,
        kind=default.kind,
        description=default.description,
        quantity=default.quantity,
        unit_price=default.unit_price,
        vat_rate=default.vat_rate,
        created_by=signed_in_user(actor),
    )
    _price(charge)
    charge.save()
    _audit(
        actor,
        "charge.post",
        visit,
        visit,
        f"{visit.number}: {charge.description} {charge.total_gross}",
        {"charge": charge.pk, "kind": charge.kind, "gross": str(charge.total_gross)},
    )
    return charge


def _price(charge: Charge) -> None:
    totals = line_totals(quantity=charge.quantity, unit_price=charge.unit_price, vat_rate=charge.vat_rate)
    charge.total_net, charge.total_vat, charge.total_gross = totals.net, totals.vat, totals.gross


def post_default_charges(visit: Visit, to_status: str, actor: Any) -> None:
    """After a patient arrives or a guest checks in: charge the visit type (or the nights)."""
    _post_default(visit, actor)


def void_default_charges(visit: Visit, to_status: str, actor: Any) -> None:
    """After a cancellation or no-show: the desk's own charges no longer count (extras stay)."""
    voided = Charge.objects.filter(visit=visit, voided_at__isnull=True).exclude(kind=ChargeKind.EXTRA)
    if voided.update(voided_at=timezone.now()):
        _audit(actor, "charge.void", visit, visit, f"{visit.number}: {to_status}", {"to": to_status})


@transaction.atomic
def charge_add(
    *,
    visit: Visit,
    actor: Any,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: str = VatRate.STANDARD,
) -> Charge:
    """An extra charge on a visit or a folio (minibar, parking, a certificate)."""
    visit = _locked_visit(visit)
    if workflow.is_final(visit.vertical, visit.status) and visit.status != VisitStatus.FINISHED:
        raise ValidationError(_("This visit is closed; charges can no longer be added."))
    if visit.vertical in (BusinessKind.RETAIL, BusinessKind.OFFICE) and visit.status != VisitStatus.OPEN:
        raise ValidationError(_("A sale is charged through its line items while it is open."))
    try:
        price = Decimal(str(unit_price))
        qty = Decimal(str(quantity))
    except InvalidOperation:
        raise ValidationError(_("Enter numbers for the quantity and the price.")) from None
    if price < 0:
        raise ValidationError({"unit_price": _("Enter a price of zero or more; a negative amount is not accepted.")})
    if qty <= 0:
        raise ValidationError({"quantity": _("Enter a quantity above zero.")})
    charge = Charge(
        visit=visit,
        kind=ChargeKind.EXTRA,
        description=description.strip(),
        quantity=qty,
        unit_price=price,
        vat_rate=vat_rate,
        created_by=signed_in_user(actor),
    )
    charge.full_clean(exclude=["total_net", "total_vat", "total_gross"])
    _price(charge)
    charge.save()
    _audit(
        actor,
        "charge.add",
        visit,
        visit,
        f"{visit.number}: {charge.description} {charge.total_gross}",
        {"charge": charge.pk, "gross": str(charge.total_gross)},
    )
    return charge


# --- drawers --------------------------------------------------------------------------------------


def _drawer_for_cash(actor: Any, visit: Visit) -> DrawerSession:
    session = open_drawer(user=actor)
    if session is None:
        raise ValidationError(
            {"method": _("Open your cash drawer before taking or giving back cash (Cash drawer, Open).")}
        )
    if session.branch_id != visit.branch_id:
        raise ValidationError(
            {
                "method": _("Your open cash drawer is at %(drawer)s; this visit is at %(branch)s.")
                % {"drawer": session.branch.name, "branch": visit.branch.name}
            }
        )
    return session


@transaction.atomic
def drawer_open(*, branch: Branch, actor: Any, opening_float: Any) -> DrawerSession:
    """Open the clerk's cash drawer with the float counted into it."""
    amount = _amount(opening_float, "opening_float", allow_zero=True)
    if open_drawer(user=actor) is not None:
        raise ValidationError(_("You already have an open cash drawer; close it first."))
    if not branch.is_active:
        raise ValidationError(_("This branch is closed for good."))
    session = DrawerSession(
        organisation=branch.organisation, branch=branch, clerk=actor, opened_at=timezone.now(), opening_float=amount
    )
    session.full_clean()
    session.save()
    audit(
        actor=actor,
        action="drawer.open",
        target=session,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Cash drawer opened with %(amount)s") % {"amount": _money(amount)},
        data={"float": str(amount)},
    )
    return session


@transaction.atomic
def drawer_close(*, session: DrawerSession, actor: Any, counted_amount: Any, note: str = "") -> DrawerSession:
    """Close the drawer with the cash counted in it; the difference from what is expected is recorded."""
    session = DrawerSession.objects.select_for_update().select_related("branch", "organisation").get(pk=session.pk)
    if session.closed_at is not None:
        raise ValidationError(_("This cash drawer is already closed."))
    if session.clerk_id != actor.pk:
        raise ValidationError(_("Only the clerk who opened a cash drawer closes it."))
    counted = _amount(counted_amount, "counted_amount", allow_zero=True)
    if session.refunds.filter(status=RefundStatus.PENDING, method=PaymentMethod.CASH).exists():
        raise ValidationError(
            _("A cash refund from this drawer is waiting for approval; have it decided before closing.")
        )
    note = note.strip()
    expected = drawer_expected(session)
    session.expected_amount = expected
    session.counted_amount = counted
    session.discrepancy = counted - expected
    if session.discrepancy and not note:
        raise ValidationError(
            {
                "note": _("The count differs from the expected %(expected)s by %(difference)s: say why.")
                % {"expected": _money(expected), "difference": _money(session.discrepancy)}
            }
        )
    session.close_note = note[:300]
    session.closed_at = timezone.now()
    session.full_clean()
    session.save()
    audit(
        actor=actor,
        action="drawer.close",
        target=session,
        organisation=session.organisation,
        branch=session.branch,
        summary=_("Cash drawer closed: counted %(counted)s, expected %(expected)s")
        % {"counted": _money(counted), "expected": _money(expected)},
        data={"counted": str(counted), "expected": str(expected), "discrepancy": str(session.discrepancy)},
    )
    return session


# --- payments -------------------------------------------------------------------------------------


@transaction.atomic
def payment_take(
    *,
    visit: Visit,
    actor: Any,
    method: str,
    amount: Any,
    terminal_receipt: str = "",
    reference: str = "",
    token: str = "",
) -> Payment:
    """Record a payment (one part of a split payment, or a deposit before the visit starts).

    Refused: a zero or negative amount, more than is due, a card payment without the terminal's
    receipt number, cash without an open drawer. A repeated ``token`` returns the first payment.
    """
    visit = _locked_visit(visit)
    token = token.strip()[:64]
    if token:
        earlier = Payment.objects.filter(organisation=visit.organisation, token=token).first()
        if earlier is not None:
            return earlier
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how the client pays.")})
    value = _amount(amount)
    terminal_receipt, reference = terminal_receipt.strip(), reference.strip()
    if method == PaymentMethod.CARD and not terminal_receipt:
        raise ValidationError({"terminal_receipt": _("Enter the number printed on the card terminal's receipt.")})
    if method in (PaymentMethod.INSURER, PaymentMethod.VOUCHER) and not reference:
        raise ValidationError({"reference": _("Enter the insurer's claim number or the voucher code.")})
    if is_under_way(visit):
        _post_default(visit, actor)
    current = folio(visit)
    if current.outstanding <= 0:
        raise ValidationError({"amount": _("Nothing is due on this visit.")})
    if value > current.outstanding:
        raise ValidationError(
            {
                "amount": _("That is more than is due: at most %(due)s %(currency)s. Overpayment is not accepted.")
                % {"due": _money(current.outstanding), "currency": visit.organisation.currency}
            }
        )
    session = _drawer_for_cash(actor, visit) if method == PaymentMethod.CASH else open_drawer(user=actor)
    if session is not None and session.branch_id != visit.branch_id:
        session = None  # a card payment at another branch's desk is not this drawer's business
    payment = Payment(
        organisation=visit.organisation,
        branch=visit.branch,
        visit=visit,
        method=method,
        amount=value,
        is_deposit=not is_under_way(visit),
        terminal_receipt=terminal_receipt,
        reference=reference,
        drawer_session=session,
        token=token,
        taken_at=timezone.now(),
        taken_by=signed_in_user(actor),
    )
    payment.full_clean(exclude=["token"])
    payment.save()
    _audit(
        actor,
        "payment.take",
        payment,
        visit,
        f"{visit.number}: {_money(value)} {PaymentMethod(method).label}",
        {"visit": visit.pk, "amount": str(value), "method": method, "deposit": payment.is_deposit},
    )
    return payment


# --- refunds --------------------------------------------------------------------------------------


def required_role(organisation: Organisation, amount: Decimal) -> str:
    """The role the approval ladder asks for a refund of ``amount`` (empty: no approval needed)."""
    role = ""
    for step in money_settings(organisation).approval_ladder:
        if amount > Decimal(str(step["above"])):
            role = step["role"]
    return role


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _rank(user: Any) -> int:
    staff = getattr(user, "staff", None)
    codes = staff.role_codes if staff is not None else []
    return max((ROLE_RANK.get(code, 0) for code in codes), default=0)


@transaction.atomic
def refund_request(*, visit: Visit, actor: Any, amount: Any, method: str, reason: str, token: str = "") -> Refund:
    """Give money back with a reason. Within the limit (or asked by someone senior enough) it is approved
    at once; above it, it waits for the role the approval ladder names."""
    visit = _locked_visit(visit)
    token = token.strip()[:64]
    if token:
        earlier = Refund.objects.filter(organisation=visit.organisation, token=token).first()
        if earlier is not None:
            return earlier
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how the money is given back.")})
    value = _amount(amount)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the money is given back.")})
    current = folio(visit)
    if value > current.refundable:
        raise ValidationError(
            {
                "amount": _(
                    "A refund cannot be more than was paid and not yet given back: at most %(max)s %(currency)s."
                )
                % {"max": _money(current.refundable), "currency": visit.organisation.currency}
            }
        )
    session = _drawer_for_cash(actor, visit) if method == PaymentMethod.CASH else None
    needed = required_role(visit.organisation, value)
    approved_now = not needed or _rank(actor) >= ROLE_RANK.get(needed, 99)
    now = timezone.now()
    refund = Refund(
        organisation=visit.organisation,
        branch=visit.branch,
        visit=visit,
        method=method,
        amount=value,
        reason=reason[:300],
        status=RefundStatus.APPROVED if approved_now else RefundStatus.PENDING,
        required_role=needed,
        drawer_session=session,
        token=token,
        requested_at=now,
        requested_by=signed_in_user(actor),
        decided_at=now if approved_now else None,
        decided_by=signed_in_user(actor) if approved_now else None,
    )
    refund.full_clean(exclude=["token"])
    refund.save()
    _audit(
        actor,
        "refund.request",
        refund,
        visit,
        f"{visit.number}: −{_money(value)} ({refund.get_status_display()})",
        {"visit": visit.pk, "amount": str(value), "method": method, "reason": reason, "required_role": needed},
    )
    return refund


@transaction.atomic
def refund_decide(*, refund: Refund, actor: Any, approve: bool, comment: str = "") -> Refund:
    """Approve or reject a refund waiting for approval; the approver's role must reach the ladder's step."""
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("visit", "organisation", "branch")
        .get(pk=refund.pk)
    )
    comment = comment.strip()
    if refund.status != RefundStatus.PENDING:
        raise ValidationError(
            _("This refund was already decided (%(status)s).") % {"status": refund.get_status_display()}
        )
    if refund.requested_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("Someone else must decide on a refund you asked for."))
    if _rank(actor) < ROLE_RANK.get(refund.required_role, 99):
        raise ValidationError(
            _("A refund of this amount needs approval by someone with the role “%(role)s” or higher.")
            % {"role": role_label(refund.required_role)}
        )
    if not approve and not comment:
        raise ValidationError({"comment": _("Say why the refund is rejected.")})
    visit = _locked_visit(refund.visit)
    if approve:
        current = folio(visit)
        if refund.amount > current.paid - current.refunded:
            raise ValidationError(_("The refund is now more than was paid and not yet given back; reject it."))
    refund.status = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
    refund.decided_at = timezone.now()
    refund.decided_by = signed_in_user(actor)
    refund.decision_comment = comment[:300]
    refund.save()
    _audit(
        actor,
        "refund.approve" if approve else "refund.reject",
        refund,
        visit,
        f"{visit.number}: −{_money(refund.amount)} {refund.get_status_display()}",
        {"refund": refund.pk, "comment": comment},
    )
    return refund


# --- receipts and invoices ------------------------------------------------------------------------


def _sale_date(visit: Visit) -> date:
    if visit.vertical == BusinessKind.HOTEL and visit.departure_date:
        return visit.departure_date
    return timezone.localdate(visit.scheduled_at, ZoneInfo(visit.branch.time_zone))


def _payments_summary(visit: Visit) -> list[dict[str, str]]:
    by_method: dict[str, Decimal] = {}
    for method, amount in Payment.objects.filter(visit=visit).values_list("method", "amount"):
        by_method[method] = by_method.get(method, ZERO) + amount
    for method, amount in Refund.objects.filter(visit=visit, status=RefundStatus.APPROVED).values_list(
        "method", "amount"
    ):
        by_method[method] = by_method.get(method, ZERO) - amount
    return [
        {"method": method, "label": str(PaymentMethod(method).label), "amount": str(amount)}
        for method, amount in by_method.items()
        if amount
    ]


@transaction.atomic
def document_issue(
    *,
    visit: Visit,
    actor: Any,
    kind: str,
    buyer_name: str = "",
    buyer_nip: str = "",
    buyer_address: str = "",
) -> SaleDocument:
    """Issue the visit's receipt (once paid in full; printed on the fiscal printer when paid in cash or by
    card) or its VAT invoice (needs the seller's and, for a company, the buyer's NIP). A visit has one of
    each; issuing again returns the first."""
    visit = _locked_visit(visit)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a receipt or an invoice.")})
    earlier = SaleDocument.objects.filter(visit=visit, kind=kind).first()
    if earlier is not None:
        return earlier
    if is_under_way(visit):
        _post_default(visit, actor)
    current = folio(visit)
    if current.charges <= 0:
        raise ValidationError(_("Nothing has been charged on this visit yet."))
    if kind == DocumentKind.RECEIPT and current.balance > 0:
        raise ValidationError(
            _("A receipt is issued once the visit is paid: %(due)s %(currency)s still due.")
            % {"due": _money(current.balance), "currency": visit.organisation.currency}
        )
    seller = money_settings(visit.organisation)
    buyer_nip = "".join(ch for ch in buyer_nip if ch.isdigit())
    if kind == DocumentKind.INVOICE:
        errors: dict[str, str] = {}
        if not seller.seller_nip:
            errors["__all__"] = _("Enter the seller's NIP in the money settings before issuing invoices.")
        if not buyer_name.strip():
            errors["buyer_name"] = _("Enter the buyer's name.")
        if errors:
            raise ValidationError(errors)
    lines = documents.document_lines(visit)
    breakdown = documents.vat_breakdown(lines)
    net, vat, gross = documents.totals(breakdown)
    prefix = INVOICE_PREFIX if kind == DocumentKind.INVOICE else RECEIPT_PREFIX
    branch = visit.branch
    seller_address = (
        ", ".join(
            part for part in (seller.seller_street, f"{seller.seller_postal_code} {seller.seller_city}".strip()) if part
        )
        or branch.address
    )
    document = SaleDocument(
        organisation=visit.organisation,
        branch=branch,
        visit=visit,
        kind=kind,
        issued_at=timezone.now(),
        sale_date=_sale_date(visit),
        issued_by=signed_in_user(actor),
        seller_name=seller.seller_name or visit.organisation.name,
        seller_nip=seller.seller_nip,
        seller_address=seller_address[:300],
        buyer_name=(buyer_name.strip() or visit.client.display_name)[:200],
        buyer_nip=buyer_nip,
        buyer_address=buyer_address.strip()[:300],
        lines=lines,
        vat_breakdown=breakdown,
        payments=_payments_summary(visit),
        total_net=net,
        total_vat=vat,
        total_gross=gross,
    )
    document.full_clean(exclude=["number"])
    document.number = next_number(organisation=visit.organisation, prefix=prefix)
    document.save()
    if kind == DocumentKind.RECEIPT and is_fiscal(document.payments):
        fiscal_printer().print_receipt(document)
    documents.keep_issued_pdf(document)
    _audit(
        actor,
        f"document.{kind}",
        document,
        visit,
        f"{visit.number}: {document.number} {_money(gross)}",
        {"document": document.pk, "gross": str(gross)},
    )
    return document


# --- transition rules -----------------------------------------------------------------------------


def settled_before_check_out(visit: Visit, to_status: str, actor: Any) -> None:
    """A guest checks out with the folio settled."""
    current = folio(visit)
    if not current.is_settled:
        raise ValidationError(
            _("Settle the folio before check-out: %(due)s %(currency)s still due.")
            % {"due": _money(current.outstanding), "currency": visit.organisation.currency},
            code="unpaid",
        )


def settled_before_paid(visit: Visit, to_status: str, actor: Any) -> None:
    """A sale is marked paid only when it charges something and the payments cover it."""
    current = folio(visit)
    if current.charges <= 0:
        raise ValidationError(_("Add the items sold before marking the sale paid."), code="empty")
    if not current.is_settled:
        raise ValidationError(
            _("Take the payment first: %(due)s %(currency)s still due.")
            % {"due": _money(current.outstanding), "currency": visit.organisation.currency},
            code="unpaid",
        )
