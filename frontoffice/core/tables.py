"""Sortable, paginated tables rendered on the server and refreshed over htmx.

The view hands a scoped, filtered queryset to ``Table``; the table applies
the sort chosen in the query string (only among the declared columns) and
paginates. The page template wraps the table in ``{% partialdef rows %}``
and renders just that partial for htmx requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    sort_by: str | None = None  # an order_by expression; None: not sortable


@dataclass
class RenderedColumn:
    label: str | Promise
    sortable: bool
    sorted: bool
    descending: bool
    sort_query: str

    @property
    def aria_sort(self) -> str:
        return "descending" if self.descending else "ascending"


class Table:
    def __init__(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        columns: list[Column],
        *,
        default_sort: str,
        per_page: int = 25,
        table_id: str = "table",
    ) -> None:
        self.id = table_id
        self._params = request.GET.copy()
        self._columns = columns
        by_key = {column.key: column for column in columns if column.sort_by}
        requested = self._params.get("sort", default_sort)
        descending = requested.startswith("-")
        key = requested.lstrip("-")
        if key not in by_key:
            key, descending = default_sort.lstrip("-"), default_sort.startswith("-")
        self.sort_key, self.descending = key, descending
        order = by_key[key].sort_by if key in by_key else key
        assert order is not None
        # The primary key breaks ties so that pages never repeat or skip rows.
        ordered = queryset.order_by(f"-{order}" if descending else order, "-pk" if descending else "pk")
        self.paginator = Paginator(ordered, per_page)
        self.page_obj: Page = self.paginator.get_page(self._params.get("page"))

    @property
    def rows(self) -> list[Any]:
        return list(self.page_obj.object_list)

    @property
    def columns(self) -> list[RenderedColumn]:
        rendered = []
        for column in self._columns:
            is_sorted = column.key == self.sort_key
            next_sort = f"-{column.key}" if is_sorted and not self.descending else column.key
            rendered.append(
                RenderedColumn(
                    label=column.label,
                    sortable=column.sort_by is not None,
                    sorted=is_sorted,
                    descending=is_sorted and self.descending,
                    sort_query=self._query(sort=next_sort, page=None),
                )
            )
        return rendered

    @property
    def query_without_page(self) -> str:
        return self._query(page=None)

    @property
    def total(self) -> int:
        return self.paginator.count

    def _query(self, **changes: str | None) -> str:
        params = {key: value for key, value in self._params.items() if value}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)
