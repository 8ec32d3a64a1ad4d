"""Supply reports, scoped to the user like every other read: consumption by department, item and month;
spend by supplier and month; stock at or below its reorder point; adjustments and write-offs by person.

Figures are summed by the database (GROUP BY), one query per table whatever the number of movements. Months
and date ranges are the organisation's local ones (its time zone), so a movement booked at 00:30 on the first
of the month in Warsaw counts in that month although it is still the previous day in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, DateField, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Abs, Coalesce, TruncMonth

from frontoffice.core.models import Department
from frontoffice.core.scoping import scope_queryset
from frontoffice.core.selectors import organisation_for

from .choices import MovementKind, Unit
from .models import ReceiptLine, StockLevel, StockMovement
from .selectors import StockFilters, stock_list

CENT = Decimal("0.01")
MONEY_SUM = DecimalField(max_digits=16, decimal_places=2)
QUANTITY_SUM = DecimalField(max_digits=16, decimal_places=3)
# What the adjustments report lists: the corrections people make by hand (or through a stocktake).
CORRECTIONS = (MovementKind.ADJUSTED, MovementKind.WRITTEN_OFF)


@dataclass(frozen=True)
class Period:
    """Local calendar days, both ends included."""

    date_from: date
    date_to: date


def default_period(today: date) -> Period:
    """This month and the two before it: the quarter a manager looks back on."""
    start = today.replace(day=1)
    for _month in range(2):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period(start, today)


def report_zone(user: Any) -> ZoneInfo:
    """The organisation's time zone: the one its months and days are counted in."""
    return ZoneInfo(organisation_for(user).time_zone)


def _bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(period.date_from, time.min, tzinfo=zone)
    end = datetime.combine(period.date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT)


def _quantity(value: Decimal | None) -> Decimal:
    """Three decimal places at most, without trailing zeros: 3.75 l, not 3.750 l."""
    if value is None:
        return Decimal(0)
    return Decimal(f"{Decimal(value).quantize(Decimal('0.001')).normalize():f}")


def _unit_label(code: str) -> str:
    return str(Unit(code).label) if code in Unit.values else code


def _movements(user: Any) -> QuerySet[StockMovement]:
    return scope_queryset(StockMovement.objects.all(), user, organisation_field="branch__organisation")


# The price a movement is valued at: its own (deliveries carry one), else the item's last known price.
_PRICE = Coalesce(F("unit_price"), F("item__last_price"))


def department_choices(*, user: Any) -> QuerySet[Department]:
    return scope_queryset(Department.objects.all(), user, organisation_field="branch__organisation").select_related(
        "branch"
    )


# --- consumption ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsumptionFilters:
    period: Period
    location_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class ConsumptionRow:
    month: date
    branch: str
    department: str  # empty: booked without a department
    item: str
    unit: str
    quantity: Decimal
    value: Decimal | None  # None: the item has no known price


def consumption_report(*, user: Any, filters: ConsumptionFilters) -> list[ConsumptionRow]:
    """What each department used of each item, per local month, with its value at the known price."""
    zone = report_zone(user)
    start, end = _bounds(filters.period, zone)
    rows = _movements(user).filter(kind=MovementKind.CONSUMED, created_at__gte=start, created_at__lt=end)
    if filters.location_id:
        rows = rows.filter(location_id=filters.location_id)
    if filters.department_id:
        rows = rows.filter(department_id=filters.department_id)
    grouped = (
        rows.annotate(month=TruncMonth("created_at", output_field=DateField(), tzinfo=zone))
        .values("month", "branch__name", "department__name", "item_id", "item__name", "item__unit")
        .annotate(
            used=Sum(-F("quantity"), output_field=QUANTITY_SUM),
            worth=Sum(ExpressionWrapper(-F("quantity") * _PRICE, output_field=MONEY_SUM)),
        )
        .order_by("-month", "branch__name", "department__name", "item__name", "item_id")
    )
    return [
        ConsumptionRow(
            month=row["month"],
            branch=row["branch__name"],
            department=row["department__name"] or "",
            item=row["item__name"],
            unit=_unit_label(row["item__unit"]),
            quantity=_quantity(row["used"]),
            value=_money(row["worth"]),
        )
        for row in grouped
    ]


def total_value(values: Iterable[Decimal | None]) -> Decimal:
    return sum((value for value in values if value is not None), Decimal(0))


# --- spend by supplier ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendFilters:
    period: Period
    supplier_id: int | None = None


@dataclass(frozen=True)
class SpendRow:
    month: date
    supplier_id: int
    supplier: str
    nip: str
    deliveries: int
    amount: Decimal
    currency: str


def spend_report(*, user: Any, filters: SpendFilters) -> list[SpendRow]:
    """Net spend per supplier and local month, from what was delivered: delivered quantity × invoiced price."""
    zone = report_zone(user)
    start, end = _bounds(filters.period, zone)
    lines = scope_queryset(
        ReceiptLine.objects.all(),
        user,
        organisation_field="receipt__order__branch__organisation",
        branch_field="receipt__order__branch",
    ).filter(receipt__received_at__gte=start, receipt__received_at__lt=end)
    if filters.supplier_id:
        lines = lines.filter(receipt__order__supplier_id=filters.supplier_id)
    grouped = (
        lines.annotate(month=TruncMonth("receipt__received_at", output_field=DateField(), tzinfo=zone))
        .values(
            "month",
            "receipt__order__supplier_id",
            "receipt__order__supplier__name",
            "receipt__order__supplier__nip",
            "receipt__order__currency",
        )
        .annotate(
            deliveries=Count("receipt", distinct=True),
            amount=Sum(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=MONEY_SUM)),
        )
        .order_by("-month", "receipt__order__supplier__name", "receipt__order__supplier_id")
    )
    return [
        SpendRow(
            month=row["month"],
            supplier_id=row["receipt__order__supplier_id"],
            supplier=row["receipt__order__supplier__name"],
            nip=row["receipt__order__supplier__nip"],
            deliveries=row["deliveries"],
            amount=_money(row["amount"]) or Decimal(0),
            currency=row["receipt__order__currency"],
        )
        for row in grouped
    ]


@dataclass(frozen=True)
class SupplierTotal:
    supplier: str
    amount: Decimal
    currency: str
    deliveries: int


def spend_totals(rows: list[SpendRow]) -> list[SupplierTotal]:
    """Each supplier's total over the period (from the monthly rows, biggest first)."""
    totals: dict[tuple[int, str], SupplierTotal] = {}
    for row in rows:
        key = (row.supplier_id, row.currency)
        found = totals.get(key)
        totals[key] = SupplierTotal(
            supplier=row.supplier,
            currency=row.currency,
            amount=row.amount + (found.amount if found else Decimal(0)),
            deliveries=row.deliveries + (found.deliveries if found else 0),
        )
    return sorted(totals.values(), key=lambda total: (-total.amount, total.supplier))


# --- below the reorder point ------------------------------------------------------------------------------


def below_reorder_point(*, user: Any, location_id: int | None = None) -> QuerySet[StockLevel]:
    """Levels at or under their reorder point (where a target is set), by location, with the shortfall to target
    and what refilling it costs at the last price."""
    levels = stock_list(user=user, filters=StockFilters(location_id=location_id, low_only=True))
    return levels.annotate(
        missing=ExpressionWrapper(F("target_level") - F("on_hand"), output_field=QUANTITY_SUM),
        refill_cost=ExpressionWrapper(
            (F("target_level") - F("on_hand")) * F("item__last_price"), output_field=MONEY_SUM
        ),
    ).order_by("location__branch__name", "location__name", "item__name", "pk")


# --- adjustments and write-offs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdjustmentFilters:
    date_from: date | None = None  # either end may be open
    date_to: date | None = None
    actor_id: int | None = None
    location_id: int | None = None
    item_id: int | None = None
    kind: str = ""


def adjustment_list(*, user: Any, filters: AdjustmentFilters) -> QuerySet[StockMovement]:
    """Adjustments and write-offs, newest first, each with who, where, why and its value at the known price."""
    rows = _movements(user).filter(kind__in=CORRECTIONS)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.actor_id:
        rows = rows.filter(actor_id=filters.actor_id)
    if filters.location_id:
        rows = rows.filter(location_id=filters.location_id)
    if filters.item_id:
        rows = rows.filter(item_id=filters.item_id)
    if filters.date_from or filters.date_to:
        zone = report_zone(user)
        if filters.date_from:
            rows = rows.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
        if filters.date_to:
            day_after = filters.date_to + timedelta(days=1)
            rows = rows.filter(created_at__lt=datetime.combine(day_after, time.min, tzinfo=zone))
    return (
        rows.annotate(value=ExpressionWrapper(F("quantity") * _PRICE, output_field=MONEY_SUM))
        .select_related("item", "location__branch", "actor", "stocktake")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class PersonRow:
    actor_id: int | None
    name: str  # empty: booked by the system
    adjustments: int
    write_offs: int
    quantity_out: Decimal
    value_out: Decimal | None
    value_in: Decimal | None


def adjustments_by_person(*, user: Any, filters: AdjustmentFilters) -> list[PersonRow]:
    """Per person, over the same filters: how many adjustments and write-offs, and the value they took off the
    books (write-offs and downward adjustments) and put on (upward adjustments), most taken off first."""
    rows = adjustment_list(user=user, filters=filters).order_by()
    worth = ExpressionWrapper(Abs(F("quantity")) * _PRICE, output_field=MONEY_SUM)
    grouped = (
        rows.values("actor_id", "actor__first_name", "actor__last_name", "actor__username")
        .annotate(
            adjustments=Count("pk", filter=Q(kind=MovementKind.ADJUSTED)),
            write_offs=Count("pk", filter=Q(kind=MovementKind.WRITTEN_OFF)),
            quantity_out=Coalesce(
                Sum(-F("quantity"), filter=Q(quantity__lt=0), output_field=QUANTITY_SUM),
                Value(Decimal(0)),
                output_field=QUANTITY_SUM,
            ),
            value_out=Sum(worth, filter=Q(quantity__lt=0)),
            value_in=Sum(worth, filter=Q(quantity__gt=0)),
        )
        .order_by("actor__last_name", "actor__first_name", "actor_id")
    )
    people = [
        PersonRow(
            actor_id=row["actor_id"],
            name=f"{row['actor__first_name'] or ''} {row['actor__last_name'] or ''}".strip()
            or (row["actor__username"] or ""),
            adjustments=row["adjustments"],
            write_offs=row["write_offs"],
            quantity_out=_quantity(row["quantity_out"]),
            value_out=_money(row["value_out"]),
            value_in=_money(row["value_in"]),
        )
        for row in grouped
    ]
    return sorted(people, key=lambda person: -(person.value_out or Decimal(0)))


def adjustment_people(*, user: Any) -> QuerySet[Any]:
    """The people who made an adjustment or a write-off the user may see: the report's person filter."""
    actor_ids = _movements(user).filter(kind__in=CORRECTIONS, actor__isnull=False).values("actor_id")
    return get_user_model().objects.filter(pk__in=actor_ids).order_by("last_name", "first_name", "pk")
