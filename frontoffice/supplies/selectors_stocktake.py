"""Reads of stocktakes, scoped like the locations they count: the user's organisation and branches."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from .choices import StocktakeStatus
from .models import StockLevel, StockMovement, Stocktake, StocktakeLine


@dataclass(frozen=True)
class StocktakeFilters:
    location_id: int | None = None
    status: str = ""


def stocktake_list(*, user: Any, filters: StocktakeFilters | None = None) -> QuerySet[Stocktake]:
    """Stocktakes at the user's locations, newest first, each with how many lines it has and has counted."""
    filters = filters or StocktakeFilters()
    rows = scope_queryset(
        Stocktake.objects.all(),
        user,
        organisation_field="location__branch__organisation",
        branch_field="location__branch",
    )
    if filters.location_id:
        rows = rows.filter(location_id=filters.location_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return (
        rows.select_related("location__branch", "started_by", "approved_by")
        .annotate(
            line_count=Count("lines"),
            counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
        )
        .order_by("-started_at", "-pk")
    )


def stocktake_get(*, user: Any, pk: int) -> Stocktake:
    try:
        return stocktake_list(user=user).select_related("location__branch__organisation").get(pk=pk)
    except (Stocktake.DoesNotExist, ValueError):
        raise Http404 from None


@dataclass(frozen=True)
class LineView:
    """One line as the review shows it: what the books expected at the start, what they say now, the count,
    and the adjustment — the one approval would book (counted − on hand now) or, once approved, the one booked."""

    line: StocktakeLine
    on_hand_now: Decimal
    adjustment: Decimal | None

    @property
    def moved_since_start(self) -> bool:
        return self.on_hand_now != self.line.expected

    @property
    def differs(self) -> bool:
        return bool(self.adjustment)


def stocktake_lines(*, stocktake: Stocktake) -> list[LineView]:
    """The lines of a stocktake (already scoped by ``stocktake_get``) with the stock now: two queries."""
    lines = list(stocktake.lines.select_related("item", "counted_by").order_by("item__name", "pk"))
    on_hand: dict[int, Decimal] = dict(
        StockLevel.objects.filter(
            location_id=stocktake.location_id, item_id__in=[line.item_id for line in lines]
        ).values_list("item_id", "on_hand")
    )
    booked: dict[int, Decimal] = {}
    if stocktake.status == StocktakeStatus.APPROVED:
        booked = dict(
            StockMovement.objects.filter(stocktake=stocktake)
            .values("item_id")
            .annotate(total=Sum("quantity"))
            .values_list("item_id", "total")
        )
    views = []
    for line in lines:
        now = on_hand.get(line.item_id, Decimal(0))
        if stocktake.status == StocktakeStatus.APPROVED:
            adjustment: Decimal | None = booked.get(line.item_id, Decimal(0))
        elif stocktake.status == StocktakeStatus.OPEN and line.counted is not None:
            adjustment = line.counted - now
        else:
            adjustment = None
        views.append(LineView(line=line, on_hand_now=now, adjustment=adjustment))
    return views
