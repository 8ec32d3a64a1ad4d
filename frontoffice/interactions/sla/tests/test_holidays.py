import datetime

import pytest

from frontoffice.interactions.sla.holidays import (
    HOLIDAY_NAMES,
    PolishPublicHolidays,
    easter_sunday,
    is_polish_public_holiday,
    polish_public_holidays,
)

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter_sunday_known_years(year, easter):
    assert easter_sunday(year) == easter


# The official lists (dni ustawowo wolne od pracy), written out by hand.
KNOWN = {
    2025: [
        "01-01", "01-06", "04-20", "04-21", "05-01", "05-03", "06-08", "06-19",
        "08-15", "11-01", "11-11", "12-24", "12-25", "12-26",
    ],
    2026: [
        "01-01", "01-06", "04-05", "04-06", "05-01", "05-03", "05-24", "06-04",
        "08-15", "11-01", "11-11", "12-24", "12-25", "12-26",
    ],
    2027: [
        "01-01", "01-06", "03-28", "03-29", "05-01", "05-03", "05-16", "05-27",
        "08-15", "11-01", "11-11", "12-24", "12-25", "12-26",
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_polish_public_holidays_match_the_official_lists(year):
    expected = [D.fromisoformat(f"{year}-{month_day}") for month_day in KNOWN[year]]
    assert sorted(polish_public_holidays(year)) == expected


def test_movable_feasts_are_named():
    holidays = polish_public_holidays(2026)
    assert holidays[D(2026, 4, 6)] == "easter_monday"
    assert holidays[D(2026, 5, 24)] == "pentecost"  # Easter + 49 days
    assert holidays[D(2026, 6, 4)] == "corpus_christi"  # Easter + 60 days, a Thursday
    assert set(holidays.values()) <= set(HOLIDAY_NAMES)


def test_christmas_eve_only_from_2025_and_epiphany_only_from_2011():
    assert not is_polish_public_holiday(D(2024, 12, 24))
    assert is_polish_public_holiday(D(2025, 12, 24))
    assert not is_polish_public_holiday(D(2010, 1, 6))
    assert is_polish_public_holiday(D(2011, 1, 6))
    assert len(polish_public_holidays(2024)) == 13


def test_good_friday_and_an_ordinary_day_are_working_days():
    assert not is_polish_public_holiday(D(2026, 4, 3))
    assert not is_polish_public_holiday(D(2026, 11, 23))


def test_organisation_closed_days_count_like_holidays():
    holidays = PolishPublicHolidays(extra_closed=[D(2026, 11, 10)])  # a bridge day before 11 November
    assert D(2026, 11, 10) in holidays
    assert D(2026, 11, 11) in holidays
    assert D(2026, 11, 12) not in holidays
    assert D(2026, 11, 10) not in PolishPublicHolidays()
    assert holidays.for_year(2026) == sorted([*polish_public_holidays(2026), D(2026, 11, 10)])
    assert datetime.datetime(2026, 11, 11, 12, 0) not in holidays  # only dates, never datetimes


def test_holiday_names_translate_to_polish():
    from django.utils import translation

    with translation.override("pl"):
        assert str(HOLIDAY_NAMES["easter_monday"]) == "Poniedziałek Wielkanocny"
