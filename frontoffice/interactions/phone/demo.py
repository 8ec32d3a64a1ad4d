"""Demo phone traffic: PBX calls for the demo's inbound phone contacts, and the agents' state intervals.

``plan_calls`` runs before the contacts are inserted: it picks which inbound phone contacts were PBX calls
(those whose handling is over by now), gives each a queue wait, talk, hold and wrap-up, lets about 6 % be
abandoned (some within the short-abandon grace time) and hands every answered call to an agent who is
free then (not on another call, its wrap-up or a break), so the agents' days add up. ``load_calls`` writes
the ``Call`` rows and one working day of ``AgentStateChange`` intervals per agent and day (available, on a
call, wrap-up, a break, offline), all in bulk, as the CTI webhook would have left them
(``phone/cti.py``): the reporting backfill derives the voice events from them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontoffice.clients.normalise import normalise_phone
from frontoffice.core.models import Organisation

from ..choices import AgentState, CallbackOutcome, CallbackStatus, CallState, Channel, Direction, Outcome
from ..models import AgentStateChange, Call, Callback, Interaction
from ..models.phone_setup import CALLBACK_DUE_MINUTES

ABANDON_SHARE = 0.06
SHORT_ABANDON_SHARE = 0.35  # of the abandons: the caller hung up within the grace time
QUEUES = (("infolinia", 70), ("rejestracja", 30))
SHIFT = (time(8), time(16))
BREAK_MINUTES = 30
UNANSWERED = (Outcome.MISSED, Outcome.NO_ANSWER, Outcome.VOICEMAIL)


@dataclass
class DemoCall:
    """A planned call: its contact (inserted later) and the phone-only facts."""

    interaction: Interaction
    queue: str
    cause: str
    ring: int
    talk: int | None = None
    hold: int = 0
    wrap: int | None = None
    transfers: int = 0

    @property
    def answered(self) -> bool:
        return self.interaction.answered_at is not None

    @property
    def handled_until(self) -> datetime:
        """When the agent is free again (the end of the wrap-up)."""
        ended = self.interaction.ended_at
        assert ended is not None
        return ended + timedelta(seconds=self.wrap or 0)


@dataclass
class _Agent:
    busy_until: datetime | None = None
    breaks: dict[date, tuple[datetime, datetime]] = field(default_factory=dict)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _break(rng: random.Random, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(12), tzinfo=zone) + timedelta(minutes=rng.randrange(0, 90, 5))
    return start, start + timedelta(minutes=BREAK_MINUTES)


@dataclass
class Plan:
    calls: list[DemoCall]
    breaks: dict[tuple[int, date], tuple[datetime, datetime]]  # (agent, local day) -> the lunch break
    now: datetime


def plan_calls(rows: list[Interaction], people: dict[int, list[int]], rng: random.Random, *, now: datetime) -> Plan:
    """Turn the inbound phone contacts among ``rows`` (not yet saved) into calls; ``people``: agents by branch."""
    agents: dict[int, _Agent] = defaultdict(_Agent)
    calls: list[DemoCall] = []
    inbound = [row for row in rows if row.channel == Channel.PHONE and row.direction == Direction.INBOUND]
    for row in sorted(inbound, key=lambda row: row.started_at):
        if row.started_at > now - timedelta(hours=1):
            continue  # might still be going on: left as a contact somebody logged by hand
        zone = ZoneInfo(row.branch.time_zone)
        queue = rng.choices([name for name, _ in QUEUES], weights=[weight for _, weight in QUEUES])[0]
        if rng.random() < ABANDON_SHARE:
            calls.append(_abandoned(row, queue, rng))
            continue
        staff = people.get(row.branch_id) or []
        if not staff:
            continue
        ring = min(int(rng.expovariate(1 / 12)) + 2, 150)
        answered = row.started_at + timedelta(seconds=ring)
        # The contact's own agent if free then, else whoever of the branch's agents is free first.
        candidates = ([row.staff_id] if row.staff_id in staff else []) + [
            user for user in staff if user != row.staff_id
        ]

        def free_at(user: int, at: datetime, zone: ZoneInfo = zone) -> datetime:
            agent = agents[user]
            day = _local_day(at, zone)
            if day not in agent.breaks:
                agent.breaks[day] = _break(rng, day, zone)
            start, end = agent.breaks[day]
            free = max(at, agent.busy_until or at)
            return end if start <= free < end else free

        chosen = min(candidates, key=lambda user: (free_at(user, answered), candidates.index(user)))
        answered = free_at(chosen, answered)
        call = DemoCall(
            row,
            queue,
            "normalClearing",
            ring=int((answered - row.started_at).total_seconds()),
            talk=rng.randint(45, 420),
            hold=rng.randint(10, 120) if rng.random() < 0.25 else 0,
            wrap=rng.randint(10, 90),
            transfers=1 if rng.random() < 0.04 else 0,
        )
        row.staff_id = chosen
        row.answered_at = answered
        row.ended_at = answered + timedelta(seconds=(call.talk or 0) + call.hold)
        if row.outcome in UNANSWERED:
            row.outcome = Outcome.INFORMATION
        if call.transfers and row.outcome not in (Outcome.RESOLVED, Outcome.FOLLOW_UP):
            row.outcome = Outcome.TRANSFERRED
        if call.handled_until > now:
            continue
        agents[chosen].busy_until = call.handled_until
        calls.append(call)
    for number, call in enumerate(calls, start=1):
        # The PBX's call id, also the contact's external id (as the webhook records it).
        call.interaction.external_id = f"demo-{call.interaction.started_at:%Y%m%d}-{number:05d}"
    breaks = {(user, day): window for user, agent in agents.items() for day, window in agent.breaks.items()}
    return Plan(calls, breaks, now)


def _abandoned(row: Interaction, queue: str, rng: random.Random) -> DemoCall:
    """The caller hung up in the queue (``cancel``), or nobody picked up before the line gave up (``noAnswer``)."""
    if rng.random() < SHORT_ABANDON_SHARE:
        cause, ring = "cancel", rng.randint(1, 4)
    elif rng.random() < 0.75:
        cause, ring = "cancel", rng.randint(8, 140)
    else:
        cause, ring = "noAnswer", rng.randint(45, 90)
    row.staff_id = None
    row.answered_at = None
    row.ended_at = row.started_at + timedelta(seconds=ring)
    row.outcome = Outcome.ABANDONED if cause == "cancel" else Outcome.MISSED
    row.topic = None
    row.summary = ""
    return DemoCall(row, queue, cause, ring=ring)


def load_calls(organisation: Organisation, plan: Plan) -> None:
    """Write the planned calls (their contacts are saved by now) and the agents' state intervals."""
    rows = [
        Call(
            organisation=organisation,
            branch_id=call.interaction.branch_id,
            interaction=call.interaction,
            call_id=call.interaction.external_id,
            state=CallState.ENDED,
            from_number=call.interaction.contact_address,
            to_number=call.interaction.branch.phone,
            queue=call.queue,
            cause=call.cause,
            ring_seconds=call.ring,
            talk_seconds=call.talk,
            hold_seconds=call.hold,
            wrap_up_started_at=call.interaction.ended_at if call.answered else None,
            wrap_up_seconds=call.wrap,
            transfers=call.transfers,
            event_count=(5 if call.answered else 2) + (2 if call.hold else 0) + call.transfers,
        )
        for call in plan.calls
    ]
    Call.objects.bulk_create(rows, batch_size=500)
    AgentStateChange.objects.bulk_create(_agent_states(organisation, plan, rows), batch_size=1000)
    Callback.objects.bulk_create(_callbacks(organisation, plan), batch_size=500)


def _callbacks(organisation: Organisation, plan: Plan) -> list[Callback]:
    """A callback for each abandoned call with a number, as the webhook opens them (due after the default
    time): the day's ones still open, older ones done (the caller reached) or given up after three tries."""
    rng = random.Random(organisation.pk)  # noqa: S311 - invented demo data
    out: list[Callback] = []
    still_open: dict[str, Callback] = {}
    for call in plan.calls:
        contact = call.interaction
        if call.answered or not contact.contact_address or contact.ended_at is None:
            continue
        number = normalise_phone(contact.contact_address) or contact.contact_address.strip()
        if number in still_open:  # a repeat call adds to the number's open callback
            still_open[number].missed_calls += 1
            continue
        due = contact.ended_at + timedelta(minutes=CALLBACK_DUE_MINUTES)
        callback = Callback(
            organisation=organisation,
            branch_id=contact.branch_id,
            interaction=contact,
            number=number,
            client_id=contact.client_id,
            due_at=due,
        )
        if plan.now - due < timedelta(hours=4):
            still_open[number] = callback
        else:
            reached = rng.random() < 0.85
            callback.attempts = 1 if reached else 3
            callback.last_attempt_at = due - timedelta(minutes=rng.randint(0, CALLBACK_DUE_MINUTES))
            callback.closed_at = callback.last_attempt_at
            callback.closed_by_id = _helper(plan, contact.branch_id, rng)
            callback.status = CallbackStatus.DONE if reached else CallbackStatus.GAVE_UP
            callback.outcome = CallbackOutcome.REACHED if reached else CallbackOutcome.NO_ANSWER
        out.append(callback)
    return out


def _helper(plan: Plan, branch_id: int, rng: random.Random) -> int | None:
    """Somebody who answered the branch's calls (they call back)."""
    people: set[int] = set()
    for call in plan.calls:
        staff = call.interaction.staff_id
        if staff is not None and call.interaction.branch_id == branch_id:
            people.add(staff)
    return rng.choice(sorted(people)) if people else None  # type: ignore[arg-type]


def _agent_states(organisation: Organisation, plan: Plan, rows: list[Call]) -> list[AgentStateChange]:
    """Each agent's working days from 8:00 to 16:00 (longer when a call runs late): available between calls,
    on a call, wrap-up, a half-hour break, and offline from the end of one working day to the next."""
    days: dict[int, dict[date, list[tuple[DemoCall, Call]]]] = defaultdict(lambda: defaultdict(list))
    for call, row in zip(plan.calls, rows, strict=True):
        if call.answered and call.interaction.staff_id is not None:
            zone = ZoneInfo(call.interaction.branch.time_zone)
            days[call.interaction.staff_id][_local_day(call.interaction.answered_at, zone)].append((call, row))  # type: ignore[arg-type]
    zone = ZoneInfo(organisation.time_zone)
    out: list[AgentStateChange] = []
    for user, by_day in days.items():

        def add(
            state: str, start: datetime, end: datetime | None, *, call: Call | None = None, user: int = user
        ) -> None:
            if end is None or end > start:
                out.append(
                    AgentStateChange(
                        organisation=organisation,
                        user_id=user,
                        state=state,
                        started_at=start,
                        ended_at=end,
                        by_pbx=call is not None or state in (AgentState.ON_CALL, AgentState.WRAP_UP),
                        call=call,
                    )
                )

        offline_since: datetime | None = None
        for day in sorted(by_day):
            handled = sorted(by_day[day], key=lambda pair: pair[0].interaction.answered_at)  # type: ignore[arg-type, return-value]
            first = handled[0][0].interaction.answered_at
            assert first is not None
            start = min(datetime.combine(day, SHIFT[0], tzinfo=zone), first)
            last = max(call.handled_until for call, _ in handled)
            end = max(datetime.combine(day, SHIFT[1], tzinfo=zone), last)
            if end > plan.now:
                end = last  # today: the agent went offline after the last call
            if offline_since is not None:
                add(AgentState.OFFLINE, offline_since, start)
            pause = _fit_break(plan.breaks.get((user, day)), handled, end)
            cursor, previous = start, None
            for call, row in handled:
                answered, ended = call.interaction.answered_at, call.interaction.ended_at
                assert answered is not None and ended is not None
                if pause is not None and pause[0] < answered:
                    add(AgentState.AVAILABLE, cursor, pause[0], call=previous)
                    add(AgentState.BREAK, *pause)
                    cursor, previous, pause = pause[1], None, None
                add(AgentState.AVAILABLE, cursor, answered, call=previous)
                add(AgentState.ON_CALL, answered, ended, call=row)
                add(AgentState.WRAP_UP, ended, call.handled_until, call=row)
                cursor, previous = call.handled_until, row
            if pause is not None:
                add(AgentState.AVAILABLE, cursor, pause[0], call=previous)
                add(AgentState.BREAK, *pause)
                cursor, previous = pause[1], None
            add(AgentState.AVAILABLE, cursor, end, call=previous)
            offline_since = end
        if offline_since is not None:
            add(AgentState.OFFLINE, offline_since, None)
    return out


def _fit_break(
    window: tuple[datetime, datetime] | None, handled: list[tuple[DemoCall, Call]], end: datetime
) -> tuple[datetime, datetime] | None:
    """The day's break, moved past a call that runs into it; None when it no longer fits the working day."""
    if window is None:
        return None
    start = window[0]
    for call, _ in handled:
        answered = call.interaction.answered_at
        assert answered is not None
        if answered < start + timedelta(minutes=BREAK_MINUTES) and call.handled_until > start:
            start = call.handled_until
    stop = start + timedelta(minutes=BREAK_MINUTES)
    clash = any(
        call.interaction.answered_at is not None and call.interaction.answered_at < stop and call.handled_until > start
        for call, _ in handled
    )
    return None if clash or stop > end else (start, stop)
