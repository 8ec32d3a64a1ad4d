"""Money pages: take a payment, add a charge, give money back, approve refunds, receipts and invoices,
the clerk's cash drawer, managers' drawer review, and the organisation's money settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients.choices import ClientKind, IdentifierKind
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.pdf import pdf_response
from frontoffice.core.selectors import organisation_for

from .. import selectors
from ..models import SaleDocument, Visit, VisitBilling
from ..money import documents, services
from ..money import selectors as money
from ..money.choices import DocumentKind, PaymentMethod, RefundStatus
from ..money.forms import (
    ChargeForm,
    ChargeVoidForm,
    CorrectionForm,
    DrawerCloseForm,
    DrawerOpenForm,
    InvoiceForm,
    MoneySettingsForm,
    PaymentForm,
    RefundDecisionForm,
    RefundForm,
)
from ..money.permissions import MoneyPermission

VIEW = "desk.view_visits"
TAKE = MoneyPermission.TAKE_PAYMENTS.perm
APPROVE = MoneyPermission.APPROVE_REFUNDS.perm
REVIEW = MoneyPermission.REVIEW_DRAWERS.perm
SETTINGS = MoneyPermission.MANAGE_MONEY_SETTINGS.perm
VOID = MoneyPermission.VOID_CHARGES.perm
CORRECT = MoneyPermission.CORRECT_INVOICES.perm


def money_context(user: Any, visit: Visit, current: money.Folio | None = None) -> dict[str, Any]:
    """What the visit's page shows of its money (the folio section); ``current``: the folio, if already read."""
    charges = list(money.charges_of(visit))
    issued = list(money.documents_of(visit))
    return {
        "folio": current or money.folio(visit),
        "charges": charges,
        "payments": list(money.payments_of(visit)),
        "refunds": list(money.refunds_of(visit)),
        "documents": issued,
        "voidable": money.voidable_charge_ids(visit, charges, issued) if user.has_perm(VOID) else set(),
        "can_take_payments": user.has_perm(TAKE),
        "can_correct": user.has_perm(CORRECT),
        "charge_form": ChargeForm(),
        "currency": visit.organisation.currency,
    }


def _page(
    request: HttpRequest,
    template: str,
    visit: Visit,
    *,
    status: int = 200,
    current: money.Folio | None = None,
    **extra: Any,
) -> HttpResponse:
    context = {"visit": visit, **money_context(request.user, visit, current), **extra}
    return render(request, template, context, status=status)


# --- payments, charges, refunds ----------------------------------------------------------------------


@require(TAKE)
@require_http_methods(["GET", "POST"])
def payment_take(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.payment_take(
                    visit=visit,
                    actor=request.user,
                    method=data["method"],
                    amount=data["amount"],
                    terminal_receipt=data["terminal_receipt"],
                    reference=data["reference"],
                    token=data["token"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(amount)s %(currency)s received (%(method)s).")
                    % {
                        "amount": payment.amount,
                        "currency": visit.organisation.currency,
                        "method": payment.get_method_display(),
                    },
                )
                return redirect("desk:visit_detail", pk=visit.pk)
        return _payment_page(request, visit, form, status=400)
    current, billing = money.folio(visit), money.visit_billing(visit)
    amount = money.suggested_amount(current, billing)
    form = PaymentForm(initial={"amount": amount if amount is not None else "", "method": PaymentMethod.CARD})
    return _payment_page(request, visit, form, current=current, billing=billing)


def _payment_page(
    request: HttpRequest,
    visit: Visit,
    form: PaymentForm,
    *,
    status: int = 200,
    current: money.Folio | None = None,
    billing: VisitBilling | None = None,
) -> HttpResponse:
    """The payment form with the clerk's drawer (for the "no open drawer" note) and how the visit is paid."""
    return _page(
        request,
        "desk/money/payment_form.html",
        visit,
        status=status,
        current=current,
        form=form,
        drawer=money.open_drawer(user=request.user),
        billing=billing if current is not None else money.visit_billing(visit),
    )


@require(TAKE)
@require_POST
def charge_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = ChargeForm(request.POST)
    if form.is_valid():
        try:
            services.charge_add(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Charge added."))
            return redirect("desk:visit_detail", pk=visit.pk)
    return _page(request, "desk/money/charge_form.html", visit, status=400, charge_form=form)


@require(VOID)
@require_http_methods(["GET", "POST"])
def charge_void(request: HttpRequest, pk: int, charge_pk: int) -> HttpResponse:
    """Void a charge posted by mistake, with the reason; it stays on the folio, struck through."""
    visit = selectors.visit_get(user=request.user, pk=pk)
    charge = money.charge_get(visit=visit, pk=charge_pk)
    form = ChargeVoidForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.charge_void(charge=charge, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Charge “%(charge)s” voided.") % {"charge": charge.description})
                return redirect("desk:visit_detail", pk=visit.pk)
        return _page(request, "desk/money/charge_void.html", visit, status=400, form=form, charge=charge)
    return _page(request, "desk/money/charge_void.html", visit, form=form, charge=charge)


@require(TAKE)
@require_http_methods(["GET", "POST"])
def refund_request(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = RefundForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                refund = services.refund_request(visit=visit, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if refund.status == RefundStatus.PENDING:
                    messages.warning(
                        request,
                        _("The refund waits for approval (role: %(role)s).")
                        % {"role": services.role_label(refund.required_role)},
                    )
                else:
                    messages.success(request, _("Refund recorded."))
                return redirect("desk:visit_detail", pk=visit.pk)
        return _page(request, "desk/money/refund_form.html", visit, status=400, form=form)
    return _page(request, "desk/money/refund_form.html", visit, form=form)


@require(APPROVE)
def refund_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", RefundStatus.PENDING)
    if status not in RefundStatus.values and status != "":
        status = RefundStatus.PENDING
    refunds = list(money.refund_list(user=request.user, status=status)[:200])
    context = {"refunds": refunds, "status": status, "statuses": RefundStatus.choices}
    return render_page(request, "desk/money/refund_list.html", context)


@require(APPROVE)
@require_POST
def refund_decide(request: HttpRequest, pk: int) -> HttpResponse:
    refund = money.refund_get(user=request.user, pk=pk)
    form = RefundDecisionForm(request.POST)
    if form.is_valid():
        try:
            refund = services.refund_decide(
                refund=refund,
                actor=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Refund of %(amount)s on %(number)s: %(status)s.")
                % {"amount": refund.amount, "number": refund.visit.number, "status": refund.get_status_display()},
            )
            return redirect("desk:refund_list")
    refunds = list(money.refund_list(user=request.user)[:200])
    context = {
        "refunds": refunds,
        "status": RefundStatus.PENDING,
        "statuses": RefundStatus.choices,
        "failed": refund.pk,
        "decision_form": form,
    }
    return render(request, "desk/money/refund_list.html", context, status=400)


# --- receipts and invoices ------------------------------------------------------------------------


def _pdf(request: HttpRequest, document: SaleDocument) -> HttpResponse:
    return pdf_response(documents.issued_pdf(document), filename=documents.document_filename(document), inline=True)


def _issued_pdf(request: HttpRequest, visit: Visit, kind: str) -> HttpResponse | None:
    document = money.document_of(visit, kind)
    return None if document is None else _pdf(request, document)


@require(TAKE)
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit's receipt as a PDF; before it is issued, a page with the button that issues it."""
    visit = selectors.visit_get(user=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.document_issue(visit=visit, actor=request.user, kind=DocumentKind.RECEIPT)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return redirect("desk:receipt", pk=visit.pk)
    elif (issued := _issued_pdf(request, visit, DocumentKind.RECEIPT)) is not None:
        return issued
    return _page(request, "desk/money/receipt.html", visit, status=400 if error else 200, error=error)


def _buyer_initial(visit: Visit) -> dict[str, str]:
    client = visit.client
    nip = client.identifiers.filter(kind=IdentifierKind.NIP).values_list("value", flat=True).first() or ""
    address = client.addresses.first()
    return {
        "buyer_name": client.display_name,
        "buyer_nip": nip if client.kind == ClientKind.COMPANY or nip else "",
        "buyer_address": str(address) if address else "",
    }


@require(TAKE)
@require_http_methods(["GET", "POST"])
def invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit's VAT invoice as a PDF; before it is issued, the buyer's details to confirm."""
    visit = selectors.visit_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = InvoiceForm(request.POST)
        if form.is_valid():
            try:
                services.document_issue(visit=visit, actor=request.user, kind=DocumentKind.INVOICE, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("desk:invoice", pk=visit.pk)
        return _page(request, "desk/money/invoice_form.html", visit, status=400, form=form)
    issued = _issued_pdf(request, visit, DocumentKind.INVOICE)
    if issued is not None:
        return issued
    return _page(request, "desk/money/invoice_form.html", visit, form=InvoiceForm(initial=_buyer_initial(visit)))


@require(VIEW)
def sale_document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Any receipt, invoice or correction invoice of the user's branches, as issued."""
    return _pdf(request, money.document_get(user=request.user, pk=pk))


@require(CORRECT)
@require_http_methods(["GET", "POST"])
def invoice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a correction invoice of an invoice: the corrected lines (or all to zero) and the reason."""
    invoice = money.document_get(user=request.user, pk=pk)
    if invoice.kind != DocumentKind.INVOICE:
        raise Http404
    visit = invoice.visit
    form = CorrectionForm(request.POST or None, lines=money.invoice_lines_now(invoice))
    if request.method == "POST":
        if form.is_valid():
            try:
                correction = services.correction_issue(
                    invoice=invoice,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    lines=[services.LineCorrection(*change) for change in form.changes()],
                    to_zero=form.cleaned_data["to_zero"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Correction invoice %(number)s issued (%(amount)s %(currency)s). It moves no money: "
                        "give back what was paid above the corrected amount with “Give money back”."
                    )
                    % {
                        "number": correction.number,
                        "amount": correction.total_gross,
                        "currency": visit.organisation.currency,
                    },
                )
                return redirect("desk:visit_detail", pk=visit.pk)
        return _page(request, "desk/money/correction_form.html", visit, status=400, form=form, invoice=invoice)
    return _page(request, "desk/money/correction_form.html", visit, form=form, invoice=invoice)


# --- the cash drawer ------------------------------------------------------------------------------


def _drawer_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    session = money.open_drawer(user=request.user)
    branches = selectors.desk_branches(user=request.user)
    recent = list(money.drawer_list(user=request.user, own_only=True)[:10])
    summary = money.drawer_close_summary(session) if session else None
    context = {
        "session": session,
        "summary": summary,
        "method_totals": [(PaymentMethod(m).label, a) for m, a in summary.by_method.items()] if summary else [],
        "branches": branches,
        "open_form": DrawerOpenForm(),
        "close_form": DrawerCloseForm(),
        "recent": recent,
        **extra,
    }
    return render(request, "desk/money/drawer.html", context, status=status)


@require(TAKE)
def drawer(request: HttpRequest) -> HttpResponse:
    return _drawer_page(request)


@require(TAKE)
@require_POST
def drawer_open(request: HttpRequest) -> HttpResponse:
    form = DrawerOpenForm(request.POST)
    branches = selectors.desk_branches(user=request.user)
    branch = next((b for b in branches if str(b.pk) == request.POST.get("branch")), branches[0] if branches else None)
    if branch is None:
        form.add_error(None, _("You do not work at any branch."))
    elif form.is_valid():
        try:
            services.drawer_open(branch=branch, actor=request.user, opening_float=form.cleaned_data["opening_float"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Cash drawer opened."))
            return redirect("desk:drawer")
    return _drawer_page(request, status=400, open_form=form)


@require(TAKE)
@require_POST
def drawer_close(request: HttpRequest) -> HttpResponse:
    form = DrawerCloseForm(request.POST)
    session = money.open_drawer(user=request.user)
    if session is None:
        form.add_error(None, _("You have no open cash drawer."))
    elif form.is_valid():
        try:
            session = services.drawer_close(
                session=session,
                actor=request.user,
                counted_amount=form.cleaned_data["counted_amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if session.discrepancy:
                messages.warning(
                    request, _("Cash drawer closed with a discrepancy of %(amount)s.") % {"amount": session.discrepancy}
                )
            else:
                messages.success(request, _("Cash drawer closed; the count matches."))
            return redirect("desk:drawer")
    return _drawer_page(request, status=400, close_form=form)


@require(REVIEW)
def drawer_sessions(request: HttpRequest) -> HttpResponse:
    """Managers: every clerk's drawer sessions at their branches, discrepancies first to the eye."""
    only = request.GET.get("discrepancies") == "1"
    sessions = list(money.drawer_list(user=request.user, discrepancies_only=only)[:200])
    return render_page(request, "desk/money/drawer_sessions.html", {"sessions": sessions, "only": only})


# --- settings -------------------------------------------------------------------------------------


@require(SETTINGS)
@require_http_methods(["GET", "POST"])
def money_settings(request: HttpRequest) -> HttpResponse:
    organisation = organisation_for(request.user)
    current = money.money_settings(organisation)
    form = MoneySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.money_settings_update(
                organisation=organisation,
                actor=request.user,
                expected_version=data["version"],
                **{name: data[name] for name in services.SETTINGS_FIELDS},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Money settings saved."))
            return redirect("desk:money_settings")
    return render(request, "desk/money/settings.html", {"form": form}, status=400 if form.errors else 200)


urlpatterns = [
    path("visits/<int:pk>/pay/", payment_take, name="payment_take"),
    path("visits/<int:pk>/charges/", charge_add, name="charge_add"),
    path("visits/<int:pk>/charges/<int:charge_pk>/void/", charge_void, name="charge_void"),
    path("visits/<int:pk>/refund/", refund_request, name="refund_request"),
    path("visits/<int:pk>/receipt/", receipt, name="receipt"),
    path("visits/<int:pk>/invoice/", invoice, name="invoice"),
    path("money/documents/<int:pk>/", sale_document_pdf, name="sale_document_pdf"),
    path("money/documents/<int:pk>/correct/", invoice_correct, name="invoice_correct"),
    path("money/refunds/", refund_list, name="refund_list"),
    path("money/refunds/<int:pk>/decide/", refund_decide, name="refund_decide"),
    path("money/drawer/", drawer, name="drawer"),
    path("money/drawer/open/", drawer_open, name="drawer_open"),
    path("money/drawer/close/", drawer_close, name="drawer_close"),
    path("money/drawers/", drawer_sessions, name="drawer_sessions"),
    path("money/settings/", money_settings, name="money_settings"),
]
