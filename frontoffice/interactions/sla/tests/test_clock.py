"""The event-driven clock against hand-computed cases (office(): Mon–Fri 08:00–16:00 Warsaw)."""

import json

import pytest

from frontoffice.interactions.sla.calendar import BusinessCalendar
from frontoffice.interactions.sla.clock import (
    ClockEvent,
    ClockStatus,
    SlaClock,
    SlaEventOutOfOrder,
    SlaEventRejected,
)

from .helpers import HOUR, office, utc, waw


def test_a_clock_that_is_not_started():
    clock = SlaClock(8 * HOUR, office())
    assert clock.status is ClockStatus.NOT_STARTED
    assert clock.due_at is None
    assert clock.remaining(waw("2026-11-23 12:00")) == 8 * HOUR
    assert clock.elapsed(waw("2026-11-23 12:00")) == (0, 0)


def test_running_clock_due_remaining_and_breach():
    # Mon 23 Nov 2026 09:00, 8 h target: Mon 09:00–16:00 = 7 h; Tue 24 Nov 08:00 + 1 h = 09:00.
    clock = SlaClock(8 * HOUR, office())
    assert clock.start(waw("2026-11-23 09:00"))
    assert clock.due_at == waw("2026-11-24 09:00")
    # At Mon 20:00: business 09:00–16:00 = 7 h (25200 s); calendar 11 h (39600 s); 1 h left.
    assert clock.elapsed(waw("2026-11-23 20:00")) == (11 * HOUR, 7 * HOUR)
    assert clock.remaining(waw("2026-11-23 20:00")) == HOUR
    # The deadline itself is on time; one second later the target is breached, at the deadline.
    assert clock.breached_by(waw("2026-11-24 09:00")) is None
    assert clock.breached_by(waw("2026-11-24 09:00:01")) == waw("2026-11-24 09:00")
    # Tue 10:30: 8 h + 1 h 30 used → −5400 s.
    assert clock.remaining(waw("2026-11-24 10:30")) == -5400


def test_pause_and_resume_in_hours():
    # Start Mon 09:00, pause 13:00 (4 h used), resume 15:00 (the 2 h paused count nowhere);
    # 4 h left: Mon 15:00–16:00 = 1 h, Tue 08:00 + 3 h = 11:00.
    clock = SlaClock(8 * HOUR, office())
    clock.start(waw("2026-11-23 09:00"))
    clock.pause(waw("2026-11-23 13:00"))
    assert clock.status is ClockStatus.PAUSED
    assert clock.due_at is None  # moves: unknown until the resume
    assert clock.remaining(waw("2026-11-24 15:00")) == 4 * HOUR  # frozen while paused
    clock.resume(waw("2026-11-23 15:00"))
    assert clock.due_at == waw("2026-11-24 11:00")
    assert [(e.kind, e.elapsed_calendar, e.elapsed_business) for e in clock.events] == [
        (ClockEvent.START, 0, 0),
        (ClockEvent.PAUSE, 4 * HOUR, 4 * HOUR),
        (ClockEvent.RESUME, 4 * HOUR, 4 * HOUR),
    ]
    # Fulfilled Tue 10:00: business 4 h + Mon 15–16 (1 h) + Tue 08–10 (2 h) = 7 h;
    # calendar 4 h + Mon 15:00 → Tue 10:00 (19 h) = 23 h.
    clock.stop(waw("2026-11-24 10:00"))
    assert clock.events[-1].elapsed_business == 7 * HOUR
    assert clock.events[-1].elapsed_calendar == 23 * HOUR
    assert clock.fulfilled is True
    assert clock.due_at is None


def test_pause_and_resume_out_of_hours():
    # Start Mon 09:00; paused Mon 19:00 (business 09–16 = 7 h, calendar 10 h); resumed Wed 25 Nov 07:00
    # before opening: 1 h left → Wed 08:00 + 1 h = 09:00 (without the pause it would be Tue 09:00).
    clock = SlaClock(8 * HOUR, office())
    clock.start(waw("2026-11-23 09:00"))
    clock.pause(waw("2026-11-23 19:00"))
    assert clock.events[-1].elapsed_business == 7 * HOUR
    assert clock.events[-1].elapsed_calendar == 10 * HOUR
    clock.resume(waw("2026-11-25 07:00"))
    assert clock.due_at == waw("2026-11-25 09:00")
    assert clock.remaining(waw("2026-11-25 07:30")) == HOUR
    # Calendar time at Wed 09:00: 10 h + 2 h since the resume = 12 h (the paused 36 h are not counted).
    assert clock.elapsed(waw("2026-11-25 09:00")) == (12 * HOUR, 8 * HOUR)


def test_clock_across_the_spring_dst_weekend_counts_real_seconds():
    # Fri 27 Mar 2026 15:00 CET (14:00 UTC) → Mon 30 Mar 09:00 CEST (07:00 UTC):
    # calendar 65 h (the wall clock says 66 h, but one hour never happened); business Fri 1 h + Mon 1 h = 2 h.
    clock = SlaClock(2 * HOUR, office())
    clock.start(waw("2026-03-27 15:00"))
    assert clock.due_at == utc("2026-03-30 07:00")
    clock.stop(waw("2026-03-30 09:00"))
    assert (clock.events[-1].elapsed_calendar, clock.events[-1].elapsed_business) == (65 * HOUR, 2 * HOUR)
    assert clock.fulfilled is True  # stopped exactly at the deadline: on time


def test_clock_across_the_autumn_dst_change_on_a_24_7_calendar():
    # Sat 24 Oct 2026 12:00 CEST (10:00 UTC), 24 h target → Sun 25 Oct 10:00 UTC = 11:00 CET
    # (the day has 25 hours, so the wall clock shows 11:00, not 12:00).
    clock = SlaClock(24 * HOUR, BusinessCalendar.around_the_clock())
    clock.start(waw("2026-10-24 12:00"))
    assert clock.due_at == waw("2026-10-25 11:00")
    assert clock.elapsed(waw("2026-10-25 12:00")) == (25 * HOUR, 25 * HOUR)


def test_breach_is_recorded_by_a_later_event_and_kept():
    # Start Mon 09:00, 1 h target → due Mon 10:00; paused at 11:00 (breached at 10:00), resumed, stopped.
    clock = SlaClock(HOUR, office())
    clock.start(waw("2026-11-23 09:00"))
    clock.pause(waw("2026-11-23 11:00"))
    assert clock.breached_at == waw("2026-11-23 10:00")
    assert clock.breached_by(waw("2026-11-23 11:30")) == waw("2026-11-23 10:00")
    clock.resume(waw("2026-11-23 12:00"))
    assert clock.due_at == waw("2026-11-23 12:00")  # nothing left: due as soon as it resumes
    clock.stop(waw("2026-11-23 12:30"))
    assert clock.fulfilled is False
    assert clock.breached_at == waw("2026-11-23 10:00")


def test_duplicate_events_are_ignored():
    clock = SlaClock(8 * HOUR, office())
    assert clock.start(waw("2026-11-23 09:00")) is True
    assert clock.pause(waw("2026-11-23 10:00")) is True
    # The same events delivered again (even an older one) change nothing.
    assert clock.start(waw("2026-11-23 09:00")) is False
    assert clock.pause(waw("2026-11-23 10:00")) is False
    # A second pausing status while paused is a no-op, as is a resume while running.
    assert clock.pause(waw("2026-11-23 10:30")) is False
    assert clock.resume(waw("2026-11-23 11:00")) is True
    assert clock.resume(waw("2026-11-23 11:15")) is False
    assert [e.kind for e in clock.events] == [ClockEvent.START, ClockEvent.PAUSE, ClockEvent.RESUME]


def test_out_of_order_events_are_refused_with_a_clear_error():
    clock = SlaClock(8 * HOUR, office())
    clock.start(waw("2026-11-23 09:00"))
    clock.pause(waw("2026-11-23 12:00"))
    with pytest.raises(SlaEventOutOfOrder, match="earlier than the last recorded event"):
        clock.resume(waw("2026-11-23 11:00"))
    assert clock.status is ClockStatus.PAUSED
    assert len(clock.events) == 2


def test_events_that_make_no_sense_are_refused():
    clock = SlaClock(8 * HOUR, office())
    with pytest.raises(SlaEventRejected, match="not been started"):
        clock.pause(waw("2026-11-23 09:00"))
    clock.start(waw("2026-11-23 09:00"))
    with pytest.raises(SlaEventRejected, match="already started"):
        clock.start(waw("2026-11-23 10:00"))
    clock.stop(waw("2026-11-23 11:00"))
    with pytest.raises(SlaEventRejected, match="already stopped"):
        clock.resume(waw("2026-11-23 12:00"))
    with pytest.raises(ValueError, match="'nap'"):
        clock.feed("nap", waw("2026-11-23 12:00"))


def test_state_round_trips_through_json():
    calendar = office()
    clock = SlaClock(HOUR, calendar)
    clock.start(waw("2026-11-23 09:00"))
    clock.pause(waw("2026-11-23 11:00"))
    clock.resume(waw("2026-11-23 12:00"))
    state = json.loads(json.dumps(clock.to_dict()))
    assert state["events"][1] == {
        "kind": "pause",
        "at": "2026-11-23T10:00:00+00:00",
        "elapsed_calendar": 2 * HOUR,
        "elapsed_business": 2 * HOUR,
    }
    again = SlaClock.from_dict(state, calendar)
    assert again.to_dict() == clock.to_dict()
    assert again.status is ClockStatus.RUNNING
    assert again.breached_at == waw("2026-11-23 10:00")
    assert again.resume(waw("2026-11-23 12:00")) is False  # still idempotent after loading
    with pytest.raises(ValueError, match="version"):
        SlaClock.from_dict({**state, "version": 99}, calendar)
