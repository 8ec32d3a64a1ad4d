"""Reads of the supplies app, scoped to the user: the catalogue is the organisation's, locations, stock,
movements, requests and orders belong to a branch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from .models import (
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    PurchaseRequestLine,
    Receipt,
    ReceiptLine,
    StockLevel,
    StockMovement,
    StorageLocation,
    Supplier,
)


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
    item_id: int | None = None
    category: str = ""
    low_only: bool = False
    q: str = ""


def stock_list(*, user: Any, filters: StockFilters | None = None) -> QuerySet[StockLevel]:
    filters = filters or StockFilters()
    levels = _levels(user).filter(location__is_active=True, item__is_active=True)
    if filters.location_id:
        levels = levels.filter(location_id=filters.location_id)
    if filters.item_id:
        levels = levels.filter(item_id=filters.item_id)
    if filters.category:
        levels = levels.filter(item__category=filters.category)
    if filters.low_only:
        levels = levels.filter(on_hand__lte=F("reorder_point"), target_level__gt=0)
    if filters.q:
        levels = levels.filter(item__name__icontains=filters.q)
    return levels.order_by("location__name", "item__name", "pk")


def level_at(*, user: Any, location_id: int, item_id: int) -> StockLevel:
    """One item's stock level at one location of the user's branches (the API names it by both)."""
    try:
        return _levels(user).get(location_id=location_id, item_id=item_id)
    except (StockLevel.DoesNotExist, ValueError):
        raise Http404 from None


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


def movement_get(*, user: Any, pk: int) -> StockMovement:
    try:
        return movement_list(user=user).get(pk=pk)
    except (StockMovement.DoesNotExist, ValueError):
        raise Http404 from None


def request_list(
    *, user: Any, status: str = "", location_id: int | None = None, branch_id: int | None = None
) -> QuerySet[PurchaseRequest]:
    rows = scope_queryset(PurchaseRequest.objects.all(), user, organisation_field="branch__organisation")
    if status:
        rows = rows.filter(status=status)
    if location_id:
        rows = rows.filter(location_id=location_id)
    if branch_id:
        rows = rows.filter(branch_id=branch_id)
    return rows.select_related("location", "requested_by", "decided_by", "branch__organisation").order_by(
        "-created_at", "-pk"
    )


def request_get(*, user: Any, pk: int) -> PurchaseRequest:
    try:
        return request_list(user=user).get(pk=pk)
    except (PurchaseRequest.DoesNotExist, ValueError):
        raise Http404 from None


def request_lines_prefetch() -> Any:
    """A request's lines with their items, for lists that show them (one query for a whole page)."""
    return Prefetch("lines", queryset=PurchaseRequestLine.objects.select_related("item", "order_line"))


# --- catalogue searches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    q: str = ""
    category: str = ""
    supplier_id: int | None = None
    include_inactive: bool = False


def item_search(*, user: Any, filters: ItemFilters | None = None) -> QuerySet[Item]:
    """The organisation's items by name or code, category and preferred supplier."""
    filters = filters or ItemFilters()
    items = item_list(user=user, include_inactive=filters.include_inactive)
    if filters.q:
        items = items.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.supplier_id:
        items = items.filter(preferred_supplier_id=filters.supplier_id)
    return items


def supplier_search(*, user: Any, q: str = "", include_inactive: bool = False) -> QuerySet[Supplier]:
    suppliers = supplier_list(user=user)
    if not include_inactive:
        suppliers = suppliers.filter(is_active=True)
    if q:
        suppliers = suppliers.filter(Q(name__icontains=q) | Q(nip__contains=q) | Q(city__icontains=q))
    return suppliers


def supplier_get(*, user: Any, pk: int) -> Supplier:
    try:
        return supplier_list(user=user).get(pk=pk)
    except (Supplier.DoesNotExist, ValueError):
        raise Http404 from None


# --- orders and deliveries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    supplier_id: int | None = None
    location_id: int | None = None
    branch_id: int | None = None


def order_list(*, user: Any, filters: OrderFilters | None = None) -> QuerySet[PurchaseOrder]:
    """Orders at the user's branches, newest first, with their lines (for the totals) prefetched."""
    filters = filters or OrderFilters()
    rows = scope_queryset(PurchaseOrder.objects.all(), user, organisation_field="branch__organisation")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.supplier_id:
        rows = rows.filter(supplier_id=filters.supplier_id)
    if filters.location_id:
        rows = rows.filter(location_id=filters.location_id)
    if filters.branch_id:
        rows = rows.filter(branch_id=filters.branch_id)
    lines = PurchaseOrderLine.objects.select_related("item").order_by("pk")
    return (
        rows.select_related("supplier", "location", "branch__organisation")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-created_at", "-pk")
    )


def order_get(*, user: Any, pk: int) -> PurchaseOrder:
    try:
        return order_list(user=user).get(pk=pk)
    except (PurchaseOrder.DoesNotExist, ValueError):
        raise Http404 from None


def receipt_list(*, user: Any, order: PurchaseOrder) -> QuerySet[Receipt]:
    """The deliveries of ``order`` (which the caller has already read within the user's scope)."""
    scoped = scope_queryset(
        Receipt.objects.all(), user, organisation_field="order__branch__organisation", branch_field="order__branch"
    )
    lines = ReceiptLine.objects.select_related("order_line").order_by("pk")
    return (
        scoped.filter(order=order).prefetch_related(Prefetch("lines", queryset=lines)).order_by("-received_at", "-pk")
    )


def receipt_get(*, user: Any, order: PurchaseOrder, pk: int) -> Receipt:
    try:
        return receipt_list(user=user, order=order).get(pk=pk)
    except (Receipt.DoesNotExist, ValueError):
        raise Http404 from None
