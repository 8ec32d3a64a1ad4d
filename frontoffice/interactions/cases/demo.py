"""Demo cases with a past: about thirty per organisation over the last six weeks, each with a life.

A case is opened by a client's contact, answered, sometimes put on hold for the client, resolved, now
and then reopened and resolved again, later closed; the newest are still new, open or waiting. The life
is written as ``CaseEvent`` rows at past times, with the SLA clocks of the demo policy fed the same
events the services feed them (``cases/sla.py``), so the first-response, resolution and SLA figures the
reporting backfill derives from the log are what the services would have recorded. Everything is
inserted in bulk; only the policy goes through its service.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.utils import timezone

from frontoffice.core.models import Organisation
from frontoffice.core.numbering import next_numbers

from ..choices import CasePriority, CaseStatus, Channel, Direction, Outcome
from ..models import Case, CaseEvent, CaseEventKind, CaseSla, Interaction, SlaPolicyRecord, Team
from ..services import CASE_NUMBER_PREFIX
from ..sla.clock import ClockStatus, SlaClock
from ..sla.policy import SlaPolicy, SlaTarget
from . import services, sla

CASES = 30
DAYS_BACK = 42
SUBJECTS = (
    "Korekta faktury",
    "Skarga na obsługę",
    "Zgubiony dokument",
    "Zwrot płatności",
    "Zmiana terminu",
    "Brak odpowiedzi na e-mail",
    "Błędne dane na fakturze",
    "Prośba o dokumentację",
)
CASE_CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.WEB_FORM, Channel.CHAT, Channel.IN_PERSON)
PRIORITIES = ((CasePriority.LOW, 15), (CasePriority.NORMAL, 60), (CasePriority.HIGH, 20), (CasePriority.URGENT, 5))
POLICY = {
    "name": "Standard",
    "first_response_minutes": 4 * 60,
    "next_response_minutes": 8 * 60,
    "resolution_minutes": 3 * 8 * 60,
}


class _Person(Protocol):
    user_id: int
    branch_ids: set[int]


@dataclass
class _Life:
    """One case as the services would have moved it: its fields, its event log and its SLA clocks."""

    case: Case
    policy: SlaPolicy
    record: SlaPolicyRecord
    events: list[CaseEvent] = field(default_factory=list)
    clocks: list[tuple[str, SlaClock]] = field(default_factory=list)

    def log(self, kind: str, at: datetime, *, actor: int | None = None, **fields: Any) -> None:
        self.events.append(CaseEvent(case=self.case, kind=kind, at=at, actor_id=actor, **fields))

    def _start(self, target: SlaTarget, at: datetime) -> None:
        clock = self.policy.new_clock(target)
        if clock is not None:
            clock.start(at)
            self.clocks.append((target.value, clock))

    def _open(self, *targets: str) -> list[tuple[str, SlaClock]]:
        running = (ClockStatus.RUNNING, ClockStatus.PAUSED)
        return [(target, clock) for target, clock in self.clocks if clock.status in running and target in targets]

    def _stop(self, target: str, clock: SlaClock, at: datetime, actor: int | None) -> None:
        clock.stop(at)
        if clock.breached_at is not None:
            self.log(
                CaseEventKind.SLA_BREACHED, clock.breached_at, target=target, business_seconds=clock.target_seconds
            )
        else:
            last = clock.events[-1]
            self.log(
                CaseEventKind.SLA_MET,
                at,
                actor=actor,
                target=target,
                business_seconds=last.elapsed_business,
                calendar_seconds=last.elapsed_calendar,
            )

    def opened(self) -> None:
        at = self.case.opened_at
        self.log(CaseEventKind.CREATED, at, actor=self.case.created_by_id)
        self._start(SlaTarget.FIRST_RESPONSE, at)
        self._start(SlaTarget.RESOLUTION, at)
        self.customer_message(at)

    def customer_message(self, at: datetime) -> None:
        self.log(CaseEventKind.CUSTOMER_MESSAGE, at)
        if self.case.status == CaseStatus.PENDING_CUSTOMER:
            self.set_status(CaseStatus.OPEN, at, actor=None)
        if self.case.first_response_at is not None and not self._open(SlaTarget.NEXT_RESPONSE.value):
            self._start(SlaTarget.NEXT_RESPONSE, at)

    def reply(self, at: datetime, actor: int | None) -> None:
        for target, clock in self._open(SlaTarget.FIRST_RESPONSE.value, SlaTarget.NEXT_RESPONSE.value):
            self._stop(target, clock, at, actor)
        case = self.case
        if case.first_response_at is None:
            case.first_response_at = at
            first = next(clock for target, clock in self.clocks if target == SlaTarget.FIRST_RESPONSE)
            last = first.events[-1]
            self.log(
                CaseEventKind.FIRST_RESPONSE,
                at,
                actor=actor,
                target=SlaTarget.FIRST_RESPONSE.value,
                business_seconds=last.elapsed_business,
                calendar_seconds=last.elapsed_calendar,
            )
            if case.status == CaseStatus.NEW:
                case.status = CaseStatus.OPEN
        else:
            self.log(CaseEventKind.REPLY, at, actor=actor)

    def set_status(self, status: str, at: datetime, *, actor: int | None) -> None:
        """As ``services._set_status`` with ``sla.sla_status_changed``."""
        case, old = self.case, self.case.status
        case.status = status
        if status == CaseStatus.RESOLVED:
            case.resolved_at = at
        elif status == CaseStatus.CLOSED:
            case.closed_at = at
            case.resolved_at = case.resolved_at or at
        elif old == CaseStatus.RESOLVED:
            case.reopen_count += 1
            case.resolved_at = None
        self.log(CaseEventKind.STATUS, at, actor=actor, from_value=old, to_value=status)
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            for target, clock in self._open(*SlaTarget):
                self._stop(target, clock, at, actor)
            if status == CaseStatus.RESOLVED:
                resolution = [clock for target, clock in self.clocks if target == SlaTarget.RESOLUTION][-1]
                last = resolution.events[-1]
                self.log(
                    CaseEventKind.RESOLVED,
                    at,
                    actor=actor,
                    target=SlaTarget.RESOLUTION.value,
                    business_seconds=last.elapsed_business,
                    calendar_seconds=last.elapsed_calendar,
                )
            else:
                self.log(CaseEventKind.CLOSED, at, actor=actor)
            return
        if old == CaseStatus.RESOLVED:
            self._start(SlaTarget.RESOLUTION, at)
        event = self.policy.event_for_status(status)
        for target, clock in self._open(*SlaTarget):
            if clock.feed(event.value, at):
                last = clock.events[-1]
                self.log(
                    CaseEventKind.PAUSED if event.value == "pause" else CaseEventKind.RESUMED,
                    at,
                    actor=actor,
                    target=target,
                    business_seconds=last.elapsed_business,
                    calendar_seconds=last.elapsed_calendar,
                )
        if old == CaseStatus.RESOLVED:
            self.log(CaseEventKind.REOPENED, at, actor=actor)

    def clock_rows(self) -> list[CaseSla]:
        rows = []
        for target, clock in self.clocks:
            breached = clock.breached_at
            rows.append(
                CaseSla(
                    case=self.case,
                    policy=self.record,
                    target=target,
                    state=clock.to_dict(),
                    status=clock.status.value,
                    due_at=clock.due_at,
                    breached_at=breached,
                    fulfilled=None if clock.status is not ClockStatus.STOPPED else breached is None,
                )
            )
        return rows


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.randint(int(low * 60), int(high * 60)))


def load_cases(
    organisation: Organisation, contacts: list[Interaction], rng: random.Random, *, actor: Any, staff: Sequence[_Person]
) -> None:
    """About ``CASES`` cases for the organisation, opened by its clients' contacts (older ones by clients the
    contacts name), with an SLA policy whose clocks they ran."""
    now = timezone.now()
    record = services.sla_policy_save(organisation=organisation, actor=actor, data=dict(POLICY))
    policy = sla.policy_from_record(record)
    teams = {team.branch_id: team for team in Team.objects.filter(organisation=organisation).order_by("pk")}
    inbound = [
        row
        for row in contacts
        if row.client_id is not None
        and row.direction == Direction.INBOUND
        and row.case_id is None
        and row.outcome not in (Outcome.ABANDONED, Outcome.MISSED)
    ]
    if not inbound or not staff:
        return
    chosen = rng.sample(inbound, min(CASES * 3 // 4, len(inbound)))
    openings: list[tuple[Interaction | None, datetime, int, int, str]] = [
        (row, row.started_at, row.branch_id, row.client_id, row.channel)  # type: ignore[misc]
        for row in chosen
    ]
    for _ in range(CASES - len(openings)):  # older than the contacts: opened by a client the contacts name
        row = rng.choice(inbound)
        opened = now - timedelta(days=rng.randint(31, DAYS_BACK), hours=rng.randint(0, 8))
        openings.append((None, opened, row.branch_id, row.client_id, rng.choice(CASE_CHANNELS)))  # type: ignore[arg-type]
    openings.sort(key=lambda opening: opening[1])
    numbers = next_numbers(organisation=organisation, prefix=CASE_NUMBER_PREFIX, count=len(openings))
    lives = []
    for number, (contact, opened, branch_id, client_id, channel) in zip(numbers, openings, strict=True):
        people = [person.user_id for person in staff if branch_id in person.branch_ids] or [staff[0].user_id]
        owner = rng.choice(people)
        team = teams.get(branch_id)
        case = Case(
            organisation=organisation,
            branch_id=branch_id,
            number=number,
            subject=rng.choice(SUBJECTS),
            client_id=client_id,
            channel=channel,
            status=CaseStatus.NEW,
            priority=rng.choices([p for p, _ in PRIORITIES], weights=[w for _, w in PRIORITIES])[0],
            team=team,
            owner_id=owner,
            is_complaint=rng.random() < 0.15,
            opened_at=opened,
            created_by_id=contact.staff_id if contact is not None else owner,
        )
        life = _Life(case, policy, record)
        lives.append((life, contact))
    # In each branch one case always has a first reply six days late and is reopened: the newest opened three
    # weeks ago or more, so that its whole life (sixteen days at most) has passed inside the demo's recent
    # weeks. Left to chance alone, about 30 cases leave some branch on some days without a late first
    # response or a reopened case, and a branch manager's SLA compliance and reopen rate figures need both.
    settled = {
        life.case.branch_id: index
        for index, (life, _) in enumerate(lives)
        if life.case.opened_at <= now - timedelta(days=21)
    }
    eventful = set(settled.values())
    for index, (life, _) in enumerate(lives):
        _live(life, rng, now, eventful=index in eventful)  # before the insert: written as its life left it
    Case.objects.bulk_create([life.case for life, _ in lives], batch_size=500)
    CaseEvent.objects.bulk_create([event for life, _ in lives for event in life.events], batch_size=1000)
    CaseSla.objects.bulk_create([row for life, _ in lives for row in life.clock_rows()], batch_size=1000)
    opened_by = [contact for life, contact in lives if contact is not None]
    for life, contact in lives:
        if contact is not None:
            contact.case_id = life.case.pk
    Interaction.objects.bulk_update(opened_by, ["case"], batch_size=500)


def _live(life: _Life, rng: random.Random, now: datetime, *, eventful: bool = False) -> None:
    """Move the case along its (random) life up to now; the newest stop where now finds them. ``eventful``: the
    first reply comes six days late (past the policy's 4 business hours even over Polish holidays) and the
    client is not satisfied with the first resolution; otherwise both happen by chance."""
    case, owner = life.case, life.case.owner_id
    life.opened()
    delay = _hours(rng, 0.2, 5) if rng.random() < 0.8 else _hours(rng, 6, 40)
    at = case.opened_at + (timedelta(days=6) if eventful else delay)
    if at > now:
        return
    life.reply(at, owner)
    if rng.random() < 0.4:  # a question back to the client, who answers a while later
        at += _hours(rng, 0.1, 1)
        if at > now:
            return
        life.set_status(CaseStatus.PENDING_CUSTOMER, at, actor=owner)
        at += _hours(rng, 2, 30)
        if at > now:
            return
        life.customer_message(at)
        at += _hours(rng, 0.5, 12)
        if at > now:
            return
        life.reply(at, owner)
    at += _hours(rng, 1, 48)
    if at > now:
        return
    life.set_status(CaseStatus.RESOLVED, at, actor=owner)
    if rng.random() < 0.15 or eventful:  # the client was not satisfied after all
        at += _hours(rng, 2, 72)
        if at > now:
            return
        life.customer_message(at)
        life.set_status(CaseStatus.OPEN, at, actor=owner)
        at += _hours(rng, 0.5, 8)
        if at > now:
            return
        life.reply(at, owner)
        at += _hours(rng, 1, 24)
        if at > now:
            return
        life.set_status(CaseStatus.RESOLVED, at, actor=owner)
    if rng.random() < 0.3:
        at += timedelta(days=rng.randint(3, 7))
        if at <= now:
            life.set_status(CaseStatus.CLOSED, at, actor=owner)
