"""Shared calendars and instants for the SLA tests (all times are Europe/Warsaw wall clock)."""

import datetime
from zoneinfo import ZoneInfo

from frontoffice.interactions.sla.calendar import BusinessCalendar

WARSAW = ZoneInfo("Europe/Warsaw")
UTC = datetime.UTC
T = datetime.time


def waw(text: str) -> datetime.datetime:
    """'2026-11-23 09:00' as a Warsaw wall-clock instant."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=WARSAW)


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def office(**kwargs) -> BusinessCalendar:
    """Monday to Friday 08:00–16:00 in Warsaw, Polish public holidays closed."""
    return BusinessCalendar("Europe/Warsaw", {day: [(T(8), T(16))] for day in range(5)}, **kwargs)


HOUR = 3600
