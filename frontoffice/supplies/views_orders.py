"""Purchase order pages: the list, orders made from approved requests, the detail with its PDF, sending,
cancelling, and receiving deliveries against an order. Everyone who sees supplies reads orders; those
who may send orders and receive deliveries (``manage_orders``) act on them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.core import selectors as core_selectors
from frontoffice.core.decorators import require
from frontoffice.core.htmx import render_page
from frontoffice.core.paging import page_number, page_of, query_without_page
from frontoffice.core.pdf import PDF_CONTENT_TYPE

from . import selectors_orders as selectors
from . import services_orders as services
from .choices import RECEIVABLE, OrderStatus
from .forms_catalogue import OrderFilterForm, ReceiptForm
from .models import PurchaseOrder
from .permissions import SuppliesPermission

VIEW = SuppliesPermission.VIEW_SUPPLIES.perm
ORDERS = SuppliesPermission.MANAGE_ORDERS.perm
PER_PAGE = 50


@require(VIEW)
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = page_number(request)
    rows, has_next = page_of(selectors.order_list(user=request.user, status=status), page=page, per_page=PER_PAGE)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "query": query_without_page(request),
        "branches": core_selectors.branch_list(user=request.user) if request.user.has_perm(ORDERS) else [],
    }
    return render_page(request, "supplies/order_list.html", context)


@require(ORDERS)
@require_POST
def order_create(request: HttpRequest) -> HttpResponse:
    """Group a branch's approved request lines into one draft order per location and supplier."""
    raw = request.POST.get("branch", "")
    if not raw.isdigit():
        messages.error(request, _("Choose the branch to order for."))
        return redirect("supplies:order_list")
    branch = core_selectors.branch_get(user=request.user, pk=int(raw))
    made = services.orders_from_approved(branch=branch, actor=request.user)
    if not made:
        messages.info(
            request,
            _(
                "Nothing to order for %(branch)s: no approved request lines are waiting, or their items have no "
                "preferred supplier."
            )
            % {"branch": branch.name},
        )
        return redirect("supplies:order_list")
    messages.success(
        request,
        ngettext("%(count)d draft order created.", "%(count)d draft orders created.", len(made)) % {"count": len(made)},
    )
    if len(made) == 1:
        return redirect("supplies:order_detail", pk=made[0].pk)
    return redirect(f"{reverse('supplies:order_list')}?status={OrderStatus.DRAFT}")


def _detail(
    request: HttpRequest, order: PurchaseOrder, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    lines = selectors.order_lines(order)
    may_act = request.user.has_perm(ORDERS)
    context = {
        "order": order,
        "lines": lines,
        "total": sum((line.amount for line in lines), Decimal(0)),
        "receipts": selectors.order_receipts(order),
        "errors": errors or [],
        "can_send": may_act and order.status == OrderStatus.DRAFT,
        "can_cancel": may_act and order.status in (OrderStatus.DRAFT, OrderStatus.SENT),
        "can_receive": may_act and order.status in RECEIVABLE,
    }
    return render(request, "supplies/order_detail.html", context, status=status)


@require(VIEW)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.order_get(user=request.user, pk=pk))


@require(VIEW)
def order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, pk=pk)
    response = HttpResponse(services.order_pdf(order), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{order.number}.pdf"'
    return response


@require(ORDERS)
@require_POST
def order_send(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, pk=pk)
    try:
        sent = services.order_send(order=order, actor=request.user)
    except ValidationError as error:
        return _detail(request, order, errors=error.messages, status=400)
    messages.success(
        request,
        _("Order %(number)s is on its way to %(email)s.") % {"number": sent.number, "email": sent.supplier.order_email},
    )
    return redirect("supplies:order_detail", pk=order.pk)


@require(ORDERS)
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, pk=pk)
    try:
        services.order_cancel(order=order, actor=request.user)
    except ValidationError as error:
        return _detail(request, order, errors=error.messages, status=400)
    messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return redirect("supplies:order_detail", pk=order.pk)


def _receipt_errors(form: ReceiptForm, error: ValidationError) -> None:
    """A service error named ``line-<pk>`` belongs to that line's quantity."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, found in error.error_dict.items():
        field = f"quantity_{key[5:]}" if key.startswith("line-") else None
        form.add_error(field if field in form.fields else None, found)


@require(ORDERS)
@require_http_methods(["GET", "POST"])
def receipt_create(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per line still to come, filled with what is outstanding at the ordered price."""
    order = selectors.order_get(user=request.user, pk=pk)
    if order.status not in RECEIVABLE:
        messages.error(
            request,
            _("Deliveries are received against a sent order, not a %(status)s one.")
            % {"status": order.get_status_display().lower()},
        )
        return redirect("supplies:order_detail", pk=order.pk)
    lines = [line for line in selectors.order_lines(order) if line.outstanding > 0]
    form = ReceiptForm(request.POST if request.method == "POST" else None, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        delivered = {
            line.pk: services.DeliveredLine(quantity=data[f"quantity_{line.pk}"], unit_price=data[f"price_{line.pk}"])
            for line in lines
            if data[f"quantity_{line.pk}"] is not None
        }
        try:
            receipt = services.receipt_create(order=order, actor=request.user, lines=delivered, note=data["note"])
        except ValidationError as error:
            _receipt_errors(form, error)
        else:
            messages.success(
                request, _("Delivery received; the stock at %(location)s is up.") % {"location": order.location.name}
            )
            return redirect("supplies:receipt_detail", pk=receipt.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "supplies/receipt_form.html", {"order": order, "form": form}, status=status)


@require(VIEW)
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = selectors.receipt_get(user=request.user, pk=pk)
    lines = selectors.receipt_lines(receipt)
    context: dict[str, Any] = {
        "receipt": receipt,
        "order": receipt.order,
        "lines": lines,
        "differences": sum(1 for line in lines if line.price_differs),
    }
    return render(request, "supplies/receipt_detail.html", context)
