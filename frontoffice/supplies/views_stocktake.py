"""Stocktake pages (list, start, count on a phone, review and approve, cancel) and the "move or correct
stock" page behind a stock list row (transfer, adjustment, write-off)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.paging import page_number, page_of, query_without_page

from . import selectors, services, services_stocktake
from . import selectors_stocktake as stocktakes
from .choices import StocktakeStatus
from .forms_stocktake import (
    AdjustForm,
    StocktakeApproveForm,
    StocktakeCountForm,
    StocktakeFilterForm,
    StocktakeStartForm,
    TransferForm,
    WriteOffForm,
)
from .models import Stocktake
from .permissions import SuppliesPermission

VIEW = SuppliesPermission.VIEW_SUPPLIES.perm
COUNT = SuppliesPermission.COUNT_STOCK.perm
TAKE = SuppliesPermission.TAKE_STOCK.perm
APPROVE = services_stocktake.APPROVE_PERMISSION
PER_PAGE = 50


# --- list and start ----------------------------------------------------------------------------------------


@require(VIEW)
def stocktake_list(request: HttpRequest) -> HttpResponse:
    return _list(request, StocktakeStartForm(locations=selectors.location_list(user=request.user)))


def _list(request: HttpRequest, start_form: StocktakeStartForm, status: int = 200) -> HttpResponse:
    locations = selectors.location_list(user=request.user)
    form = StocktakeFilterForm(request.GET or None, locations=locations)
    filters = stocktakes.StocktakeFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = stocktakes.StocktakeFilters(
            location_id=data["location"].pk if data["location"] else None, status=data["status"]
        )
    page = page_number(request)
    rows, has_next = page_of(
        stocktakes.stocktake_list(user=request.user, filters=filters), page=page, per_page=PER_PAGE
    )
    context = {
        "form": form,
        "start_form": start_form,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "query": query_without_page(request),
    }
    return render_page(request, "supplies/stocktake_list.html", context, status=status)


@require(COUNT)
@require_POST
def stocktake_start(request: HttpRequest) -> HttpResponse:
    form = StocktakeStartForm(request.POST, locations=selectors.location_list(user=request.user))
    if form.is_valid():
        try:
            started = services_stocktake.stocktake_start(location=form.cleaned_data["location"], actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Stocktake started: count each item and save."))
            return redirect("supplies:stocktake_count", pk=started.pk)
    return _list(request, form, status=400)


# --- count -----------------------------------------------------------------------------------------------


@require(COUNT)
def stocktake_count(request: HttpRequest, pk: int) -> HttpResponse:
    """One input per item with the expected quantity beside it; partial counts are saved as they are."""
    found = stocktakes.stocktake_get(user=request.user, pk=pk)
    if found.status != StocktakeStatus.OPEN:
        return redirect("supplies:stocktake_detail", pk=found.pk)
    lines = list(found.lines.select_related("item").order_by("item__name", "pk"))
    form = StocktakeCountForm(request.POST or None, lines=lines)
    if request.method == "POST":
        if form.is_valid():
            try:
                services_stocktake.stocktake_count(stocktake=found, actor=request.user, counts=form.changed_counts())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Counts saved."))
                if request.POST.get("next") == "review":
                    return redirect("supplies:stocktake_detail", pk=found.pk)
                return redirect("supplies:stocktake_count", pk=found.pk)
        return render(request, "supplies/stocktake_count.html", _count_context(found, form), status=400)
    return render(request, "supplies/stocktake_count.html", _count_context(found, form))


def _count_context(found: Stocktake, form: StocktakeCountForm) -> dict[str, Any]:
    counted = sum(1 for line in form.lines if line.counted is not None)
    return {"stocktake": found, "form": form, "counted": counted, "total": len(form.lines)}


# --- review, approve, cancel -------------------------------------------------------------------------------


@require(VIEW)
def stocktake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = stocktakes.stocktake_get(user=request.user, pk=pk)
    return _detail(request, found, StocktakeApproveForm())


def _detail(request: HttpRequest, found: Stocktake, form: StocktakeApproveForm, status: int = 200) -> HttpResponse:
    lines = stocktakes.stocktake_lines(stocktake=found)
    is_open = found.status == StocktakeStatus.OPEN
    context = {
        "stocktake": found,
        "lines": lines,
        "form": form,
        "is_open": is_open,
        "uncounted": sum(1 for view in lines if view.line.counted is None),
        "differences": sum(1 for view in lines if view.differs),
        "moved": is_open and any(view.moved_since_start for view in lines),
        "may_count": is_open and request.user.has_perm(COUNT),
        "may_approve": is_open and services_stocktake.may_approve(user=request.user),
        "may_cancel": is_open
        and request.user.has_perm(COUNT)
        and (found.started_by_id == request.user.pk or services_stocktake.may_approve(user=request.user)),
    }
    return render(request, "supplies/stocktake_detail.html", context, status=status)


@require(APPROVE)
@require_POST
def stocktake_approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = stocktakes.stocktake_get(user=request.user, pk=pk)
    form = StocktakeApproveForm(request.POST)
    if form.is_valid():
        try:
            services_stocktake.stocktake_approve(
                stocktake=found, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Stocktake approved; the differences are booked."))
            return redirect("supplies:stocktake_detail", pk=found.pk)
    found.refresh_from_db(fields=["status"])
    return _detail(request, found, form, status=400)


@require(COUNT)
@require_POST
def stocktake_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = stocktakes.stocktake_get(user=request.user, pk=pk)
    try:
        services_stocktake.stocktake_cancel(stocktake=found, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Stocktake cancelled; stock was not changed."))
    return redirect("supplies:stocktake_detail", pk=found.pk)


# --- move or correct stock ---------------------------------------------------------------------------------

ACTIONS = ("transfer", "adjust", "write_off")


@require(TAKE)
def level_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Three small forms for one stock level: move to another location, correct the books, write off."""
    level = selectors.level_get(user=request.user, pk=pk)
    targets = selectors.location_list(user=request.user).exclude(pk=level.location_id)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and action not in ACTIONS:
        action = None
    if action == "adjust" and not request.user.has_perm(COUNT):
        raise PermissionDenied
    data = request.POST if action else None
    forms: dict[str, Any] = {
        "transfer": TransferForm(data if action == "transfer" else None, prefix="transfer", targets=targets),
        "adjust": AdjustForm(data if action == "adjust" else None, prefix="adjust"),
        "write_off": WriteOffForm(data if action == "write_off" else None, prefix="write_off"),
    }
    if request.method == "POST":
        form = forms.get(action or "")
        if form is not None and form.is_valid():
            try:
                done = _move(request, level, action or "", form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, done)
                return redirect("supplies:level_move", pk=level.pk)
        status = 400
    else:
        status = 200
    context = {"level": level, "forms": forms, "may_adjust": request.user.has_perm(COUNT), "action": action}
    return render(request, "supplies/level_move.html", context, status=status)


def _move(request: HttpRequest, level: Any, action: str, data: dict[str, Any]) -> str:
    item, location, quantity = level.item, level.location, data["quantity"]
    shown = {"quantity": _plain(quantity), "unit": item.get_unit_display(), "item": item.name}
    if action == "transfer":
        services.stock_transfer(
            source=location, target=data["target"], item=item, quantity=quantity, actor=request.user
        )
        return _("Moved %(quantity)s %(unit)s of %(item)s to %(target)s.") % {**shown, "target": data["target"].name}
    if action == "adjust":
        services.stock_adjust(location=location, item=item, change=quantity, reason=data["reason"], actor=request.user)
        return _("Stock of %(item)s corrected by %(quantity)s %(unit)s.") % shown
    services.stock_write_off(location=location, item=item, quantity=quantity, reason=data["reason"], actor=request.user)
    return _("Written off: %(quantity)s %(unit)s of %(item)s.") % shown


def _plain(value: Any) -> str:
    return f"{value.normalize():f}"
