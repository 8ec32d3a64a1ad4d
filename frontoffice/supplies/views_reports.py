"""Supply reports: consumption, spend by supplier, stock below the reorder point, and adjustments and write-offs
by person. Filters live in the query string (a filtered report is a link to share); ``?format=csv`` downloads
the same table as CSV."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.csv_export import csv_response
from frontoffice.core.decorators import require
from frontoffice.core.paging import page_number, page_of, query_without_page

from . import selectors
from . import selectors_reports as reports
from .forms_reports import AdjustmentFilterForm, ConsumptionFilterForm, LowStockFilterForm, SpendFilterForm
from .permissions import SuppliesPermission

REPORTS = SuppliesPermission.VIEW_SUPPLY_REPORTS.perm
PER_PAGE = 50


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _with_period(request: HttpRequest) -> QueryDict:
    """The query string, with this month and the two before it when no period is given."""
    data = request.GET.copy()
    data.pop("format", None)
    period = reports.default_period(timezone.localdate())
    if not data.get("date_from") and not data.get("date_to"):
        data["date_from"], data["date_to"] = period.date_from.isoformat(), period.date_to.isoformat()
    return data


def _period(data: dict[str, Any]) -> reports.Period:
    return reports.Period(data["date_from"], data["date_to"])


def _pk(value: Any) -> int | None:
    return value.pk if value is not None else None


# CSV cells get numbers, not text: the CSV writer leaves them as they are (a minus is no formula), and a
# quantity is written without trailing zeros ("4", "0.5"), an amount with its two decimal places.
def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value.normalize():f}")


def _amount(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(reports.CENT)


def _without(data: QueryDict, *names: str) -> str:
    kept = data.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def _page(request: HttpRequest, template: str, context: dict[str, Any], form: Any) -> HttpResponse:
    return render(request, template, context, status=200 if form.is_valid() else 400)


# --- consumption --------------------------------------------------------------------------------------------


@require(REPORTS)
def consumption(request: HttpRequest) -> HttpResponse:
    data = _with_period(request)
    form = ConsumptionFilterForm(
        data,
        locations=selectors.location_list(user=request.user, include_inactive=True),
        departments=reports.department_choices(user=request.user),
    )
    context: dict[str, Any] = {"form": form, "rows": None, "query": data.urlencode()}
    if form.is_valid():
        cleaned = form.cleaned_data
        rows = reports.consumption_report(
            user=request.user,
            filters=reports.ConsumptionFilters(
                period=_period(cleaned),
                location_id=_pk(cleaned["location"]),
                department_id=_pk(cleaned["department"]),
            ),
        )
        if _wants_csv(request):
            return _consumption_csv(rows, _period(cleaned))
        context.update(rows=rows, total=reports.total_value(row.value for row in rows), period=_period(cleaned))
    return _page(request, "supplies/reports/consumption.html", context, form)


def _consumption_csv(rows: list[reports.ConsumptionRow], period: reports.Period) -> HttpResponse:
    header = [_("Month"), _("Branch"), _("Department"), _("Item"), _("Quantity"), _("Unit"), _("Value (net)")]
    lines = (
        [
            row.month.strftime("%Y-%m"),
            row.branch,
            row.department,
            row.item,
            _number(row.quantity),
            row.unit,
            _amount(row.value),
        ]
        for row in rows
    )
    return csv_response(f"supplies-consumption-{period.date_from}-{period.date_to}.csv", header, lines)


# --- spend by supplier --------------------------------------------------------------------------------------


@require(REPORTS)
def spend(request: HttpRequest) -> HttpResponse:
    data = _with_period(request)
    form = SpendFilterForm(data, suppliers=selectors.supplier_list(user=request.user))
    context: dict[str, Any] = {"form": form, "rows": None, "query": data.urlencode()}
    if form.is_valid():
        cleaned = form.cleaned_data
        period = _period(cleaned)
        rows = reports.spend_report(
            user=request.user, filters=reports.SpendFilters(period=period, supplier_id=_pk(cleaned["supplier"]))
        )
        if _wants_csv(request):
            return _spend_csv(rows, period)
        context.update(rows=rows, totals=reports.spend_totals(rows), period=period)
    return _page(request, "supplies/reports/spend.html", context, form)


def _spend_csv(rows: list[reports.SpendRow], period: reports.Period) -> HttpResponse:
    header = [_("Month"), _("Supplier"), _("NIP"), _("Deliveries"), _("Amount (net)"), _("Currency")]
    lines = (
        [row.month.strftime("%Y-%m"), row.supplier, row.nip, row.deliveries, _amount(row.amount), row.currency]
        for row in rows
    )
    return csv_response(f"supplies-spend-{period.date_from}-{period.date_to}.csv", header, lines)


# --- below the reorder point --------------------------------------------------------------------------------


@require(REPORTS)
def low_stock(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.pop("format", None)
    form = LowStockFilterForm(data, locations=selectors.location_list(user=request.user))
    context: dict[str, Any] = {"form": form, "rows": None, "query": data.urlencode()}
    if form.is_valid():
        levels = reports.below_reorder_point(user=request.user, location_id=_pk(form.cleaned_data["location"]))
        if _wants_csv(request):
            return _low_stock_csv(levels)
        rows: list[Any] = list(levels)
        context.update(rows=rows, total=reports.total_value(row.refill_cost for row in rows))
    return _page(request, "supplies/reports/low_stock.html", context, form)


def _low_stock_csv(levels: Any) -> HttpResponse:
    header = [
        _("Branch"),
        _("Location"),
        _("Item"),
        _("On hand"),
        _("Reorder point"),
        _("Target level"),
        _("Shortfall"),
        _("Unit"),
        _("Refill cost (net)"),
    ]
    lines = (
        [
            level.location.branch.name,
            level.location.name,
            level.item.name,
            _number(level.on_hand),
            _number(level.reorder_point),
            _number(level.target_level),
            _number(level.missing),
            level.item.get_unit_display(),
            _amount(level.refill_cost),
        ]
        for level in levels.iterator(chunk_size=2000)
    )
    return csv_response(f"supplies-below-reorder-point-{timezone.localdate()}.csv", header, lines)


# --- adjustments and write-offs -----------------------------------------------------------------------------


@require(REPORTS)
def adjustments(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.pop("format", None)
    form = AdjustmentFilterForm(
        data,
        people=reports.adjustment_people(user=request.user),
        locations=selectors.location_list(user=request.user, include_inactive=True),
        items=selectors.item_list(user=request.user, include_inactive=True),
    )
    context: dict[str, Any] = {"form": form, "rows": None, "people": None}
    if form.is_valid():
        cleaned = form.cleaned_data
        filters = reports.AdjustmentFilters(
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
            actor_id=_pk(cleaned["person"]),
            location_id=_pk(cleaned["location"]),
            item_id=_pk(cleaned["item"]),
            kind=cleaned["kind"],
        )
        if _wants_csv(request):
            return _adjustments_csv(reports.adjustment_list(user=request.user, filters=filters))
        page = page_number(request)
        rows, has_next = page_of(
            reports.adjustment_list(user=request.user, filters=filters), page=page, per_page=PER_PAGE
        )
        context.update(
            rows=rows,
            page=page,
            has_next=has_next,
            query=query_without_page(request),
            person_query=_without(data, "person", "page"),
            people=reports.adjustments_by_person(user=request.user, filters=filters),
        )
    return _page(request, "supplies/reports/adjustments.html", context, form)


def _adjustments_csv(movements: Any) -> HttpResponse:
    header = [
        _("When"),
        _("Kind"),
        _("Who"),
        _("Branch"),
        _("Location"),
        _("Item"),
        _("Quantity"),
        _("Unit"),
        _("Value (net)"),
        _("Reason"),
    ]
    lines = (
        [
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
            row.get_kind_display(),
            (row.actor.get_full_name() or row.actor.get_username()) if row.actor else _("system"),
            row.location.branch.name,
            row.location.name,
            row.item.name,
            _number(row.quantity),
            row.item.get_unit_display(),
            _amount(row.value),
            row.reason,
        ]
        for row in movements.iterator(chunk_size=2000)
    )
    return csv_response(f"supplies-adjustments-{timezone.localdate()}.csv", header, lines)
