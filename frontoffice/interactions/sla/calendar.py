"""Business-hours calendars: weekly opening hours in a time zone, minus holidays and closed days.

All arithmetic is done on absolute instants (UTC), so a day with a DST change in Europe/Warsaw
(last Sunday of March: 23 hours; last Sunday of October: 25 hours) counts its real length.
Opening hours are wall-clock times in the calendar's zone. Ranges that span midnight
(e.g. 22:00–06:00) are not supported: split them into 22:00–00:00 and 00:00–06:00 of the next day;
an end of `time(0)` means "until midnight".

Instants must be timezone-aware; a naive datetime is refused (ValueError).
"""

from __future__ import annotations

import datetime
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

from .holidays import PolishPublicHolidays

Range = tuple[datetime.time, datetime.time]
Interval = tuple[datetime.datetime, datetime.datetime]

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
# How far add_business_time looks ahead before deciding the calendar is never open.
SEARCH_DAYS = 3 * 366


def as_utc(at: datetime.datetime, name: str = "at") -> datetime.datetime:
    """The instant in UTC; a naive datetime is refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got a naive one: {at!r}")
    return at.astimezone(UTC)


def _normalise_ranges(ranges: Sequence[Range], where: str) -> tuple[Range, ...]:
    """Sorted, merged ranges; `end == time(0)` stands for midnight at the end of the day."""
    checked: list[Range] = []
    for start, end in ranges:
        if end != datetime.time(0) and end <= start:
            raise ValueError(
                f"{where}: opening hours {start:%H:%M}–{end:%H:%M} end before they start; ranges across "
                "midnight are not supported, split them at midnight (end 00:00 means midnight)."
            )
        checked.append((start, end))
    checked.sort()
    merged: list[Range] = []
    for start, end in checked:
        if merged:
            last_start, last_end = merged[-1]
            if last_end == datetime.time(0):
                continue  # the previous range already runs to midnight
            if start <= last_end:
                if end == datetime.time(0) or end > last_end:
                    merged[-1] = (last_start, end)
                continue
        merged.append((start, end))
    return tuple(merged)


class BusinessCalendar:
    """Opening hours per weekday (0 = Monday … 6 = Sunday, several ranges a day allowed).

    `holidays`: any container of dates (default: Polish public holidays); `closed_dates`: the
    organisation's extra closed days; `open_dates`: {date: ranges} days open despite being a
    weekend, holiday or closed day (e.g. a working Saturday), with their own hours.
    `always_open=True` makes a 24/7 calendar: every second counts, holidays are ignored.
    """

    def __init__(
        self,
        time_zone: str | datetime.tzinfo = "Europe/Warsaw",
        weekly_hours: Mapping[int, Sequence[Range]] | None = None,
        *,
        holidays: Container[datetime.date] | None = None,
        closed_dates: Iterable[datetime.date] = (),
        open_dates: Mapping[datetime.date, Sequence[Range]] | None = None,
        always_open: bool = False,
    ) -> None:
        self.zone = ZoneInfo(time_zone) if isinstance(time_zone, str) else time_zone
        self.always_open = always_open
        self.weekly_hours: dict[int, tuple[Range, ...]] = {}
        for weekday, ranges in (weekly_hours or {}).items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            self.weekly_hours[weekday] = _normalise_ranges(ranges, f"weekday {weekday}")
        self.holidays: Container[datetime.date] = PolishPublicHolidays() if holidays is None else holidays
        self.closed_dates = frozenset(closed_dates)
        self.open_dates = {
            day: _normalise_ranges(ranges, day.isoformat()) for day, ranges in (open_dates or {}).items()
        }
        if not always_open and not any(self.weekly_hours.values()) and not any(self.open_dates.values()):
            raise ValueError("a calendar needs opening hours on at least one day (or always_open=True)")

    @classmethod
    def around_the_clock(cls, time_zone: str | datetime.tzinfo = "Europe/Warsaw") -> BusinessCalendar:
        """The 24/7 calendar: business time equals calendar time."""
        return cls(time_zone, always_open=True)

    # --- days and intervals -------------------------------------------------------

    def ranges_on(self, day: datetime.date) -> tuple[Range, ...]:
        """The wall-clock opening ranges of a local date (empty when closed)."""
        if day in self.open_dates:
            return self.open_dates[day]
        if day in self.closed_dates or day in self.holidays:
            return ()
        return self.weekly_hours.get(day.weekday(), ())

    def _local(self, day: datetime.date, at: datetime.time) -> datetime.datetime:
        # A wall time inside the spring-forward gap (02:00–03:00) resolves, as zoneinfo does with
        # fold=0, to the instant one hour later; an ambiguous autumn time to its first occurrence.
        return datetime.datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)

    def intervals_on(self, day: datetime.date) -> list[Interval]:
        """The day's open intervals as UTC instants."""
        if self.always_open:
            return [(self._local(day, datetime.time(0)), self._local(day + ONE_DAY, datetime.time(0)))]
        intervals = []
        for start, end in self.ranges_on(day):
            end_at = self._local(day + ONE_DAY, end) if end == datetime.time(0) else self._local(day, end)
            start_at = self._local(day, start)
            if end_at > start_at:
                intervals.append((start_at, end_at))
        return intervals

    def _intervals_from(self, at: datetime.datetime, days: int = SEARCH_DAYS) -> Iterator[Interval]:
        """Open intervals ending after `at`, clipped to start no earlier than `at`, in order."""
        day = at.astimezone(self.zone).date() - ONE_DAY
        for _offset in range(days + 2):
            for start, end in self.intervals_on(day):
                if end > at:
                    yield max(start, at), end
            day += ONE_DAY

    # --- the public API -----------------------------------------------------------

    def is_open(self, at: datetime.datetime) -> bool:
        at = as_utc(at)
        day = at.astimezone(self.zone).date()
        return any(start <= at < end for d in (day - ONE_DAY, day) for start, end in self.intervals_on(d))

    def next_open(self, at: datetime.datetime) -> datetime.datetime:
        """`at` itself when open, else the next opening instant (UTC)."""
        at = as_utc(at)
        for start, _end in self._intervals_from(at):
            return start
        raise ValueError(f"the calendar is not open at any time in the {SEARCH_DAYS} days after {at.isoformat()}")

    def business_seconds(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Whole open seconds between two instants (0 when `end` is not after `start`)."""
        start, end = as_utc(start, "start"), as_utc(end, "end")
        if end <= start:
            return 0
        if self.always_open:
            return (end - start) // datetime.timedelta(seconds=1)
        total = datetime.timedelta(0)
        day = start.astimezone(self.zone).date() - ONE_DAY
        last_day = end.astimezone(self.zone).date()
        while day <= last_day:
            for open_at, close_at in self.intervals_on(day):
                overlap = min(close_at, end) - max(open_at, start)
                if overlap > datetime.timedelta(0):
                    total += overlap
            day += ONE_DAY
        return total // datetime.timedelta(seconds=1)

    def add_business_time(self, start: datetime.datetime, seconds: int) -> datetime.datetime:
        """The instant when `seconds` of open time have passed since `start` (the deadline, UTC).

        A target that is used up exactly at closing time is due at closing time, not at the next
        opening. Zero seconds is due at `start` itself.
        """
        start = as_utc(start, "start")
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        remaining = datetime.timedelta(seconds=seconds)
        if not remaining:
            return start
        if self.always_open:
            return start + remaining
        for open_at, close_at in self._intervals_from(start):
            available = close_at - open_at
            if remaining <= available:
                return open_at + remaining
            remaining -= available
        raise ValueError(f"the calendar has not enough open time in the {SEARCH_DAYS} days after {start.isoformat()}")
