"""Reads of the supplies app, scoped to the user: the catalogue is the organisation's, locations, stock,
movements, requests and orders belong to a branch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from .models import Item, PurchaseRequest, StockLevel, StockMovement, StorageLocation, Supplier


def item_list(*, user: Any, include_inactive: bool = False) -> QuerySet[Item]:
    items = scope_queryset(Item.objects.all(), user, branch_field=None)
    if not include_inactive:
        items = items.filter(is_active=True)
    return items.select_related("preferred_supplier").order_by("name", "pk")


def item_get(*, user: Any, pk: int) -> Item:
    try:
        return item_list(user=user, include_inactive=True).get(pk=pk)
    except (Item.DoesNotExist, ValueError):
        raise Http404 from None


def supplier_list(*, user: Any) -> QuerySet[Supplier]:
    return scope_queryset(Supplier.objects.all(), user, branch_field=None).order_by("name", "pk")


def location_list(*, user: Any, include_inactive: bool = False) -> QuerySet[StorageLocation]:
    locations = scope_queryset(StorageLocation.objects.all(), user, organisation_field="branch__organisation")
    if not include_inactive:
        locations = locations.filter(is_active=True)
    return locations.select_related("branch__organisation", "department", "owner").order_by("branch__name", "name")


def location_get(*, user: Any, pk: int) -> StorageLocation:
    try:
        return location_list(user=user, include_inactive=True).get(pk=pk)
    except (StorageLocation.DoesNotExist, ValueError):
        raise Http404 from None


def _levels(user: Any) -> QuerySet[StockLevel]:
    return scope_queryset(
        StockLevel.objects.all(),
        user,
        organisation_field="location__branch__organisation",
        branch_field="location__branch",
    ).select_related("item", "location__branch")


@dataclass(frozen=True)
class StockFilters:
    location_id: int | None = None
    category: str = ""
    low_only: bool = False
    q: str = ""


def stock_list(*, user: Any, filters: StockFilters | None = None) -> QuerySet[StockLevel]:
    filters = filters or StockFilters()
    levels = _levels(user).filter(location__is_active=True, item__is_active=True)
    if filters.location_id:
        levels = levels.filter(location_id=filters.location_id)
    if filters.category:
        levels = levels.filter(item__category=filters.category)
    if filters.low_only:
        levels = levels.filter(on_hand__lte=F("reorder_point"), target_level__gt=0)
    if filters.q:
        levels = levels.filter(item__name__icontains=filters.q)
    return levels.order_by("location__name", "item__name", "pk")


def low_stock(*, user: Any, location: StorageLocation) -> list[StockLevel]:
    """Levels at ``location`` at or below their reorder point: what a new request starts with."""
    return list(stock_list(user=user, filters=StockFilters(location_id=location.pk, low_only=True)))


def stock_at(*, user: Any, location: StorageLocation) -> list[StockLevel]:
    return list(stock_list(user=user, filters=StockFilters(location_id=location.pk)))


def level_get(*, user: Any, pk: int) -> StockLevel:
    """One stock level at an active location of the user's branches (the "move or correct" page)."""
    try:
        return stock_list(user=user).select_related("location__branch__organisation").get(pk=pk)
    except (StockLevel.DoesNotExist, ValueError):
        raise Http404 from None


@dataclass(frozen=True)
class MovementFilters:
    location_id: int | None = None
    item_id: int | None = None
    kind: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def movement_list(*, user: Any, filters: MovementFilters | None = None) -> QuerySet[StockMovement]:
    filters = filters or MovementFilters()
    rows = scope_queryset(StockMovement.objects.all(), user, organisation_field="branch__organisation")
    if filters.location_id:
        rows = rows.filter(location_id=filters.location_id)
    if filters.item_id:
        rows = rows.filter(item_id=filters.item_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.actor_id:
        rows = rows.filter(actor_id=filters.actor_id)
    if filters.date_from:
        rows = rows.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(created_at__date__lte=filters.date_to)
    return rows.select_related("item", "location", "actor", "department").order_by("-created_at", "-pk")


def request_list(*, user: Any, status: str = "") -> QuerySet[PurchaseRequest]:
    rows = scope_queryset(PurchaseRequest.objects.all(), user, organisation_field="branch__organisation")
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("location", "requested_by", "decided_by", "branch__organisation").order_by(
        "-created_at", "-pk"
    )


def request_get(*, user: Any, pk: int) -> PurchaseRequest:
    try:
        return request_list(user=user).get(pk=pk)
    except (PurchaseRequest.DoesNotExist, ValueError):
        raise Http404 from None
