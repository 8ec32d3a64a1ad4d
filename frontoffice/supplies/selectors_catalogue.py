"""Reads behind the catalogue pages: items with filters, suppliers, a location's levels, the owners a
location may have and the per-visit-type consumption rules. The catalogue is the organisation's;
locations and their rules belong to a branch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from frontoffice.accounts.selectors import staff_list
from frontoffice.core.models import Department
from frontoffice.core.scoping import scope_queryset

from .models import Item, StockLevel, StorageLocation, Supplier, VisitConsumption
from .selectors import item_list, supplier_list


@dataclass(frozen=True)
class ItemFilters:
    q: str = ""
    category: str = ""
    supplier_id: int | None = None
    active: str = "yes"  # "yes", "no" or "" (both)


def item_search(*, user: Any, filters: ItemFilters | None = None) -> QuerySet[Item]:
    """The organisation's items by name or code, category, preferred supplier and whether active."""
    filters = filters or ItemFilters()
    items = item_list(user=user, include_inactive=True)
    if filters.active == "yes":
        items = items.filter(is_active=True)
    elif filters.active == "no":
        items = items.filter(is_active=False)
    if filters.category:
        items = items.filter(category=filters.category)
    if filters.supplier_id:
        items = items.filter(preferred_supplier_id=filters.supplier_id)
    if filters.q:
        items = items.filter(Q(name__icontains=filters.q) | Q(code__iexact=filters.q))
    return items


def supplier_get(*, user: Any, pk: int) -> Supplier:
    try:
        return supplier_list(user=user).get(pk=pk)
    except (Supplier.DoesNotExist, ValueError):
        raise Http404 from None


def supplier_choices(*, user: Any, keep: Supplier | None = None) -> QuerySet[Supplier]:
    """Active suppliers, plus ``keep`` (an item's current supplier) even when it is no longer active."""
    condition = Q(is_active=True)
    if keep is not None:
        condition |= Q(pk=keep.pk)
    return supplier_list(user=user).filter(condition)


def levels_at(*, user: Any, location: StorageLocation) -> QuerySet[StockLevel]:
    """Every level kept at ``location`` (active items), for setting reorder points and targets."""
    return (
        scope_queryset(
            StockLevel.objects.all(),
            user,
            organisation_field="location__branch__organisation",
            branch_field="location__branch",
        )
        .filter(location=location, item__is_active=True)
        .select_related("item")
        .order_by("item__name", "pk")
    )


def department_choices(*, user: Any, branch_id: int | None = None) -> QuerySet[Department]:
    """Active departments of the user's branches (of one branch when ``branch_id`` is given)."""
    departments = scope_queryset(Department.objects.all(), user, organisation_field="branch__organisation").filter(
        is_active=True
    )
    if branch_id is not None:
        departments = departments.filter(branch_id=branch_id)
    return departments.select_related("branch").order_by("branch__name", "name")


def owner_choices(*, user: Any) -> QuerySet[Any]:
    """Active staff the user can see: who may own a location (and get its low-stock alerts)."""
    return (
        get_user_model()
        .objects.filter(pk__in=staff_list(user=user).values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


def visit_rule_list(*, user: Any) -> QuerySet[VisitConsumption]:
    return (
        scope_queryset(
            VisitConsumption.objects.all(),
            user,
            organisation_field="location__branch__organisation",
            branch_field="location__branch",
        )
        .select_related("location__branch", "item")
        .order_by("location__branch__name", "location__name", "visit_type_id", "item__name", "pk")
    )


def visit_rule_get(*, user: Any, pk: int) -> VisitConsumption:
    try:
        return visit_rule_list(user=user).get(pk=pk)
    except (VisitConsumption.DoesNotExist, ValueError):
        raise Http404 from None
