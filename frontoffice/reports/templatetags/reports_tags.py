"""Template helpers of the dashboards: values in their unit, and links that keep the page's filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..formatting import change_display, metric_display

register = template.Library()

# Query parameters that belong to one page or one download, not to the shared view.
PAGE_ONLY = ("format", "table", "page", "split")


@register.filter
def metric_value(value: float | None, unit: str) -> str:
    return metric_display(unit, value)


@register.filter
def metric_change(change: float | None, unit: str) -> str:
    return change_display(unit, change)


@register.simple_tag(takes_context=True)
def report_url(context: Any, name: str, dimension: str = "", group: Any = None, **params: Any) -> str:
    """The URL ``name`` with the page's filters (period, branch, team, staff member, channel), changed by
    ``params`` (None removes one) and, for a table's cell, with ``dimension`` set to ``group``."""
    # The page's filters and the reversed URL are worked out once per page: a dashboard's tables link every
    # cell (thousands of links with every staff member in a table).
    memo = context.render_context.setdefault("report_url", {})
    if name not in memo:
        shared = {key: values for key, values in context["request"].GET.lists() if key not in PAGE_ONLY}
        memo[name] = (reverse(name), shared)
    path, shared = memo[name]
    query = dict(shared)
    if dimension:
        params[dimension] = group
    for key, value in params.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = [str(value)]
    encoded = urlencode(query, doseq=True)
    return path + (f"?{encoded}" if encoded else "")
