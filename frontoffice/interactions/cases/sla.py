"""SLA wiring: policies stored per organisation, clocks stored per case, fed when things happen.

The pure package ``interactions.sla`` does the arithmetic; this module loads ``SlaPolicyRecord`` rows as
``SlaPolicy`` objects, keeps one ``CaseSla`` row per clock (the clock's ``to_dict()`` state, its deadline
and breach) and writes a ``CaseEvent`` with the business and calendar seconds at each fulfilment or
breach. Called only from ``cases/services.py`` (and the escalation job), inside their transactions.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from .. import reporting
from ..choices import CaseStatus
from ..models import Case, CaseEvent, CaseEventKind, CaseSla, SlaPolicyRecord
from ..sla.calendar import BusinessCalendar
from ..sla.clock import ClockStatus, SlaClock, SlaEventRejected
from ..sla.policy import (
    DEFAULT_PAUSE_STATUSES,
    Conditions,
    EscalationMoment,
    EscalationRole,
    EscalationStep,
    SlaPolicy,
    SlaTarget,
    select_policy,
)

log = logging.getLogger(__name__)

OPEN_CLOCK_STATUSES = (ClockStatus.RUNNING.value, ClockStatus.PAUSED.value)
DEFAULT_HOURS = {day: [["08:00", "16:00"]] for day in ("0", "1", "2", "3", "4")}


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def calendar_for(record: SlaPolicyRecord) -> BusinessCalendar:
    if record.always_open:
        return BusinessCalendar.around_the_clock(record.time_zone)
    hours = record.weekly_hours or DEFAULT_HOURS
    weekly = {int(day): [(_time(start), _time(end)) for start, end in ranges] for day, ranges in hours.items()}
    closed = [datetime.date.fromisoformat(day) for day in record.closed_dates or []]
    return BusinessCalendar(record.time_zone, weekly, closed_dates=closed)


def ladder_of(record: SlaPolicyRecord) -> tuple[EscalationStep, ...]:
    return tuple(
        EscalationStep(EscalationRole(step["role"]), EscalationMoment(step["moment"]), int(step.get("minutes", 0)))
        for step in record.escalation or []
    )


def policy_from_record(record: SlaPolicyRecord) -> SlaPolicy:
    targets = {
        target: minutes * 60
        for target, minutes in (
            (SlaTarget.FIRST_RESPONSE, record.first_response_minutes),
            (SlaTarget.NEXT_RESPONSE, record.next_response_minutes),
            (SlaTarget.RESOLUTION, record.resolution_minutes),
        )
        if minutes is not None
    }
    return SlaPolicy(
        name=record.name,
        targets=targets,
        conditions=Conditions(
            channels=frozenset(record.channels or ()),
            priorities=frozenset(record.priorities or ()),
            client_flags=frozenset(record.client_flags or ()),
        ),
        order=record.order,
        pause_statuses=frozenset(record.pause_statuses) if record.pause_statuses else DEFAULT_PAUSE_STATUSES,
        escalation=ladder_of(record),
        calendar=calendar_for(record),
    )


def client_flags(case: Case) -> set[str]:
    client = case.client
    flags = set()
    if client is not None and client.is_vip:
        flags.add("vip")
    return flags


def policy_record_for(case: Case) -> SlaPolicyRecord | None:
    """The first active policy of the case's organisation whose conditions match the case."""
    records = SlaPolicyRecord.objects.filter(organisation_id=case.organisation_id, is_active=True)
    pairs = [(policy_from_record(record), record) for record in records]
    chosen = select_policy(
        [policy for policy, _record in pairs],
        channel=case.channel,
        priority=case.priority,
        client_flags=client_flags(case),
    )
    return next((record for policy, record in pairs if policy is chosen), None)


class _Loaded:
    """A clock row with its policy and pure clock, saved back with ``save()``."""

    def __init__(self, row: CaseSla) -> None:
        self.row = row
        self.policy = policy_from_record(row.policy)
        self.clock = SlaClock.from_dict(row.state, self.policy.calendar or calendar_for(row.policy))

    def feed(self, kind: str, at: datetime.datetime, *, actor: Any = None) -> bool:
        try:
            changed = self.clock.feed(kind, at)
        except SlaEventRejected as error:
            log.warning("SLA clock %s of case %s: %s", self.row.target, self.row.case_id, error)
            return False
        if changed:
            self.save(actor=actor, at=at)
        return changed

    def save(self, *, actor: Any = None, at: datetime.datetime | None = None) -> None:
        row, clock = self.row, self.clock
        newly_breached = clock.breached_at is not None and row.breached_at is None
        row.state = clock.to_dict()
        row.status = clock.status.value
        row.due_at = clock.due_at
        row.breached_at = row.breached_at or clock.breached_at
        row.fulfilled = None if clock.status is not ClockStatus.STOPPED else row.breached_at is None
        row.next_escalation_at = next_escalation_at(self.policy, clock, row.escalations_sent)
        row.save()
        if newly_breached:
            mark_breached(row, clock.target_seconds)
        if clock.status is ClockStatus.STOPPED and row.fulfilled:
            last = clock.events[-1]
            reporting.sla_met(row, at=last.at, business=last.elapsed_business, calendar=last.elapsed_calendar)
            _event(
                row.case,
                CaseEventKind.SLA_MET,
                last.at,
                actor=actor,
                target=row.target,
                business=last.elapsed_business,
                calendar=last.elapsed_calendar,
            )


def mark_breached(row: CaseSla, target_seconds: int) -> None:
    """Record the breach once per clock (the event carries the target: the business time used by then)."""
    _event(row.case, CaseEventKind.SLA_BREACHED, row.breached_at, target=row.target, business=target_seconds)
    if row.breached_at is not None:
        reporting.sla_breached(row, at=row.breached_at, target_seconds=target_seconds)


def next_escalation_at(policy: SlaPolicy, clock: SlaClock, sent: Iterable[str] = ()) -> datetime.datetime | None:
    """When the next unsent escalation step falls due (None while the clock is not running)."""
    if clock.status is not ClockStatus.RUNNING or clock.due_at is None:
        return None
    due_at = clock.due_at
    last = clock.events[-1]
    sent = set(sent)
    moments = []
    for step in policy.escalation:
        if step.key in sent:
            continue
        if step.moment is EscalationMoment.AFTER_BREACH:
            moments.append(clock.calendar.add_business_time(due_at, step.minutes * 60))
        elif step.moment is EscalationMoment.AT_BREACH:
            moments.append(due_at)
        else:
            left = clock.target_seconds - last.elapsed_business
            moments.append(clock.calendar.add_business_time(last.at, max(left - step.minutes * 60, 0)))
    return min(moments) if moments else None


def _event(
    case: Case,
    kind: str,
    at: datetime.datetime | None,
    *,
    actor: Any = None,
    target: str = "",
    business: int | None = None,
    calendar: int | None = None,
    from_value: str = "",
    to_value: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=target,
        business_seconds=business,
        calendar_seconds=calendar,
        from_value=from_value,
        to_value=to_value,
    )


record_event = _event


def _open_clocks(case: Case, *targets: str) -> list[_Loaded]:
    rows = (
        CaseSla.objects.select_for_update(of=("self",))
        .select_related("policy", "case")
        .filter(case=case, status__in=OPEN_CLOCK_STATUSES)
    )
    if targets:
        rows = rows.filter(target__in=targets)
    return [_Loaded(row) for row in rows.order_by("pk")]


def _start(case: Case, record: SlaPolicyRecord, target: SlaTarget, at: datetime.datetime) -> CaseSla | None:
    policy = policy_from_record(record)
    clock = policy.new_clock(target)
    if clock is None:
        return None
    clock.start(at)
    row = CaseSla(case=case, policy=record, target=target.value, status="", state={})
    loaded = _Loaded.__new__(_Loaded)
    loaded.row, loaded.policy, loaded.clock = row, policy, clock
    if policy.pauses(case.status):
        clock.pause(at)
    loaded.save()
    return row


def sla_case_opened(*, case: Case) -> list[CaseSla]:
    """Start the first-response and resolution clocks of the policy that matches the case."""
    record = policy_record_for(case)
    if record is None:
        return []
    rows = [_start(case, record, target, case.opened_at) for target in (SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION)]
    return [row for row in rows if row is not None]


def _policy_of_case(case: Case) -> SlaPolicyRecord | None:
    row = CaseSla.objects.filter(case=case).select_related("policy").order_by("pk").first()
    return row.policy if row is not None else None


def sla_public_reply(*, case: Case, at: datetime.datetime, actor: Any) -> bool:
    """A person's public reply: fulfils the first-response clock, or the waiting next-response clock.

    Returns True when this was the case's first response.
    """
    first = False
    for loaded in _open_clocks(case, SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE):
        if loaded.feed("stop", at, actor=actor) and loaded.row.target == SlaTarget.FIRST_RESPONSE:
            first = True
    return first


def sla_customer_message(*, case: Case, at: datetime.datetime) -> None:
    """A customer message left unanswered starts a next-response clock (once the first response was given)."""
    if case.first_response_at is None:
        return
    if CaseSla.objects.filter(case=case, target=SlaTarget.NEXT_RESPONSE, status__in=OPEN_CLOCK_STATUSES).exists():
        return  # the earliest unanswered message already has a clock
    record = _policy_of_case(case)
    if record is not None:
        _start(case, record, SlaTarget.NEXT_RESPONSE, at)


def sla_status_changed(*, case: Case, old: str, new: str, at: datetime.datetime, actor: Any) -> None:
    """Pause or resume the open clocks; resolving stops them; reopening starts a new resolution clock."""
    if new in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        for loaded in _open_clocks(case):
            loaded.feed("stop", at, actor=actor)
        return
    if old == CaseStatus.RESOLVED:
        record = _policy_of_case(case)
        if record is not None:
            _start(case, record, SlaTarget.RESOLUTION, at)
    for loaded in _open_clocks(case):
        event = loaded.policy.event_for_status(new)
        if loaded.feed(event.value, at, actor=actor):
            _event(
                case,
                CaseEventKind.PAUSED if event.value == "pause" else CaseEventKind.RESUMED,
                at,
                actor=actor,
                target=loaded.row.target,
                business=loaded.clock.events[-1].elapsed_business,
                calendar=loaded.clock.events[-1].elapsed_calendar,
            )


def sla_stop_all(*, case: Case, at: datetime.datetime, actor: Any) -> None:
    for loaded in _open_clocks(case):
        loaded.feed("stop", at, actor=actor)


def load_clock(row: CaseSla) -> tuple[SlaPolicy, SlaClock]:
    loaded = _Loaded(row)
    return loaded.policy, loaded.clock


def save_clock(row: CaseSla, policy: SlaPolicy, clock: SlaClock) -> None:
    loaded = _Loaded.__new__(_Loaded)
    loaded.row, loaded.policy, loaded.clock = row, policy, clock
    loaded.save()
