"""Every write of money at the desk: charges, payments, refunds and their approval, cash drawers,
receipts and invoices, and the organisation's money settings.

Each function is keyword-only and atomic, locks the visit (or drawer, or refund) it changes, and
writes its audit entry in the same transaction. Amounts are Decimal, gross, in the organisation's
currency. A ``token`` (the hidden field of a form, or the API's Idempotency-Key) makes a repeated
submit return the first record instead of storing a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontoffice.accounts.choices import Role
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.choices import BusinessKind
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation
from frontoffice.core.numbering import next_number
from frontoffice.core.validation import full_clean_held

from .. import workflow
from ..choices import VatRate, VisitStatus
from ..models import Charge, DrawerSession, MoneySettings, Payment, Refund, SaleDocument, Visit
from ..pricing import line_totals
from ..services import branch_today
from . import documents
from .choices import ChargeKind, DocumentKind, PaymentMethod, RefundStatus
from .fiscal import fiscal_printer, is_fiscal
from .roles import ROLE_RANK
from .selectors import (
    NOTHING_CHARGED,
    ZERO,
    DefaultCharge,
    covering_document,
    default_charge,
    drawer_expected,
    early_departure,
    folio,
    invoice_lines_now,
    is_under_way,
    money_settings,
    open_drawer,
    takes_charges,
)

RECEIPT_PREFIX = "PAR"
INVOICE_PREFIX = "FV"
CORRECTION_PREFIX = "FK"
SETTINGS_FIELDS = (
    "seller_name",
    "seller_nip",
    "seller_street",
    "seller_postal_code",
    "seller_city",
    "approval_ladder",
    "void_limit",
    "early_departure_fee",
)


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
    charge = _post(visit, default, actor)
    _audit(
        actor,
        "charge.post",
        visit,
        visit,
        f"{visit.number}: {charge.description} {charge.total_gross}",
        {"charge": charge.pk, "kind": charge.kind, "gross": str(charge.total_gross)},
    )
    return charge


def _post(visit: Visit, what: DefaultCharge, actor: Any) -> Charge:
    """Store one of the desk's own charges, priced (the caller writes the audit entry)."""
    charge = Charge(
        visit=visit,
        kind=what.kind,
        description=what.description,
        quantity=what.quantity,
        unit_price=what.unit_price,
        vat_rate=what.vat_rate,
        created_by=signed_in_user(actor),
    )
    _price(charge)
    charge.save()
    return charge


def _mark_void(charge: Charge, actor: Any, reason: str) -> None:
    charge.voided_at = timezone.now()
    charge.voided_by = signed_in_user(actor)
    charge.void_reason = reason[:300]
    charge.save(update_fields=["voided_at", "voided_by", "void_reason"])


def _price(charge: Charge) -> None:
    totals = line_totals(quantity=charge.quantity, unit_price=charge.unit_price, vat_rate=charge.vat_rate)
    charge.total_net, charge.total_vat, charge.total_gross = totals.net, totals.vat, totals.gross


def post_default_charges(visit: Visit, to_status: str, actor: Any) -> None:
    """After a patient arrives or a guest checks in: charge the visit type (or the nights)."""
    _post_default(visit, actor)


def void_default_charges(visit: Visit, to_status: str, actor: Any) -> None:
    """After a cancellation or no-show: the desk's own charges no longer count (extras stay)."""
    voided = Charge.objects.filter(visit=visit, voided_at__isnull=True).exclude(kind=ChargeKind.EXTRA)
    why = str(VisitStatus(to_status).label) if to_status in VisitStatus.values else to_status
    if voided.update(voided_at=timezone.now(), voided_by=signed_in_user(actor), void_reason=why[:300]):
        _audit(actor, "charge.void", visit, visit, f"{visit.number}: {to_status}", {"to": to_status})


def _refuse_closed_for_charges(visit: Visit) -> None:
    if workflow.is_final(visit.vertical, visit.status) and visit.status != VisitStatus.FINISHED:
        raise ValidationError(_("This visit is closed; charges can no longer be added."))
    if visit.vertical in (BusinessKind.RETAIL, BusinessKind.OFFICE) and visit.status != VisitStatus.OPEN:
        raise ValidationError(_("A sale is charged through its line items while it is open."))


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
    _refuse_closed_for_charges(visit)
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


@transaction.atomic
def charge_void(*, charge: Charge, actor: Any, reason: str) -> Charge:
    """Take back an extra charge posted by mistake (a wrong minibar item), with a reason.

    Refused once a receipt or an invoice lists the charge (an invoice is then corrected, a receipt's money
    given back), once the visit no longer takes charges, for the desk's own charges (they follow the visit:
    cancelling it or an early departure changes them), and above the organisation's void limit unless the
    clerk is a manager or higher. The void charge stays on the folio with who, when and why.
    """
    visit = _locked_visit(charge.visit)
    charge = Charge.objects.select_for_update().get(pk=charge.pk, visit=visit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the charge is void.")})
    if charge.voided_at is not None:
        raise ValidationError(_("This charge is already void."))
    if charge.kind != ChargeKind.EXTRA:
        raise ValidationError(
            _(
                "The desk's own charge follows the visit: it is voided when the visit is cancelled and "
                "recalculated when a guest leaves early."
            )
        )
    if not takes_charges(visit):
        raise ValidationError(_("This visit no longer takes charges; its charges can no longer be voided."))
    document = covering_document(charge)
    if document is not None:
        if document.kind == DocumentKind.INVOICE:
            message = _("Invoice %(number)s lists this charge, so it can no longer be voided: issue a correction.")
        else:
            message = _(
                "Receipt %(number)s lists this charge, so it can no longer be voided: give the money back instead."
            )
        raise ValidationError(message % {"number": document.number}, code="documented")
    limit = money_settings(visit.organisation).void_limit
    if limit is not None and charge.total_gross > limit and _rank(actor) < ROLE_RANK[Role.MANAGER]:
        raise ValidationError(
            _("Voiding a charge above %(limit)s %(currency)s needs a manager.")
            % {"limit": _money(limit), "currency": visit.organisation.currency},
            code="limit",
        )
    _mark_void(charge, actor, reason)
    _audit(
        actor,
        "charge.void",
        visit,
        visit,
        f"{visit.number}: {charge.description} −{_money(charge.total_gross)}",
        {"charge": charge.pk, "gross": str(charge.total_gross), "reason": charge.void_reason},
    )
    return charge


# --- early departure -----------------------------------------------------------------------------------


def _early_departure_message(invoice: SaleDocument, stayed: int, booked: int) -> str:
    return ngettext(
        "Invoice %(number)s bills %(booked)s night and the guest stayed %(stayed)s: issue a correction invoice "
        "for the nights not stayed, then check the guest out.",
        "Invoice %(number)s bills %(booked)s nights and the guest stayed %(stayed)s: issue a correction invoice "
        "for the nights not stayed, then check the guest out.",
        booked,
    ) % {"number": invoice.number, "booked": booked, "stayed": stayed}


def nights_not_invoiced_before_early_departure(visit: Visit, to_status: str, actor: Any) -> None:
    """An early check-out recalculates the nights, unless an invoice lists them: that needs a correction first."""
    change = early_departure(visit, branch_today(visit.branch))
    if change is not None and change.invoice is not None:
        raise ValidationError(_early_departure_message(change.invoice, change.stayed, change.booked), code="invoiced")


def recalculate_nights_on_early_departure(visit: Visit, to_status: str, actor: Any) -> None:
    """After an early check-out: the nights charge is voided and the nights stayed are posted instead (unless a
    correction invoice already brought the invoiced nights down), and the organisation's fee, if it has one."""
    if not visit.early_departure:
        return
    change = early_departure(visit, branch_today(visit.branch))
    if change is None:
        return
    if change.invoice is not None:  # the guard refuses this; never post under an invoice
        raise ValidationError(_early_departure_message(change.invoice, change.stayed, change.booked))
    why = ngettext(
        "Early departure: %(stayed)s of %(booked)s night stayed.",
        "Early departure: %(stayed)s of %(booked)s nights stayed.",
        change.booked,
    ) % {"stayed": change.stayed, "booked": change.booked}
    stayed = None
    if not change.corrected:
        if change.charge is not None:
            _mark_void(change.charge, actor, why)
        nights = DefaultCharge(
            ChargeKind.NIGHTS, change.description, Decimal(change.stayed), change.unit_price, change.vat_rate
        )
        stayed = _post(visit, nights, actor)
    fee = None
    if change.fee > 0:
        fee = _post(
            visit,
            DefaultCharge(ChargeKind.EXTRA, _("Early departure fee"), Decimal(1), change.fee, change.vat_rate),
            actor,
        )
    if stayed is None and fee is None:
        return  # a correction invoice already carries the nights not stayed
    _audit(
        actor,
        "charge.early_departure",
        visit,
        visit,
        f"{visit.number}: {why}",
        {
            "voided": change.charge.pk if change.charge and stayed else None,
            "charge": stayed.pk if stayed else None,
            "fee": fee.pk if fee else None,
            "booked": change.booked,
            "stayed": change.stayed,
            "difference": str(change.difference),
        },
    )


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
    full_clean_held(payment, exclude=["token"])
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
    if kind not in (DocumentKind.RECEIPT, DocumentKind.INVOICE):
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
    full_clean_held(document, exclude=["number"])
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


# --- correction invoices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineCorrection:
    """What one line of an invoice should have said: its 1-based position, quantity and gross unit price."""

    position: int
    quantity: Any
    unit_price: Any


def _quantity(value: Any, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a quantity of zero or more.")}) from None
    if not quantity.is_finite() or quantity < 0:
        raise ValidationError({field: _("Enter a quantity of zero or more.")})
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError({field: _("Quantities have at most three decimal places.")})
    return quantity


def _side(quantity: Decimal, unit_price: Decimal, vat_rate: str) -> dict[str, str]:
    totals = line_totals(quantity=quantity, unit_price=unit_price, vat_rate=vat_rate)
    return {
        "quantity": format(quantity.normalize(), "f"),
        "unit_price": str(unit_price),
        "net": str(totals.net),
        "vat": str(totals.vat),
        "gross": str(totals.gross),
    }


def _difference(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    return {key: str(Decimal(after[key]) - Decimal(before[key])) for key in ("net", "vat", "gross")}


def _breakdown_difference(before: list[dict[str, str]], after: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Per VAT rate: before, after and the difference (what the correction adds, below zero when it lowers)."""
    empty = {"net": "0.00", "vat": "0.00", "gross": "0.00"}
    by_rate_before = {row["vat_rate"]: row for row in before}
    by_rate_after = {row["vat_rate"]: row for row in after}
    rows = []
    for rate in documents.RATE_ORDER:
        if rate not in by_rate_before and rate not in by_rate_after:
            continue
        old = {key: by_rate_before.get(rate, empty)[key] for key in empty}
        new = {key: by_rate_after.get(rate, empty)[key] for key in empty}
        if old == new:
            continue
        rows.append({"vat_rate": rate, **_difference(old, new), "before": old, "after": new})
    return rows


@transaction.atomic
def correction_issue(
    *,
    invoice: SaleDocument,
    actor: Any,
    reason: str,
    lines: Sequence[LineCorrection] = (),
    to_zero: bool = False,
) -> SaleDocument:
    """Issue a correction invoice (*faktura korygująca*) of ``invoice``: the corrected lines before and after,
    the difference per VAT rate, its own gap-free number (``FK-YYYY-…``) and a reason. ``to_zero`` cancels
    every line (the whole invoice). The visit's balance follows the corrected amount; no money moves: a
    lowered amount is given back with a refund.

    Refused: a receipt (it is not corrected by an invoice: its money is given back), a correction of a
    correction, no reason, a line that is not on the invoice, a negative quantity or price, and a
    correction that changes nothing.
    """
    invoice = SaleDocument.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=invoice.pk)
    visit = _locked_visit(invoice.visit)
    if invoice.kind == DocumentKind.RECEIPT:
        raise ValidationError(
            _("A receipt is not corrected by an invoice: give the money back (Give money back) with the reason.")
        )
    if invoice.kind != DocumentKind.INVOICE:
        raise ValidationError(_("Correct the original invoice, not one of its corrections."))
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the invoice is corrected.")]
    current = invoice_lines_now(invoice)
    wanted: dict[int, tuple[Decimal, Decimal]] = {}
    for change in lines:
        position = int(change.position)
        if not 1 <= position <= len(current):
            message = _("Line %(position)s is not on invoice %(number)s.")
            raise ValidationError({"lines": message % {"position": position, "number": invoice.number}})
        try:
            wanted[position] = (
                _quantity(change.quantity, f"quantity_{position}"),
                _amount(change.unit_price, f"unit_price_{position}", allow_zero=True),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if to_zero:
        wanted = {int(line["position"]): (Decimal(0), Decimal(line["unit_price"])) for line in current}
    if errors:
        raise ValidationError(errors)
    corrected, after_lines = [], []
    for line in current:
        position = int(line["position"])
        quantity, price = Decimal(line["quantity"]), Decimal(line["unit_price"])
        new_quantity, new_price = wanted.get(position, (quantity, price))
        after_lines.append({**line, "gross": _side(new_quantity, new_price, line["vat_rate"])["gross"]})
        if (new_quantity, new_price) == (quantity, price):
            continue
        before = _side(quantity, price, line["vat_rate"])
        after = _side(new_quantity, new_price, line["vat_rate"])
        corrected.append(
            {
                "position": str(position),
                "source": line.get("source", ""),
                "description": line["description"],
                "vat_rate": line["vat_rate"],
                "before": before,
                "after": after,
                "difference": _difference(before, after),
            }
        )
    if not corrected:
        raise ValidationError(_("Change at least one line: this correction would change nothing."))
    breakdown = _breakdown_difference(documents.vat_breakdown(current), documents.vat_breakdown(after_lines))
    net = sum((Decimal(row["net"]) for row in breakdown), ZERO)
    vat = sum((Decimal(row["vat"]) for row in breakdown), ZERO)
    correction = SaleDocument(
        organisation=invoice.organisation,
        branch=invoice.branch,
        visit=visit,
        kind=DocumentKind.CORRECTION,
        corrects=invoice,
        reason=reason[:300],
        issued_at=timezone.now(),
        sale_date=invoice.sale_date,
        issued_by=signed_in_user(actor),
        seller_name=invoice.seller_name,
        seller_nip=invoice.seller_nip,
        seller_address=invoice.seller_address,
        buyer_name=invoice.buyer_name,
        buyer_nip=invoice.buyer_nip,
        buyer_address=invoice.buyer_address,
        lines=corrected,
        vat_breakdown=breakdown,
        payments=[],
        total_net=net,
        total_vat=vat,
        total_gross=net + vat,
    )
    correction.full_clean(exclude=["number"])
    correction.number = next_number(organisation=invoice.organisation, prefix=CORRECTION_PREFIX)
    correction.save()
    documents.keep_issued_pdf(correction)
    _audit(
        actor,
        "document.correction",
        correction,
        visit,
        f"{visit.number}: {correction.number} ({invoice.number}) {_money(correction.total_gross)}",
        {
            "document": correction.pk,
            "corrects": invoice.pk,
            "gross": str(correction.total_gross),
            "reason": correction.reason,
            "lines": [line["position"] for line in corrected],
        },
    )
    return correction


# --- transition rules -----------------------------------------------------------------------------


def settled_before_check_out(visit: Visit, to_status: str, actor: Any) -> None:
    """A guest checks out with the folio settled; leaving early, only the nights stayed are due."""
    current = folio(visit)
    change = early_departure(visit, branch_today(visit.branch))
    due = current.expected - current.paid + current.refunded + (change.due_change if change else ZERO)
    if due > 0:
        raise ValidationError(
            _("Settle the folio before check-out: %(due)s %(currency)s still due.")
            % {"due": _money(due), "currency": visit.organisation.currency},
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
