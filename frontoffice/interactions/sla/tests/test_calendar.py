"""Business-hours arithmetic checked against hand-computed cases (the arithmetic is in the comments).

Unless a test says otherwise the calendar is `office()`: Monday–Friday 08:00–16:00 Europe/Warsaw,
Polish public holidays closed. Winter time is CET = UTC+1, summer time CEST = UTC+2.
"""

import datetime

import pytest

from frontoffice.interactions.sla.calendar import BusinessCalendar
from frontoffice.interactions.sla.holidays import PolishPublicHolidays

from .helpers import HOUR, T, office, utc, waw


def test_within_one_day():
    # Mon 23 Nov 2026 09:00 → 11:30 = 2 h 30 min = 9000 s.
    assert office().business_seconds(waw("2026-11-23 09:00"), waw("2026-11-23 11:30")) == 9000


def test_end_before_start_is_zero_and_naive_datetimes_are_refused():
    calendar = office()
    assert calendar.business_seconds(waw("2026-11-23 11:00"), waw("2026-11-23 09:00")) == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.business_seconds(datetime.datetime(2026, 11, 23, 9), waw("2026-11-23 11:00"))


def test_weekend_crossing():
    # Fri 20 Nov 2026 15:00, 4 h target: Fri 15:00–16:00 = 1 h; Sat, Sun closed;
    # Mon 23 Nov 08:00 + 3 h = 11:00 CET = 10:00 UTC.
    calendar = office()
    start = waw("2026-11-20 15:00")
    assert calendar.add_business_time(start, 4 * HOUR) == utc("2026-11-23 10:00")
    assert calendar.business_seconds(start, waw("2026-11-23 11:00")) == 4 * HOUR
    # Friday 16:00 to Monday 08:00 has no open second at all.
    assert calendar.business_seconds(waw("2026-11-20 16:00"), waw("2026-11-23 08:00")) == 0


def test_constitution_day_crossing():
    # Fri 30 Apr 2027 15:00 CEST, 2 h: Fri 15:00–16:00 = 1 h; Sat 1 May (holiday, weekend), Sun 2 May,
    # Mon 3 May (Constitution Day) closed; Tue 4 May 08:00 + 1 h = 09:00 CEST = 07:00 UTC.
    assert office().add_business_time(waw("2027-04-30 15:00"), 2 * HOUR) == utc("2027-05-04 07:00")


def test_easter_monday_crossing():
    # Fri 3 Apr 2026 (Good Friday is a working day) 15:30 CEST, 2 h: Fri 15:30–16:00 = 30 min;
    # Sat 4, Sun 5 (Easter), Mon 6 Apr (Easter Monday) closed; Tue 7 Apr 08:00 + 1 h 30 = 09:30 CEST = 07:30 UTC.
    calendar = office()
    assert calendar.add_business_time(waw("2026-04-03 15:30"), 2 * HOUR) == utc("2026-04-07 07:30")
    assert calendar.business_seconds(waw("2026-04-06 08:00"), waw("2026-04-06 16:00")) == 0


def test_christmas_eve_is_closed_from_2025():
    calendar = office()
    # Wed 23 Dec 2026 14:00 CET, 4 h: Wed 14:00–16:00 = 2 h; Thu 24 (Christmas Eve), Fri 25, Sat 26, Sun 27
    # closed; Mon 28 Dec 08:00 + 2 h = 10:00 CET = 09:00 UTC.
    assert calendar.add_business_time(waw("2026-12-23 14:00"), 4 * HOUR) == utc("2026-12-28 09:00")
    # In 2024 Christmas Eve was a working day: Mon 23 Dec 2024 14:00 + 4 h = Tue 24 Dec 10:00 CET = 09:00 UTC.
    assert calendar.add_business_time(waw("2024-12-23 14:00"), 4 * HOUR) == utc("2024-12-24 09:00")


def test_organisation_closed_day():
    # Bridge day Tue 10 Nov 2026 closed by the organisation, Wed 11 Nov is Independence Day.
    # Mon 9 Nov 15:00, 2 h: Mon 1 h; Thu 12 Nov 08:00 + 1 h = 09:00 CET = 08:00 UTC.
    bridge = datetime.date(2026, 11, 10)
    with_holidays = office(holidays=PolishPublicHolidays(extra_closed=[bridge]))
    assert with_holidays.add_business_time(waw("2026-11-09 15:00"), 2 * HOUR) == utc("2026-11-12 08:00")
    # The same through closed_dates.
    assert office(closed_dates=[bridge]).add_business_time(waw("2026-11-09 15:00"), 2 * HOUR) == utc("2026-11-12 08:00")
    # Without the bridge day: Tue 10 Nov 08:00 + 1 h = 09:00 CET.
    assert office().add_business_time(waw("2026-11-09 15:00"), 2 * HOUR) == utc("2026-11-10 08:00")


def test_extra_open_date_on_a_saturday():
    # Sat 28 Nov 2026 opened 09:00–13:00. Fri 27 Nov 15:00, 3 h: Fri 1 h; Sat 09:00 + 2 h = 11:00 CET = 10:00 UTC.
    calendar = office(open_dates={datetime.date(2026, 11, 28): [(T(9), T(13))]})
    assert calendar.add_business_time(waw("2026-11-27 15:00"), 3 * HOUR) == utc("2026-11-28 10:00")
    assert calendar.is_open(waw("2026-11-28 12:59"))


def test_several_ranges_a_day():
    # 08:00–12:00 and 13:00–17:00: 11:00 → 14:00 = 1 h before lunch + 1 h after = 2 h.
    calendar = BusinessCalendar("Europe/Warsaw", {0: [(T(13), T(17)), (T(8), T(12))]})
    start = waw("2026-11-23 11:00")
    assert calendar.business_seconds(start, waw("2026-11-23 14:00")) == 2 * HOUR
    # 11:00 + 1 h lands exactly at 12:00 (the lunch break's start), + 1 h 1 min at 13:01.
    assert calendar.add_business_time(start, HOUR) == waw("2026-11-23 12:00")
    assert calendar.add_business_time(start, HOUR + 60) == waw("2026-11-23 13:01")
    assert not calendar.is_open(waw("2026-11-23 12:30"))
    assert calendar.next_open(waw("2026-11-23 12:30")) == waw("2026-11-23 13:00")


def test_target_landing_exactly_on_closing_time():
    # Mon 23 Nov 2026 08:00 + 8 h = 16:00 the same day (closing time), not Tuesday 08:00.
    calendar = office()
    assert calendar.add_business_time(waw("2026-11-23 08:00"), 8 * HOUR) == waw("2026-11-23 16:00")
    # Closing time itself is closed: the next opening is Tue 08:00.
    assert not calendar.is_open(waw("2026-11-23 16:00"))
    assert calendar.is_open(waw("2026-11-23 15:59:59"))
    assert calendar.next_open(waw("2026-11-23 16:00")) == waw("2026-11-24 08:00")
    # One more second goes to Tuesday 08:00:01.
    assert calendar.add_business_time(waw("2026-11-23 08:00"), 8 * HOUR + 1) == waw("2026-11-24 08:00:01")


def test_start_outside_hours_counts_from_the_next_opening():
    # Sat 21 Nov 2026 10:00, 1 h: Mon 23 Nov 08:00 + 1 h = 09:00.
    calendar = office()
    assert calendar.add_business_time(waw("2026-11-21 10:00"), HOUR) == waw("2026-11-23 09:00")
    assert calendar.next_open(waw("2026-11-21 10:00")) == waw("2026-11-23 08:00")
    assert calendar.next_open(waw("2026-11-23 10:00")) == waw("2026-11-23 10:00")
    assert calendar.add_business_time(waw("2026-11-21 10:00"), 0) == waw("2026-11-21 10:00")


def test_working_week_across_the_spring_dst_weekend():
    # Fri 27 Mar 2026 15:00 CET (14:00 UTC), 2 h: Fri 1 h; clocks go forward on Sun 29 Mar;
    # Mon 30 Mar 08:00 CEST (06:00 UTC) + 1 h = 07:00 UTC.
    assert office().add_business_time(waw("2026-03-27 15:00"), 2 * HOUR) == utc("2026-03-30 07:00")


def night_shift() -> BusinessCalendar:
    """Open every Sunday 00:00–06:00 only, so the DST change (02:00/03:00) falls inside the hours."""
    return BusinessCalendar("Europe/Warsaw", {6: [(T(0), T(6))]}, holidays=set())


def test_spring_forward_day_has_one_hour_less():
    # Sun 29 Mar 2026: 00:00 CET = Sat 23:00 UTC; 06:00 CEST = 04:00 UTC → 5 h, not 6.
    calendar = night_shift()
    assert calendar.business_seconds(waw("2026-03-28 12:00"), waw("2026-03-29 12:00")) == 5 * HOUR
    # 00:00 CET + 2 h 30 min = 01:30 UTC = 03:30 CEST (02:30 does not exist that night).
    assert calendar.add_business_time(waw("2026-03-29 00:00"), 2 * HOUR + 1800) == utc("2026-03-29 01:30")


def test_fall_back_day_has_one_hour_more():
    # Sun 25 Oct 2026: 00:00 CEST = Sat 22:00 UTC; 06:00 CET = 05:00 UTC → 7 h.
    calendar = night_shift()
    assert calendar.business_seconds(waw("2026-10-24 12:00"), waw("2026-10-25 12:00")) == 7 * HOUR
    # 00:00 CEST + 4 h = 02:00 UTC = 03:00 CET (02:00–03:00 happens twice that night).
    assert calendar.add_business_time(waw("2026-10-25 00:00"), 4 * HOUR) == utc("2026-10-25 02:00")


def test_around_the_clock_calendar():
    calendar = BusinessCalendar.around_the_clock()
    # Christmas is no exception: Thu 24 Dec 2026 10:00 + 24 h = Fri 25 Dec 10:00.
    assert calendar.add_business_time(waw("2026-12-24 10:00"), 24 * HOUR) == waw("2026-12-25 10:00")
    assert calendar.is_open(waw("2026-12-25 03:00"))
    # Sat 28 Mar 2026 12:00 CET (11:00 UTC) → Sun 29 Mar 12:00 CEST (10:00 UTC) = 23 h.
    assert calendar.business_seconds(waw("2026-03-28 12:00"), waw("2026-03-29 12:00")) == 23 * HOUR
    # Sat 24 Oct 2026 12:00 CEST (10:00 UTC) → Sun 25 Oct 12:00 CET (11:00 UTC) = 25 h.
    assert calendar.business_seconds(waw("2026-10-24 12:00"), waw("2026-10-25 12:00")) == 25 * HOUR
    # Sat 28 Mar 12:00 CET + 24 h = Sun 29 Mar 11:00 UTC = 13:00 CEST.
    assert calendar.add_business_time(waw("2026-03-28 12:00"), 24 * HOUR) == waw("2026-03-29 13:00")


def test_range_until_midnight_and_midnight_spanning_ranges_refused():
    # Friday 20:00–24:00 (end 00:00 means midnight): Fri 23:00 + 2 h = 1 h Fri, then the next Friday 20:00 + 1 h.
    calendar = BusinessCalendar("Europe/Warsaw", {4: [(T(20), T(0))]}, holidays=set())
    assert calendar.add_business_time(waw("2026-11-20 23:00"), 2 * HOUR) == waw("2026-11-27 21:00")
    assert calendar.is_open(waw("2026-11-20 23:59:59"))
    with pytest.raises(ValueError, match="across midnight"):
        BusinessCalendar("Europe/Warsaw", {4: [(T(22), T(6))]})


def test_a_calendar_without_hours_is_refused():
    with pytest.raises(ValueError, match="opening hours"):
        BusinessCalendar("Europe/Warsaw", {})


def test_long_span_counts_every_working_day():
    # Whole year 2026 in office hours: 261 weekdays (2026 starts and ends on a Thursday: 52 weeks × 5 + Thu 31 Dec),
    # minus the holidays falling on weekdays: 1 Jan Thu, 6 Jan Tue, 6 Apr Mon, 1 May Fri, 4 Jun Thu, 11 Nov Wed,
    # 24 Dec Thu, 25 Dec Fri (3 May, 5 Apr, 24 May are Sundays; 15 Aug, 1 Nov, 26 Dec are Sat/Sun) = 8
    # → 253 days × 8 h.
    calendar = office()
    assert calendar.business_seconds(waw("2026-01-01 00:00"), waw("2027-01-01 00:00")) == 253 * 8 * HOUR
