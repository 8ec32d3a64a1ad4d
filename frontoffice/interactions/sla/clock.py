"""An event-driven SLA clock: fed with start / pause / resume / stop events as they happen.

Each accepted event records the clock's elapsed *calendar* seconds (wall time while running) and
*business* seconds (open time of the calendar while running) at that instant, so reports read the
stored values and never recompute them. Paused time counts in neither.

- Duplicate events (same kind and instant as one already recorded) are ignored: `feed` returns False.
- An event earlier than the last recorded one is refused with `SlaEventOutOfOrder`.
- A pause while paused or a resume while running (a case moving between two pausing statuses,
  or back) changes nothing and is ignored; a second start, or any event before the start or after
  the stop, is refused with `SlaEventRejected`.
- State is a JSON-friendly dict (`to_dict` / `from_dict`); the calendar is not part of it.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .calendar import BusinessCalendar, as_utc


class SlaEventRejected(ValueError):
    """An event that makes no sense in the clock's current state."""


class SlaEventOutOfOrder(SlaEventRejected):
    """An event timestamped before the clock's last recorded event."""


class ClockEvent(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"

    @property
    def label(self) -> str:
        return str(CLOCK_EVENT_LABELS[self])


CLOCK_EVENT_LABELS = {
    ClockEvent.START: _("Clock started"),
    ClockEvent.PAUSE: _("Clock paused"),
    ClockEvent.RESUME: _("Clock resumed"),
    ClockEvent.STOP: _("Target fulfilled"),
}


class ClockStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return str(CLOCK_STATUS_LABELS[self])


CLOCK_STATUS_LABELS = {
    ClockStatus.NOT_STARTED: _("Not started"),
    ClockStatus.RUNNING: _("Running"),
    ClockStatus.PAUSED: _("Paused"),
    ClockStatus.STOPPED: _("Stopped"),
}


@dataclass(frozen=True)
class RecordedEvent:
    """An accepted event with the clock's elapsed time at that instant (the reporting values)."""

    kind: ClockEvent
    at: datetime.datetime
    elapsed_calendar: int
    elapsed_business: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "at": self.at.isoformat(),
            "elapsed_calendar": self.elapsed_calendar,
            "elapsed_business": self.elapsed_business,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordedEvent:
        return cls(
            kind=ClockEvent(data["kind"]),
            at=as_utc(datetime.datetime.fromisoformat(data["at"])),
            elapsed_calendar=int(data["elapsed_calendar"]),
            elapsed_business=int(data["elapsed_business"]),
        )


_NEXT_STATUS = {
    ClockEvent.START: ClockStatus.RUNNING,
    ClockEvent.PAUSE: ClockStatus.PAUSED,
    ClockEvent.RESUME: ClockStatus.RUNNING,
    ClockEvent.STOP: ClockStatus.STOPPED,
}


class SlaClock:
    """One target's clock (e.g. a case's resolution): `target_seconds` of business time."""

    STATE_VERSION = 1

    def __init__(self, target_seconds: int, calendar: BusinessCalendar) -> None:
        if target_seconds < 0:
            raise ValueError(f"target_seconds must not be negative, got {target_seconds}")
        self.target_seconds = int(target_seconds)
        self.calendar = calendar
        self.events: list[RecordedEvent] = []
        self.breached_at: datetime.datetime | None = None

    # --- state ------------------------------------------------------------------------

    @property
    def status(self) -> ClockStatus:
        return ClockStatus.NOT_STARTED if not self.events else _NEXT_STATUS[self.events[-1].kind]

    @property
    def started_at(self) -> datetime.datetime | None:
        return self.events[0].at if self.events else None

    @property
    def stopped_at(self) -> datetime.datetime | None:
        return self.events[-1].at if self.status is ClockStatus.STOPPED else None

    def _running_since(self) -> RecordedEvent | None:
        return self.events[-1] if self.status is ClockStatus.RUNNING else None

    def elapsed(self, at: datetime.datetime) -> tuple[int, int]:
        """(calendar seconds, business seconds) the clock has run until `at` (not before the last event)."""
        at = as_utc(at)
        if not self.events:
            return 0, 0
        last = self.events[-1]
        if self.status is not ClockStatus.RUNNING or at <= last.at:
            return last.elapsed_calendar, last.elapsed_business
        calendar = (at - last.at) // datetime.timedelta(seconds=1)
        business = self.calendar.business_seconds(last.at, at)
        return last.elapsed_calendar + calendar, last.elapsed_business + business

    def elapsed_business(self, at: datetime.datetime) -> int:
        return self.elapsed(at)[1]

    def elapsed_calendar(self, at: datetime.datetime) -> int:
        return self.elapsed(at)[0]

    @property
    def due_at(self) -> datetime.datetime | None:
        """The deadline while running; None before the start, while paused (it moves on resume) and after the stop."""
        last = self._running_since()
        if last is None:
            return None
        remaining = max(self.target_seconds - last.elapsed_business, 0)
        return self.calendar.add_business_time(last.at, remaining)

    def remaining(self, at: datetime.datetime) -> int:
        """Business seconds left at `at`; negative when overdue."""
        return self.target_seconds - self.elapsed_business(at)

    def is_breached(self, at: datetime.datetime) -> bool:
        return self.breached_by(at) is not None

    def breached_by(self, at: datetime.datetime) -> datetime.datetime | None:
        """The breach instant if the target was missed by `at` (the deadline itself is still on time)."""
        if self.breached_at is not None:
            return self.breached_at
        due = self.due_at
        if due is not None and as_utc(at) > due:
            return due
        return None

    @property
    def fulfilled(self) -> bool | None:
        """After the stop: True when met, False when breached; None while the clock is open."""
        if self.status is not ClockStatus.STOPPED:
            return None
        return self.breached_at is None

    # --- events -------------------------------------------------------------------------

    def feed(self, kind: ClockEvent | str, at: datetime.datetime) -> bool:
        """Record an event; True when it changed the clock, False when ignored (duplicate or no-op)."""
        kind = ClockEvent(kind)
        at = as_utc(at)
        if any(event.kind is kind and event.at == at for event in self.events):
            return False
        status = self.status
        if self.events and at < self.events[-1].at:
            raise SlaEventOutOfOrder(
                f"SLA clock event {kind.value!r} at {at.isoformat()} is earlier than the last recorded event "
                f"({self.events[-1].kind.value!r} at {self.events[-1].at.isoformat()}); events must come in order."
            )
        if status is ClockStatus.STOPPED:
            raise SlaEventRejected(f"SLA clock event {kind.value!r}: the clock was already stopped.")
        if kind is ClockEvent.START:
            if status is not ClockStatus.NOT_STARTED:
                raise SlaEventRejected("SLA clock event 'start': the clock was already started.")
        elif status is ClockStatus.NOT_STARTED:
            raise SlaEventRejected(f"SLA clock event {kind.value!r}: the clock has not been started.")
        if (kind is ClockEvent.PAUSE and status is ClockStatus.PAUSED) or (
            kind is ClockEvent.RESUME and status is ClockStatus.RUNNING
        ):
            return False
        breach = self.breached_by(at) if status is ClockStatus.RUNNING else None
        elapsed_calendar, elapsed_business = self.elapsed(at)
        self.events.append(RecordedEvent(kind, at, elapsed_calendar, elapsed_business))
        if breach is not None and self.breached_at is None:
            self.breached_at = breach
        return True

    def start(self, at: datetime.datetime) -> bool:
        return self.feed(ClockEvent.START, at)

    def pause(self, at: datetime.datetime) -> bool:
        return self.feed(ClockEvent.PAUSE, at)

    def resume(self, at: datetime.datetime) -> bool:
        return self.feed(ClockEvent.RESUME, at)

    def stop(self, at: datetime.datetime) -> bool:
        return self.feed(ClockEvent.STOP, at)

    # --- serialisation --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly state (ISO 8601 instants in UTC); the calendar is supplied again on load."""
        return {
            "version": self.STATE_VERSION,
            "target_seconds": self.target_seconds,
            "events": [event.to_dict() for event in self.events],
            "breached_at": self.breached_at.isoformat() if self.breached_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], calendar: BusinessCalendar) -> SlaClock:
        if data.get("version") != cls.STATE_VERSION:
            raise ValueError(f"unknown SLA clock state version: {data.get('version')!r}")
        clock = cls(int(data["target_seconds"]), calendar)
        clock.events = [RecordedEvent.from_dict(event) for event in data["events"]]
        breached = data.get("breached_at")
        clock.breached_at = as_utc(datetime.datetime.fromisoformat(breached)) if breached else None
        return clock

    def __repr__(self) -> str:
        return f"<SlaClock {self.status.value} target={self.target_seconds}s events={len(self.events)}>"
