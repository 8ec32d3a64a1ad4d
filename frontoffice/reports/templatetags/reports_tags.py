"""Template helpers of the dashboards: values in their unit, and links that keep the page's filters."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote_plus, urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
    path, shared = _page_filters(context, name)
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


def _page_filters(context: Any, name: str) -> tuple[str, dict[str, list[str]]]:
    """The URL ``name`` reversed and the page's shared filters, worked out once per page: a dashboard's tables
    link every cell (thousands of links with every staff member in a table)."""
    memo = context.render_context.setdefault("report_url", {})
    if name not in memo:
        shared = {key: values for key, values in context["request"].GET.lists() if key not in PAGE_ONLY}
        memo[name] = (reverse(name), shared)
    return memo[name]


@register.simple_tag(takes_context=True)
def breakdown_rows(context: Any, table: Any) -> SafeString:
    """The body rows of a dashboard table (``dashboard.Table``): each value links to its records (the
    drill-down with the page's filters, the row's dimension and the metric), as ``report_url`` would link it.

    Built here rather than by a loop in the template: the staff table alone has 200 rows × 19 cells, and the
    template engine's per-cell work (tags, filters, lookups) was half of the dashboard's time at scale
    (docs/benchmarks.md, issue 7)."""
    path, shared = _page_filters(context, "reports:drilldown")
    no_data = f'<td><span class="muted">{escape(_("no data"))}</span></td>'
    keys: dict[str, str] = {}  # each metric's key as a link holds it, worked out once per table, not per cell
    lines = []
    for row in table.rows:
        # The row's link in two parts around its metric, in the order report_url puts the parameters.
        items = list({**shared, "metric": [""], table.by: [str(row.group)]}.items())
        at = next(n for n, (key, _values) in enumerate(items) if key == "metric")
        before, after = urlencode(items[:at], doseq=True), urlencode(items[at + 1 :], doseq=True)
        head = escape(f"{path}?{before}{'&' if before else ''}metric=")
        tail = escape(f"&{after}" if after else "")
        cells = [f'<tr>\n        <th scope="row">{escape(row.name)}</th>']
        for metric, result in row.cells:
            if result.value is None:
                cells.append(no_data)
                continue
            shown = escape(metric_display(metric.unit, result.value))
            if row.group:
                key = keys.get(metric.key) or keys.setdefault(metric.key, escape(quote_plus(metric.key)))
                href = f"{head}{key}{tail}"
                cells.append(f'<td><a href="{href}">{shown}</a></td>')
            else:
                cells.append(f"<td>{shown}</td>")
        lines.append("".join(cells) + "\n      </tr>")
    return mark_safe("\n      ".join(lines))  # every value above is escaped
