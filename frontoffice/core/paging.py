"""Paging for list pages that never count the whole table: "next" is known from one row more than the page."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import HttpRequest

LAST_PAGE = 10_000  # a page number beyond this is taken as this (an offset that deep is never a real request)


def page_number(request: HttpRequest) -> int:
    """The ``page`` asked for in the query string; 1 when missing or not a positive number."""
    raw = request.GET.get("page", "1")
    return min(int(raw), LAST_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def query_without_page(request: HttpRequest) -> str:
    """The query string's filters, for the previous and next links to add their own ``page`` to."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def page_of[M: Model](rows: QuerySet[M], *, page: int, per_page: int) -> tuple[list[M], bool]:
    """One page of ``rows`` and whether another follows, without a COUNT(*) over the table."""
    start = (max(page, 1) - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    return found[:per_page], len(found) > per_page
