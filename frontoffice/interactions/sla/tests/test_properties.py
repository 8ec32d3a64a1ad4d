"""Property: adding business time and measuring it back gives the same number of seconds."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from frontoffice.interactions.sla.calendar import BusinessCalendar

from .helpers import WARSAW, T, office

CALENDARS = [
    office(),
    BusinessCalendar("Europe/Warsaw", {0: [(T(8), T(12)), (T(13), T(17))], 2: [(T(0), T(6))], 6: [(T(1), T(4))]}),
    BusinessCalendar.around_the_clock(),
]

instants = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2028, 12, 31), timezones=st.just(WARSAW)
)


@settings(max_examples=150, deadline=None)
@given(start=instants, seconds=st.integers(min_value=0, max_value=200 * 3600), which=st.sampled_from(range(3)))
def test_business_seconds_measures_back_what_add_business_time_added(start, seconds, which):
    calendar = CALENDARS[which]
    deadline = calendar.add_business_time(start, seconds)
    assert calendar.business_seconds(start, deadline) == seconds
    if seconds:
        # The deadline is the earliest such instant: the last second before it was open.
        assert calendar.is_open(deadline - datetime.timedelta(seconds=1)) or calendar.is_open(
            deadline - datetime.timedelta(microseconds=1)
        )
