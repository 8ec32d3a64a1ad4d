"""Server-side SVG charts (pygal): no JavaScript, the same drawing for the page and for printed reports."""

from __future__ import annotations

from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from .dashboard import Trend
from .formatting import metric_display

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#9aa5b1",
    colors=("#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9", "#0e7490", "#a16207", "#be185d"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
    no_data_font_size=16,
)


def _without_scripts(root: Any) -> Any:
    """Drop pygal's inline config script: the chart is an image and needs none (``js=[]`` drops the rest)."""
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def trend_svg(trend: Trend) -> bytes:
    """``trend`` as a line chart; a gap where a day, week or month has no data, "No data" when none has."""
    unit = trend.metric.unit
    chart = pygal.Line(
        style=STYLE,
        width=440,
        height=240,
        explicit_size=True,
        js=[],  # no scripts: an image runs none, and the page's content security policy allows none
        title=str(trend.metric.name),
        show_legend=len(trend.series) > 1,
        legend_at_bottom=True,
        x_label_rotation=30,
        show_minor_x_labels=False,
        x_labels_major_count=8,
        truncate_label=-1,
        dots_size=2.5,
        allow_interruptions=True,
        no_data_text=_("No data"),
        value_formatter=lambda value: metric_display(unit, value),
    )
    chart.add_xml_filter(_without_scripts)
    chart.x_labels = trend.labels
    for name, values in trend.series:
        chart.add(name, values)
    return chart.render()
