"""How a metric's value reads on a page, in a chart and in a CSV file."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def duration_display(seconds: float) -> str:
    """Whole seconds as "45 s", "3 min 20 s", "2 h 05 min" or "3 d 4 h"."""
    total = round(seconds)
    sign, total = ("−", -total) if total < 0 else ("", total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    elif hours:
        text = _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    elif minutes:
        text = _("%(minutes)s min %(seconds)02d s") % {"minutes": minutes, "seconds": secs}
    else:
        text = _("%(seconds)s s") % {"seconds": secs}
    return sign + text


def metric_display(unit: str, value: float | None) -> str:
    """``value`` in ``unit`` (the dictionary's units), or "no data"."""
    if value is None:
        return _("no data")
    if unit == "seconds":
        return duration_display(value)
    if unit == "percent":
        return _("%(value)s %%") % {"value": number_format(round(value, 1), 1)}
    if unit == "count":
        return number_format(round(value), 0, force_grouping=True)
    if unit == "days":
        return _("%(value)s d") % {"value": number_format(round(value, 1), 1)}
    return number_format(round(value, 1), 1)


def change_display(unit: str, change: float | None) -> str:
    """A change between two periods with its sign ("+3.0 pp", "−1 min 05 s"); "" without a comparison."""
    if change is None:
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    size = abs(change)
    if unit == "seconds":
        return sign + duration_display(size)
    if unit == "percent":
        return sign + _("%(value)s pp") % {"value": number_format(round(size, 1), 1)}
    if unit == "count":
        return sign + number_format(round(size), 0, force_grouping=True)
    return sign + number_format(round(size, 1), 1)


def csv_number(value: float | None) -> float | str:
    """A value for a CSV cell: a number rounded to four places, empty for no data."""
    return "" if value is None else round(value, 4)
