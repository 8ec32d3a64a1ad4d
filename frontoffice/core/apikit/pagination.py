"""Pagination: ``?limit=&offset=``, answered with ``{"count": N, "items": [...]}``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000


class PageParameters(Schema):
    """Which page of a list to return."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items to return (1–{MAX_LIMIT}).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class LimitOffsetPagination(PaginationBase):
    """``?limit=&offset=``; the answer is ``{"count": N, "items": [...]}`` in a stable order."""

    Input = PageParameters  # type: ignore[assignment]  # a named model reads better in OpenAPI

    class Output(Schema):
        count: int = Field(description="How many items match, across all pages.")
        items: list[Any]

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        queryset = stable_order(queryset)
        offset, limit = pagination.offset, pagination.limit
        return {"count": self._items_count(queryset), "items": queryset[offset : offset + limit]}


def stable_order(queryset: Any) -> Any:
    """Add the primary key as the last sort key, so that pages neither repeat nor skip rows."""
    if not isinstance(queryset, QuerySet):
        return queryset
    ordering = list(queryset.query.order_by) or (
        list(queryset.model._meta.ordering) if queryset.query.default_ordering else []
    )
    if not any(isinstance(key, str) and key.lstrip("-") in {"pk", "id"} for key in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)
