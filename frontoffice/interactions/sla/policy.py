"""SLA policies: which policy applies to a case, its targets, pausing statuses and escalation ladder.

Policies are tried in `order` (lowest first) and the first whose conditions all match wins, so a
catch-all policy (no conditions) goes last. An empty condition set means "any".
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .calendar import BusinessCalendar
from .clock import ClockEvent, ClockStatus, SlaClock


class SlaTarget(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"

    @property
    def label(self) -> str:
        return str(SLA_TARGET_LABELS[self])


SLA_TARGET_LABELS = {
    SlaTarget.FIRST_RESPONSE: _("First response"),
    SlaTarget.NEXT_RESPONSE: _("Next response"),
    SlaTarget.RESOLUTION: _("Resolution"),
}


class EscalationRole(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    EXECUTIVE = "executive"

    @property
    def label(self) -> str:
        return str(ESCALATION_ROLE_LABELS[self])


ESCALATION_ROLE_LABELS = {
    EscalationRole.AGENT: _("Case owner (agent)"),
    EscalationRole.SUPERVISOR: _("Supervisor"),
    EscalationRole.MANAGER: _("Manager"),
    EscalationRole.EXECUTIVE: _("Higher management"),
}

# Case statuses that pause the clock unless a policy says otherwise (the "pending customer").
DEFAULT_PAUSE_STATUSES = frozenset({"pending_customer"})


@dataclass(frozen=True)
class Conditions:
    """All given conditions must hold; an empty set means any value. `client_flags` must all be present."""

    channels: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    client_flags: frozenset[str] = frozenset()

    def matches(self, *, channel: str, priority: str, client_flags: Collection[str] = ()) -> bool:
        return (
            (not self.channels or channel in self.channels)
            and (not self.priorities or priority in self.priorities)
            and self.client_flags <= frozenset(client_flags)
        )


class EscalationMoment(enum.StrEnum):
    BEFORE_BREACH = "before"
    AT_BREACH = "at"
    AFTER_BREACH = "after"

    @property
    def label(self) -> str:
        return str(ESCALATION_MOMENT_LABELS[self])


ESCALATION_MOMENT_LABELS = {
    EscalationMoment.BEFORE_BREACH: _("Before breach"),
    EscalationMoment.AT_BREACH: _("At breach"),
    EscalationMoment.AFTER_BREACH: _("After breach"),
}


@dataclass(frozen=True)
class EscalationStep:
    """Notify `role` `minutes` business minutes before the breach, at it, or after it.

    Minutes are counted on the clock's own calendar, in business time: a warning 30 minutes before a
    breach due at 09:15 on Monday fires at 16:45 on Friday when the office closes at 17:00.
    """

    role: EscalationRole
    moment: EscalationMoment = EscalationMoment.AT_BREACH
    minutes: int = 0

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ValueError("escalation minutes must not be negative; use the moment 'before' for warnings")
        if self.moment is EscalationMoment.AT_BREACH and self.minutes:
            raise ValueError("an escalation at the breach takes no minutes")

    @property
    def key(self) -> str:
        """Stable identifier to remember that the step was sent (store it next to the clock state)."""
        return f"{self.role.value}:{self.moment.value}:{self.minutes}"

    @property
    def remaining_threshold(self) -> int:
        """The step is due once the clock's remaining business seconds drop to this value (or below)."""
        if self.moment is EscalationMoment.BEFORE_BREACH:
            return self.minutes * 60
        if self.moment is EscalationMoment.AFTER_BREACH:
            return -self.minutes * 60
        return 0


@dataclass(frozen=True)
class SlaPolicy:
    name: str
    targets: Mapping[SlaTarget, int]  # business seconds
    conditions: Conditions = field(default_factory=Conditions)
    order: int = 100
    pause_statuses: frozenset[str] = DEFAULT_PAUSE_STATUSES
    escalation: tuple[EscalationStep, ...] = ()
    calendar: BusinessCalendar | None = None

    def __post_init__(self) -> None:
        keys = [step.key for step in self.escalation]
        if len(keys) != len(set(keys)):
            raise ValueError(f"policy {self.name!r}: the escalation ladder repeats a step")
        if any(seconds < 0 for seconds in self.targets.values()):
            raise ValueError(f"policy {self.name!r}: targets must not be negative")

    def target_seconds(self, target: SlaTarget) -> int | None:
        """The target in business seconds, None when the policy sets none for it."""
        return self.targets.get(target)

    def pauses(self, status: str) -> bool:
        return status in self.pause_statuses

    def event_for_status(self, status: str) -> ClockEvent:
        """PAUSE when the case's new status pauses the clock, else RESUME (no-ops are ignored by the clock)."""
        return ClockEvent.PAUSE if self.pauses(status) else ClockEvent.RESUME

    def new_clock(self, target: SlaTarget, calendar: BusinessCalendar | None = None) -> SlaClock | None:
        seconds = self.target_seconds(target)
        chosen = calendar or self.calendar
        if seconds is None:
            return None
        if chosen is None:
            raise ValueError(f"policy {self.name!r} has no calendar; pass one")
        return SlaClock(seconds, chosen)


def select_policy(
    policies: Iterable[SlaPolicy], *, channel: str, priority: str, client_flags: Collection[str] = ()
) -> SlaPolicy | None:
    """The first policy (by `order`, then as given) whose conditions match; None when none does."""
    for policy in sorted(policies, key=lambda policy: policy.order):
        if policy.conditions.matches(channel=channel, priority=priority, client_flags=client_flags):
            return policy
    return None


@dataclass(frozen=True)
class DueEscalation:
    step: EscalationStep
    due_at: datetime.datetime | None  # the instant the step became due, when the clock can tell

    @property
    def key(self) -> str:
        return self.step.key


def escalations_due(
    ladder: Sequence[EscalationStep], clock: SlaClock, now: datetime.datetime, sent: Collection[str] = ()
) -> list[DueEscalation]:
    """The ladder's steps due at `now` and not yet in `sent` (step keys), in ladder order.

    Only a running clock escalates: nothing is due before the start, while paused or after the stop.
    The caller sends each returned notification and adds its key to `sent` in the same transaction,
    so every step goes out once, even when the periodic job runs late and several fall due together.
    """
    if clock.status is not ClockStatus.RUNNING:
        return []
    remaining = clock.remaining(now)
    due_at = clock.due_at
    due: list[DueEscalation] = []
    for step in ladder:
        if step.key in sent or remaining > step.remaining_threshold:
            continue
        due.append(DueEscalation(step, _step_instant(clock, step, due_at)))
    return due


def _step_instant(clock: SlaClock, step: EscalationStep, due_at: datetime.datetime | None) -> datetime.datetime | None:
    if due_at is None:
        return None
    if step.moment is EscalationMoment.AFTER_BREACH:
        return clock.calendar.add_business_time(due_at, step.minutes * 60)
    if step.moment is EscalationMoment.AT_BREACH:
        return due_at
    last = clock.events[-1]
    remaining_at_last = clock.target_seconds - last.elapsed_business
    return clock.calendar.add_business_time(last.at, max(remaining_at_last - step.minutes * 60, 0))
