"""Stocktakes through the API: list and read, start, submit counts, approve, cancel.

The same services and rules as the pages (``services_stocktake``): counting needs the count-stock
permission, approval a manager or administrator (``services_stocktake.APPROVE_PERMISSION``)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, requires

from . import selectors, services_stocktake
from . import selectors_stocktake as stocktakes
from .models import Stocktake
from .permissions import SuppliesPermission
from .schemas_stocktakes import (
    StocktakeApproveIn,
    StocktakeCountsIn,
    StocktakeFilters,
    StocktakeOut,
    StocktakeStartIn,
    StocktakeSummaryOut,
)

router = Router(tags=["Supplies: stocktakes"])

VIEW = SuppliesPermission.VIEW_SUPPLIES.perm
COUNT = SuppliesPermission.COUNT_STOCK.perm
APPROVE = services_stocktake.APPROVE_PERMISSION


def _full(user: Any, pk: int) -> Stocktake:
    """The stocktake as the user may see it now, with its lines: a few queries, whatever its size."""
    stocktake = stocktakes.stocktake_get(user=user, pk=pk)
    stocktake.line_views = stocktakes.stocktake_lines(stocktake=stocktake)  # type: ignore[attr-defined]
    return stocktake


@router.get("/supplies/stocktakes", response=list[StocktakeSummaryOut], summary="List stocktakes")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def supplies_stocktake_list(request: HttpRequest, filters: Query[StocktakeFilters]) -> Any:
    """Stocktakes at your branches' locations, newest first, with how many items are counted."""
    return stocktakes.stocktake_list(
        user=current_user(request),
        filters=stocktakes.StocktakeFilters(location_id=filters.location_id, status=filters.status or ""),
    )


@router.get("/supplies/stocktakes/{int:stocktake_id}", response=StocktakeOut, summary="Get a stocktake")
@requires(VIEW)
def supplies_stocktake_get(request: HttpRequest, stocktake_id: Id) -> Any:
    """A stocktake with every line: expected at the start, on hand now, counted, and the adjustment."""
    return _full(current_user(request), stocktake_id)


@router.post("/supplies/stocktakes", response={201: StocktakeOut}, summary="Start a stocktake")
@requires(COUNT)
@idempotent
def supplies_stocktake_start(request: HttpRequest, payload: StocktakeStartIn) -> Any:
    """Opens a count of one location; each line expects what the books say is on hand now. One open
    stocktake per location (422 otherwise). Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    try:
        location = selectors.location_get(user=user, pk=payload.location_id)
    except Http404:
        raise ValidationError(
            {"location_id": _("No such record, or it is outside your organisation or branches.")}
        ) from None
    started = services_stocktake.stocktake_start(location=location, actor=user)
    return Status(201, _full(user, started.pk))


@router.post("/supplies/stocktakes/{int:stocktake_id}/counts", response=StocktakeOut, summary="Submit counts")
@requires(COUNT)
def supplies_stocktake_count(request: HttpRequest, stocktake_id: Id, payload: StocktakeCountsIn) -> Any:
    """Saves counted quantities by item; partial counts are fine. Zero is a count; negatives and
    fractions of whole-unit items are refused (422, nothing saved)."""
    user = current_user(request)
    stocktake = stocktakes.stocktake_get(user=user, pk=stocktake_id)
    counts = {count.item_id: count.counted for count in payload.counts}
    try:
        services_stocktake.stocktake_count(stocktake=stocktake, actor=user, counts=counts)
    except ValidationError as error:
        raise _by_position(error, [count.item_id for count in payload.counts]) from None
    return _full(user, stocktake.pk)


def _by_position(error: ValidationError, item_ids: list[int]) -> ValidationError:
    """The service names a count by its item; the API names it by where it stands in the body."""
    if not hasattr(error, "error_dict"):
        return error
    where = {
        services_stocktake.count_field(item_id): f"counts.{index}.counted" for index, item_id in enumerate(item_ids)
    }
    return ValidationError({where.get(key, key): errors for key, errors in error.error_dict.items()})


@router.post("/supplies/stocktakes/{int:stocktake_id}/approve", response=StocktakeOut, summary="Approve a stocktake")
@requires(APPROVE)
def supplies_stocktake_approve(request: HttpRequest, stocktake_id: Id, payload: StocktakeApproveIn) -> Any:
    """Books every difference as an adjustment so that on-hand stock equals what was counted (against the
    stock on hand at approval). Every item must be counted; a reason is required when anything differs."""
    user = current_user(request)
    stocktake = stocktakes.stocktake_get(user=user, pk=stocktake_id)
    services_stocktake.stocktake_approve(stocktake=stocktake, actor=user, reason=payload.reason)
    return _full(user, stocktake.pk)


@router.post("/supplies/stocktakes/{int:stocktake_id}/cancel", response=StocktakeOut, summary="Cancel a stocktake")
@requires(COUNT)
def supplies_stocktake_cancel(request: HttpRequest, stocktake_id: Id) -> Any:
    """Drops an open count without touching stock: the person who started it, or a manager."""
    user = current_user(request)
    stocktake = stocktakes.stocktake_get(user=user, pk=stocktake_id)
    services_stocktake.stocktake_cancel(stocktake=stocktake, actor=user)
    return _full(user, stocktake.pk)
