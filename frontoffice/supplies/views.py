"""Supplies pages: take from stock (on a phone), stock and movements, purchase requests and their approval."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.paging import page_number, page_of, query_without_page

from . import selectors, services
from .choices import RequestStatus
from .forms import DecisionForm, MovementFilterForm, RequestForm, RequestLineFormSet, StockFilterForm, TakeForm
from .permissions import SuppliesPermission

VIEW = SuppliesPermission.VIEW_SUPPLIES.perm
TAKE = SuppliesPermission.TAKE_STOCK.perm
REQUEST = SuppliesPermission.REQUEST_SUPPLIES.perm
APPROVE = SuppliesPermission.APPROVE_REQUESTS.perm
PER_PAGE = 50


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


# --- take from stock ---------------------------------------------------------------------------------------


@require(TAKE)
def take(request: HttpRequest) -> HttpResponse:
    """Location → item → quantity, each step one tap; the quantity step submits with Enter."""
    locations = list(selectors.location_list(user=request.user))
    location_id = _int(request.GET.get("location") or request.POST.get("location"))
    location = selectors.location_get(user=request.user, pk=location_id) if location_id else None
    if location is None and len(locations) == 1:
        location = locations[0]
    levels = selectors.stock_at(user=request.user, location=location) if location else []
    item_id = _int(request.GET.get("item") or request.POST.get("item"))
    level = next((row for row in levels if row.item_id == item_id), None)
    if item_id and level is None:
        raise Http404
    status = 200
    form = TakeForm(request.POST or None)
    if request.method == "POST" and location is not None and level is not None:
        if form.is_valid():
            try:
                services.stock_consume(
                    location=location, item=level.item, quantity=form.cleaned_data["quantity"], actor=request.user
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Taken: %(quantity)s × %(item)s.")
                    % {"quantity": _plain(form.cleaned_data["quantity"]), "item": level.item.name},
                )
                return redirect(f"{reverse('supplies:take')}?location={location.pk}")
        status = 400
    context = {"locations": locations, "location": location, "levels": levels, "level": level, "form": form}
    return render(request, "supplies/take.html", context, status=status)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- stock and movements ---------------------------------------------------------------------------------


@require(VIEW)
def stock_list(request: HttpRequest) -> HttpResponse:
    locations = selectors.location_list(user=request.user)
    form = StockFilterForm(request.GET or None, locations=locations)
    filters = selectors.StockFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.StockFilters(
            location_id=data["location"].pk if data["location"] else None,
            category=data["category"],
            low_only=data["low_only"],
            q=data["q"],
        )
    page = page_number(request)
    rows, has_next = page_of(selectors.stock_list(user=request.user, filters=filters), page=page, per_page=PER_PAGE)
    context = {"form": form, "rows": rows, "page": page, "has_next": has_next, "query": query_without_page(request)}
    return render_page(request, "supplies/stock_list.html", context)


@require(VIEW)
def movement_list(request: HttpRequest) -> HttpResponse:
    locations = selectors.location_list(user=request.user)
    form = MovementFilterForm(request.GET or None, locations=locations)
    filters = selectors.MovementFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.MovementFilters(
            location_id=data["location"].pk if data["location"] else None,
            kind=data["kind"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    page = page_number(request)
    rows, has_next = page_of(selectors.movement_list(user=request.user, filters=filters), page=page, per_page=PER_PAGE)
    context = {"form": form, "rows": rows, "page": page, "has_next": has_next, "query": query_without_page(request)}
    return render_page(request, "supplies/movement_list.html", context)


# --- purchase requests -------------------------------------------------------------------------------------


@require(VIEW)
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in RequestStatus.values:
        status = ""
    page = page_number(request)
    rows, has_next = page_of(selectors.request_list(user=request.user, status=status), page=page, per_page=PER_PAGE)
    context = {
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "query": query_without_page(request),
        "status": status,
        "statuses": RequestStatus.choices,
    }
    return render_page(request, "supplies/request_list.html", context)


@require(REQUEST)
def request_create(request: HttpRequest) -> HttpResponse:
    locations = selectors.location_list(user=request.user)
    items = selectors.item_list(user=request.user)
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, locations=locations)
        formset = RequestLineFormSet(request.POST, prefix="lines", items=items)
        if form.is_valid() and formset.is_valid():
            lines = [
                services.RequestLineData(item=row["item"], quantity=row["quantity"])
                for row in formset.cleaned_data
                if row.get("item")
            ]
            try:
                created = services.request_create(
                    location=form.cleaned_data["location"],
                    actor=request.user,
                    lines=lines,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _line_errors(form, formset, error)
            else:
                messages.success(request, _("Request %(number)s sent for approval.") % {"number": created.number})
                return redirect("supplies:request_detail", pk=created.pk)
        status = 400
    else:
        location_id = _int(request.GET.get("location"))
        location = selectors.location_get(user=request.user, pk=location_id) if location_id else locations.first()
        initial = []
        if location is not None:
            initial = [
                {"item": level.item, "quantity": services.suggested_quantity(level)}
                for level in selectors.low_stock(user=request.user, location=location)
            ]
        form = RequestForm(initial={"location": location}, locations=locations)
        formset = RequestLineFormSet(prefix="lines", items=items, initial=initial)
    return render(request, "supplies/request_form.html", {"form": form, "formset": formset}, status=status)


def _line_errors(form: Any, formset: Any, error: ValidationError) -> None:
    """A service error named ``line-<n>`` belongs to the n-th filled line of the formset."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    filled = [line for line in formset.forms if line.cleaned_data.get("item")]
    for key, errors in error.error_dict.items():
        if key.startswith("line-") and key[5:].isdigit() and int(key[5:]) < len(filled):
            filled[int(key[5:])].add_error("quantity", errors)
        else:
            form.add_error(None, errors)


@require(VIEW)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.request_get(user=request.user, pk=pk)
    return _detail(request, found, DecisionForm())


def _detail(request: HttpRequest, found: Any, form: DecisionForm, status: int = 200) -> HttpResponse:
    context = {
        "req": found,
        "lines": list(found.lines.select_related("item", "supplier")),
        "form": form,
        "approver_role_label": services.role_label(found.approver_role),
        "may_decide": found.status == RequestStatus.SUBMITTED
        and request.user.has_perm(APPROVE)
        and found.requested_by_id != request.user.pk
        and services.may_approve(request=found, user=request.user),
    }
    return render(request, "supplies/request_detail.html", context, status=status)


@require(APPROVE)
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.request_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if request.POST.get("decision") == "reject":
                services.request_reject(request=found, actor=request.user, comment=comment)
                messages.success(request, _("Request rejected."))
            else:
                services.request_approve(request=found, actor=request.user, comment=comment)
                messages.success(request, _("Request approved."))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("supplies:request_detail", pk=found.pk)
    return _detail(request, found, form, status=400)
