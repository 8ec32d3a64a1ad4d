"""When a chat widget is online: the branch's opening hours, the widget's own weekly hours, or always.

Own hours are written one period a line, ``<weekday 1–7> HH:MM-HH:MM`` (1 is Monday), and read in
the branch's time zone. Pure functions apart from ``widget_is_online`` reading the branch's hours.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.core.models import OpeningHours

from ..models.chat import ChatWidget, HoursSource

Period = tuple[int, datetime.time, datetime.time]  # weekday 0 (Monday) … 6, opens, closes

LINE = re.compile(r"^\s*([1-7])\s+(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(text: str) -> list[Period]:
    """``"1 08:00-16:00"`` lines → periods; a bad line raises ValidationError naming it."""
    periods: list[Period] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        try:
            if match is None:
                raise ValueError
            day, oh, om, ch, cm = (int(part) for part in match.groups())
            opens, closes = datetime.time(oh, om), datetime.time(ch, cm)
        except ValueError:
            raise ValidationError(
                _("Line %(number)s: write a weekday number and hours, e.g. 1 08:00-16:00.") % {"number": number}
            ) from None
        if closes <= opens:
            raise ValidationError(_("Line %(number)s: the end must be after the start.") % {"number": number})
        periods.append((day - 1, opens, closes))
    return periods


def is_within(periods: list[Period], moment: datetime.datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    now = local.time()
    return any(day == local.weekday() and opens <= now < closes for day, opens, closes in periods)


def widget_periods(widget: ChatWidget) -> list[Period]:
    if widget.hours_source == HoursSource.OWN:
        return parse_hours(widget.own_hours)
    rows = OpeningHours.objects.filter(branch_id=widget.branch_id)
    return [(row.weekday, row.opens_at, row.closes_at) for row in rows]


def widget_is_online(widget: ChatWidget, moment: datetime.datetime) -> bool:
    """Whether visitors may start a chat now (otherwise the widget offers the e-mail form)."""
    if not widget.is_active:
        return False
    if widget.hours_source == HoursSource.ALWAYS:
        return True
    return is_within(widget_periods(widget), moment, ZoneInfo(widget.branch.time_zone))
