"""Polish public holidays (dni ustawowo wolne od pracy) for any year, plus organisation closed days.

The statutory list (ustawa o dniach wolnych od pracy, as amended): fixed dates, the Easter-based
movable feasts, Epiphany from 2011 and Christmas Eve (24 December) from 2025.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

from django.utils.translation import gettext_lazy as _


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[tuple[datetime.date, str], ...]:
    d = datetime.date
    easter = easter_sunday(year)
    days: list[tuple[datetime.date, str]] = [
        (d(year, 1, 1), "new_year"),
        (easter, "easter_sunday"),
        (easter + datetime.timedelta(days=1), "easter_monday"),
        (d(year, 5, 1), "labour_day"),
        (d(year, 5, 3), "constitution_day"),
        (easter + datetime.timedelta(days=49), "pentecost"),
        (easter + datetime.timedelta(days=60), "corpus_christi"),
        (d(year, 8, 15), "assumption"),
        (d(year, 11, 1), "all_saints"),
        (d(year, 11, 11), "independence_day"),
        (d(year, 12, 25), "christmas_day"),
        (d(year, 12, 26), "boxing_day"),
    ]
    if year >= 2011:
        days.append((d(year, 1, 6), "epiphany"))
    if year >= 2025:
        days.append((d(year, 12, 24), "christmas_eve"))
    return tuple(sorted(days))


HOLIDAY_NAMES = {
    "new_year": _("New Year's Day"),
    "epiphany": _("Epiphany"),
    "easter_sunday": _("Easter Sunday"),
    "easter_monday": _("Easter Monday"),
    "labour_day": _("Labour Day"),
    "constitution_day": _("Constitution Day (3 May)"),
    "pentecost": _("Pentecost Sunday"),
    "corpus_christi": _("Corpus Christi"),
    "assumption": _("Assumption of Mary"),
    "all_saints": _("All Saints' Day"),
    "independence_day": _("Independence Day"),
    "christmas_eve": _("Christmas Eve"),
    "christmas_day": _("Christmas Day"),
    "boxing_day": _("Second Day of Christmas"),
}


def polish_public_holidays(year: int) -> dict[datetime.date, str]:
    """The year's public holidays as {date: code}; `HOLIDAY_NAMES[code]` is the translated name."""
    return dict(_holidays(year))


def is_polish_public_holiday(day: datetime.date) -> bool:
    return any(holiday == day for holiday, _code in _holidays(day.year))


class PolishPublicHolidays:
    """A container of dates: `day in PolishPublicHolidays(extra_closed=[...])`.

    `extra_closed` are the organisation's own closed days (e.g. a bridge day after a holiday);
    they count exactly like public holidays. Pass an instance as a calendar's `holidays`.
    """

    def __init__(self, extra_closed: Iterable[datetime.date] = ()) -> None:
        self.extra_closed = frozenset(extra_closed)

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
            return False
        return day in self.extra_closed or is_polish_public_holiday(day)

    def for_year(self, year: int) -> list[datetime.date]:
        """Every closed day of the year (public holidays and the organisation's own), sorted."""
        days = set(polish_public_holidays(year)) | {day for day in self.extra_closed if day.year == year}
        return sorted(days)

    def __repr__(self) -> str:
        return f"PolishPublicHolidays(extra_closed={sorted(self.extra_closed)!r})"
