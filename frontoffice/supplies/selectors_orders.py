"""Reads behind the order and delivery pages, scoped to the user's branches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from .models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine

AMOUNT = DecimalField(max_digits=14, decimal_places=2)


def order_list(*, user: Any, status: str = "") -> QuerySet[PurchaseOrder]:
    """Orders of the user's branches, newest first, each with its net total (one query for a page)."""
    rows = scope_queryset(PurchaseOrder.objects.all(), user, organisation_field="branch__organisation")
    if status:
        rows = rows.filter(status=status)
    return (
        rows.select_related("branch", "location", "supplier", "created_by")
        .annotate(
            total=Coalesce(
                Sum(ExpressionWrapper(F("lines__quantity") * F("lines__unit_price"), output_field=AMOUNT)),
                Value(Decimal(0)),
                output_field=AMOUNT,
            )
        )
        .order_by("-created_at", "-pk")
    )


def order_get(*, user: Any, pk: int) -> PurchaseOrder:
    try:
        return (
            scope_queryset(PurchaseOrder.objects.all(), user, organisation_field="branch__organisation")
            .select_related("branch__organisation", "location", "supplier", "created_by")
            .get(pk=pk)
        )
    except (PurchaseOrder.DoesNotExist, ValueError):
        raise Http404 from None


def order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(order.lines.select_related("item").order_by("pk"))


def order_receipts(order: PurchaseOrder) -> list[Receipt]:
    """The order's deliveries, oldest first, each with how many of its lines came at another price."""
    return list(
        order.receipts.select_related("received_by")
        .annotate(price_differences=Count("lines", filter=Q(lines__price_differs=True)))
        .order_by("received_at", "pk")
    )


def receipt_get(*, user: Any, pk: int) -> Receipt:
    try:
        return (
            scope_queryset(
                Receipt.objects.all(),
                user,
                organisation_field="order__branch__organisation",
                branch_field="order__branch",
            )
            .select_related("order__supplier", "order__location", "order__branch", "received_by")
            .get(pk=pk)
        )
    except (Receipt.DoesNotExist, ValueError):
        raise Http404 from None


def receipt_lines(receipt: Receipt) -> list[ReceiptLine]:
    return list(receipt.lines.select_related("order_line__item").order_by("pk"))
