"""Reporting events of contacts, cases, SLA clocks, calls and agent states (``core.reporting``).

The services call these inside their own transactions at the moment the fact happens, so an event
exists exactly when its fact does (a rolled-back change leaves none) and a CTI event the webhook
ignores as a duplicate or out of order records nothing. Each function writes one row (one INSERT),
apart from the few that say otherwise. ``backfill`` derives the same events from existing rows.

Teams: a case's events carry the case's team; a call's carry ``Call.team`` (its queue's team, else the team of
the agent who took it: ``phone/teams.py``); an agent's state carries the agent's only team in use.

Subjects: contacts and calls are ``("interaction", id)`` (a call's events and its contact share the
contact's id, so a drill-down opens the contact); cases and their SLA clocks ``("case", id)``; agent
states ``("agent_state", id)``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from frontoffice.core.models import Organisation, ReportingEvent
from frontoffice.core.reporting import EventKind, record_event

from .choices import Direction
from .models import (
    AgentStateChange,
    Call,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseSla,
    Interaction,
    Team,
    TeamPhoneQueue,
)
from .models.phone_setup import SHORT_ABANDON_SECONDS
from .phone import teams

REPLY_KINDS = (CaseEventKind.FIRST_RESPONSE, CaseEventKind.REPLY)


def elapsed_seconds(start: datetime.datetime | None, end: datetime.datetime) -> int:
    """Whole seconds from ``start`` to ``end``; 0 without a start or when the clocks disagree."""
    return max(0, int((end - start).total_seconds())) if start is not None else 0


# --- contacts -------------------------------------------------------------------------------------


def _case_team(interaction: Interaction) -> int | None:
    """The team of the contact's case when the case is at hand (never a query of its own)."""
    if interaction.case_id is None or not Interaction.case.is_cached(interaction):
        return None
    return interaction.case.team_id if interaction.case is not None else None


def contact_recorded(interaction: Interaction) -> ReportingEvent:
    """contact.received / contact.sent: one per contact in any channel, at the contact's start.

    A CTI call's and a chat's contact is recorded when it ends (the agent who took it is known by then)."""
    inbound = interaction.direction == Direction.INBOUND
    data: dict[str, Any] = {}
    if interaction.outcome:
        data["outcome"] = interaction.outcome
    if interaction.case_id is not None:
        data["case"] = interaction.case_id
    return record_event(
        organisation=interaction.organisation_id,
        branch=interaction.branch_id,
        kind=EventKind.CONTACT_RECEIVED if inbound else EventKind.CONTACT_SENT,
        occurred_at=interaction.started_at,
        subject=("interaction", interaction.pk),
        channel=interaction.channel,
        agent=interaction.staff_id,
        team_id=_case_team(interaction),
        topic_id=interaction.topic_id,
        client_id=interaction.client_id,
        data=data,
    )


def contact_classified(interaction: Interaction, *, at: datetime.datetime) -> ReportingEvent:
    """contact.classified: the contact's client or topic was set after the contact was recorded.

    Carries the contact's current client, topic and agent; the latest one per contact wins (FCR and
    contacts per topic read it), so the contact's own event stays as it was written."""
    return record_event(
        organisation=interaction.organisation_id,
        branch=interaction.branch_id,
        kind=EventKind.CONTACT_CLASSIFIED,
        occurred_at=at,
        subject=("interaction", interaction.pk),
        channel=interaction.channel,
        agent=interaction.staff_id,
        topic_id=interaction.topic_id,
        client_id=interaction.client_id,
        data={"contact_started_at": interaction.started_at.isoformat()},
    )


# --- cases ----------------------------------------------------------------------------------------


def _case_event(
    case: Case,
    kind: str,
    at: datetime.datetime,
    *,
    agent: Any = None,
    value: float | None = None,
    data: dict[str, Any] | None = None,
) -> ReportingEvent:
    return record_event(
        organisation=case.organisation_id,
        branch=case.branch_id,
        kind=kind,
        occurred_at=at,
        subject=("case", case.pk),
        channel=case.channel,
        agent=agent if agent is not None else case.owner_id,
        team_id=case.team_id,
        client_id=case.client_id,
        value=value,
        data=data,
    )


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def case_created(case: Case) -> ReportingEvent:
    """case.created at the case's opening; data: priority."""
    return _case_event(case, EventKind.CASE_CREATED, case.opened_at, data={"priority": case.priority})


def case_first_response(
    case: Case, *, at: datetime.datetime, actor: Any, business: int | None = None
) -> ReportingEvent:
    """case.first_response: value = calendar seconds from the opening to the first public reply;
    data: business_seconds (by the SLA policy's calendar, when a policy runs the case's clocks)."""
    data = {"business_seconds": business} if business is not None else {}
    return _case_event(
        case,
        EventKind.CASE_FIRST_RESPONSE,
        at,
        agent=_person(actor),
        value=elapsed_seconds(case.opened_at, at),
        data=data,
    )


def waiting_since(case: Case, at: datetime.datetime) -> datetime.datetime | None:
    """The earliest customer message after the case's last reply (None: nothing waits). One query."""
    last_reply = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), kind__in=REPLY_KINDS).order_by("-at", "-pk").values("at")
    )
    first = (
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.CUSTOMER_MESSAGE, at__lte=at)
        .filter(at__gt=Subquery(last_reply[:1]))
        .order_by("at", "pk")
        .values_list("at", flat=True)
        .first()
    )
    return first


def case_response(case: Case, *, at: datetime.datetime, actor: Any) -> ReportingEvent | None:
    """case.response: a reply to a waiting customer message; value = calendar seconds from the earliest
    unanswered message to this reply; data: business_seconds when a next-response clock timed it.

    A reply with no customer message waiting is no response and records nothing."""
    since = waiting_since(case, at)
    if since is None:
        return None
    data: dict[str, Any] = {}
    clock = CaseSla.objects.filter(case=case, target="next_response").order_by("-pk").first()
    events = (clock.state or {}).get("events") if clock is not None else None
    if events and clock is not None and clock.fulfilled is not None:
        data["business_seconds"] = events[-1]["elapsed_business"]
    return _case_event(
        case, EventKind.CASE_RESPONSE, at, agent=_person(actor), value=elapsed_seconds(since, at), data=data
    )


def case_resolved(
    case: Case, *, at: datetime.datetime, actor: Any, business: int | None = None, closed: bool = False
) -> ReportingEvent:
    """case.resolved: value = calendar seconds from the opening; data: replies (the agents' public
    replies so far), reopened (times reopened before), business_seconds (never reopened cases only: a
    reopened case's resolution clock starts at the reopening), closed (closed without being resolved)."""
    replies = CaseEvent.objects.filter(case=case, kind__in=REPLY_KINDS).count()
    data: dict[str, Any] = {"replies": replies, "reopened": case.reopen_count}
    if business is not None and case.reopen_count == 0:
        data["business_seconds"] = business
    if closed:
        data["closed"] = True
    return _case_event(
        case,
        EventKind.CASE_RESOLVED,
        at,
        agent=case.owner_id or _person(actor),  # the owner who worked it; whoever resolved an unowned case
        value=elapsed_seconds(case.opened_at, at),
        data=data,
    )


def case_reopened(
    case: Case, *, at: datetime.datetime, actor: Any, resolved_at: datetime.datetime | None
) -> ReportingEvent:
    """case.reopened: value = seconds since the resolution it undoes; data: reopened (the count now)."""
    return _case_event(
        case,
        EventKind.CASE_REOPENED,
        at,
        agent=_person(actor),
        value=elapsed_seconds(resolved_at, at) if resolved_at is not None else None,
        data={"reopened": case.reopen_count},
    )


def case_closed(case: Case, *, at: datetime.datetime, actor: Any, merged_into: Case | None = None) -> ReportingEvent:
    """case.closed: value = calendar seconds from the opening; data: merged_into (a merged-away case)."""
    data = {"merged_into": merged_into.pk} if merged_into is not None else {}
    return _case_event(
        case, EventKind.CASE_CLOSED, at, agent=_person(actor), value=elapsed_seconds(case.opened_at, at), data=data
    )


def sla_met(row: CaseSla, *, at: datetime.datetime, business: int, calendar: int) -> ReportingEvent:
    """sla.met when a clock stops in time; value = business seconds used; data: target, clock,
    target_seconds, calendar_seconds."""
    return _case_event(
        row.case,
        EventKind.SLA_MET,
        at,
        value=business,
        data={
            "target": row.target,
            "clock": row.pk,
            "target_seconds": (row.state or {}).get("target_seconds"),
            "calendar_seconds": calendar,
        },
    )


def sla_breached(row: CaseSla, *, at: datetime.datetime, target_seconds: int) -> ReportingEvent:
    """sla.breached once per clock, at the moment of the breach; value = the target's business seconds;
    data: target, clock, target_seconds."""
    return _case_event(
        row.case,
        EventKind.SLA_BREACHED,
        at,
        value=target_seconds,
        data={"target": row.target, "clock": row.pk, "target_seconds": target_seconds},
    )


# --- calls and agent states -----------------------------------------------------------------------


def _call_event(
    call: Call,
    kind: str,
    at: datetime.datetime,
    *,
    value: float | None = None,
    data: dict[str, Any] | None = None,
) -> ReportingEvent:
    interaction = call.interaction
    return record_event(
        organisation=call.organisation_id,
        branch=call.branch_id,
        kind=kind,
        occurred_at=at,
        subject=("interaction", call.interaction_id),
        channel=interaction.channel,
        agent=interaction.staff_id,
        team_id=call.team_id,
        client_id=interaction.client_id,
        topic_id=interaction.topic_id,
        value=value,
        data={"queue": call.queue, "direction": interaction.direction, **(data or {})},
    )


def call_offered(call: Call) -> ReportingEvent:
    """call.offered: an inbound call reached the line (a blocked caller's call is not offered)."""
    return _call_event(call, EventKind.CALL_OFFERED, call.interaction.started_at)


def call_answered(call: Call, *, at: datetime.datetime) -> ReportingEvent:
    """call.answered (inbound): value = seconds the caller waited before the answer."""
    return _call_event(call, EventKind.CALL_ANSWERED, at, value=call.ring_seconds)


def call_abandoned(call: Call, *, at: datetime.datetime) -> ReportingEvent:
    """call.abandoned: an offered inbound call that ended unanswered; value = seconds waited; data: short
    (waited less than ``SHORT_ABANDON_SECONDS``), cause (the PBX's hangup cause), outcome."""
    wait = call.ring_seconds or 0
    return _call_event(
        call,
        EventKind.CALL_ABANDONED,
        at,
        value=wait,
        data={"short": wait < SHORT_ABANDON_SECONDS, "cause": call.cause, "outcome": call.interaction.outcome},
    )


def call_ended(call: Call, *, at: datetime.datetime) -> ReportingEvent:
    """call.ended: an answered call's handling is over (after its wrap-up, when the line uses one);
    value = talk + hold + wrap-up seconds; data: talk, hold, wrap, transfers."""
    talk, hold, wrap = call.talk_seconds or 0, call.hold_seconds or 0, call.wrap_up_seconds or 0
    return _call_event(
        call,
        EventKind.CALL_ENDED,
        at,
        value=talk + hold + wrap,
        data={"talk": talk, "hold": hold, "wrap": wrap, "transfers": call.transfers},
    )


def agent_state_ended(change: AgentStateChange, *, branch_id: int | None = None) -> ReportingEvent:
    """agent.state when a state interval ends: value = its seconds; data: state, by_pbx. The team is the
    agent's only team in use (none when they have several or none)."""
    assert change.ended_at is not None
    return record_event(
        organisation=change.organisation_id,
        branch=branch_id,
        kind=EventKind.AGENT_STATE,
        occurred_at=change.ended_at,
        subject=("agent_state", change.pk),
        channel="phone",
        agent=change.user_id,
        team_id=teams.agent_team_id(change.user_id),
        value=elapsed_seconds(change.started_at, change.ended_at),
        data={"state": change.state, "by_pbx": change.by_pbx, "started_at": change.started_at.isoformat()},
    )


# --- backfill ------------------------------------------------------------------------------------


def _existing(organisation: Organisation, kinds: list[str]) -> set[tuple[str, str, int]]:
    """(kind, subject type, subject id) of the organisation's events of ``kinds`` already recorded."""
    rows = ReportingEvent.objects.filter(organisation=organisation, kind__in=kinds).values_list(
        "kind", "subject_type", "subject_id"
    )
    return set(rows)


class _Collector:
    """Events derived from rows, written in bulk; a (kind, subject) that already has events is skipped whole."""

    def __init__(self, organisation: Organisation, kinds: list[str], since: datetime.datetime | None) -> None:
        self.organisation, self.since = organisation, since
        self.skip = _existing(organisation, kinds)
        self.rows: list[ReportingEvent] = []

    def add(self, *, kind: str, subject: tuple[str, int], occurred_at: datetime.datetime, **fields: Any) -> None:
        if (kind, *subject) in self.skip or (self.since is not None and occurred_at < self.since):
            return
        fields.setdefault("data", {})
        self.rows.append(
            ReportingEvent(
                organisation=self.organisation,
                kind=kind,
                occurred_at=occurred_at,
                subject_type=subject[0],
                subject_id=subject[1],
                **fields,
            )
        )

    def write(self) -> int:
        ReportingEvent.objects.bulk_create(self.rows, batch_size=1000)
        return len(self.rows)


def _backfill_contacts(out: _Collector) -> None:
    # A CTI call's or a chat's contact is reported when it ends: calls and chats still going on wait.
    contacts = (
        Interaction.objects.filter(organisation=out.organisation)
        .exclude(call__state__in=["ringing", "answered", "on_hold"])
        .exclude(chat__status__in=["waiting", "active"])
        .select_related("case")
        .order_by("pk")
    )
    for row in contacts.iterator(chunk_size=2000):
        data: dict[str, Any] = {}
        if row.outcome:
            data["outcome"] = row.outcome
        if row.case_id is not None:
            data["case"] = row.case_id
        out.add(
            kind=EventKind.CONTACT_RECEIVED if row.direction == Direction.INBOUND else EventKind.CONTACT_SENT,
            subject=("interaction", row.pk),
            occurred_at=row.started_at,
            branch_id=row.branch_id,
            channel=row.channel,
            agent_id=row.staff_id,
            team_id=row.case.team_id if row.case is not None else None,
            topic_id=row.topic_id,
            client_id=row.client_id,
            data=data,
        )


def _backfill_cases(out: _Collector) -> None:
    """Replays each case's own event log (``CaseEvent``), which holds every fact with its time."""
    cases = {case.pk: case for case in Case.objects.filter(organisation=out.organisation)}
    numbers = {case.number: case.pk for case in cases.values()}
    log = CaseEvent.objects.filter(case__organisation=out.organisation).order_by("case_id", "at", "pk")
    state: dict[int, dict[str, Any]] = {}
    for event in log.iterator(chunk_size=2000):
        case = cases[event.case_id]
        seen = state.setdefault(case.pk, {"waiting": None, "replies": 0, "reopened": 0, "resolved": None})

        def add(
            kind: str,
            *,
            agent: Any = None,
            value: float | None = None,
            data: dict[str, Any] | None = None,
            case: Case = case,
            at: datetime.datetime = event.at,
        ) -> None:
            out.add(
                kind=kind,
                subject=("case", case.pk),
                occurred_at=at,
                branch_id=case.branch_id,
                channel=case.channel,
                agent_id=agent if agent is not None else case.owner_id,
                team_id=case.team_id,
                client_id=case.client_id,
                value=value,
                data=data or {},
            )

        kind = event.kind
        if kind == CaseEventKind.CREATED:
            add(EventKind.CASE_CREATED, data={"priority": case.priority})
        elif kind == CaseEventKind.CUSTOMER_MESSAGE:
            seen["waiting"] = seen["waiting"] or event.at
        elif kind == CaseEventKind.FIRST_RESPONSE:
            seen["replies"] += 1
            seen["waiting"] = None
            business = {"business_seconds": event.business_seconds} if event.business_seconds is not None else {}
            add(
                EventKind.CASE_FIRST_RESPONSE,
                agent=event.actor_id,
                value=elapsed_seconds(case.opened_at, event.at),
                data=business,
            )
        elif kind == CaseEventKind.REPLY:
            seen["replies"] += 1
            if seen["waiting"] is not None:
                business = {"business_seconds": event.business_seconds} if event.business_seconds is not None else {}
                add(
                    EventKind.CASE_RESPONSE,
                    agent=event.actor_id,
                    value=elapsed_seconds(seen["waiting"], event.at),
                    data=business,
                )
            seen["waiting"] = None
        elif kind == CaseEventKind.RESOLVED:
            data = {"replies": seen["replies"], "reopened": seen["reopened"]}
            if event.business_seconds is not None and not seen["reopened"]:
                data["business_seconds"] = event.business_seconds
            add(EventKind.CASE_RESOLVED, value=elapsed_seconds(case.opened_at, event.at), data=data)
            seen["resolved"] = event.at
        elif kind == CaseEventKind.REOPENED:
            seen["reopened"] += 1
            resolved_at = seen["resolved"]
            add(
                EventKind.CASE_REOPENED,
                agent=event.actor_id,
                value=elapsed_seconds(resolved_at, event.at) if resolved_at else None,
                data={"reopened": seen["reopened"]},
            )
            seen["resolved"] = None
        elif kind == CaseEventKind.CLOSED:
            if seen["resolved"] is None:
                add(
                    EventKind.CASE_RESOLVED,
                    value=elapsed_seconds(case.opened_at, event.at),
                    data={"replies": seen["replies"], "reopened": seen["reopened"], "closed": True},
                )
            add(EventKind.CASE_CLOSED, agent=event.actor_id, value=elapsed_seconds(case.opened_at, event.at))
        elif kind == CaseEventKind.MERGED and event.to_value:
            add(
                EventKind.CASE_CLOSED,
                agent=event.actor_id,
                value=elapsed_seconds(case.opened_at, event.at),
                data={"merged_into": numbers.get(event.to_value)},
            )
        elif kind == CaseEventKind.SLA_MET:
            add(
                EventKind.SLA_MET,
                value=event.business_seconds,
                data={"target": event.target, "calendar_seconds": event.calendar_seconds},
            )
        elif kind == CaseEventKind.SLA_BREACHED:
            add(
                EventKind.SLA_BREACHED,
                value=event.business_seconds,
                data={"target": event.target, "target_seconds": event.business_seconds},
            )


def _memberships(organisation: Organisation) -> dict[int, list[tuple[int, int]]]:
    """(team id, branch id) of the teams in use each user of the organisation is a member of (one query)."""
    rows = Team.members.through.objects.filter(team__organisation=organisation, team__is_active=True).order_by(
        "team_id"
    )
    found: dict[int, list[tuple[int, int]]] = {}
    for user_id, team_id, branch_id in rows.values_list("user_id", "team_id", "team__branch_id"):
        found.setdefault(user_id, []).append((team_id, branch_id))
    return found


def _backfill_calls(out: _Collector) -> None:
    # The team as the webhook sets it (``Call.team``); a call kept from before teams had queues gets it worked
    # out now by the same rule. Its offer carries only a queue's team: who answers is not known at the offer.
    queues = dict(
        TeamPhoneQueue.objects.filter(organisation=out.organisation, team__is_active=True).values_list(
            "name", "team_id"
        )
    )
    members = _memberships(out.organisation)
    calls = (
        Call.objects.filter(organisation=out.organisation, state="ended")
        .exclude(cause="blocked")
        .select_related("interaction")
        .order_by("pk")
    )
    for call in calls.iterator(chunk_size=2000):
        interaction = call.interaction
        inbound = interaction.direction == Direction.INBOUND
        queue_team = queues.get(call.queue) if call.queue else None
        team = call.team_id
        if team is None:
            team = queue_team
        if team is None and interaction.staff_id is not None:
            team = teams.only_team(members.get(interaction.staff_id, []), branch_id=call.branch_id)
        common: dict[str, Any] = {
            "subject": ("interaction", interaction.pk),
            "branch_id": call.branch_id,
            "channel": interaction.channel,
            "agent_id": interaction.staff_id,
            "team_id": team,
            "client_id": interaction.client_id,
            "topic_id": interaction.topic_id,
        }
        base = {"queue": call.queue, "direction": interaction.direction}
        if inbound:
            offered = {**common, "team_id": queue_team if team == queue_team else None}
            out.add(kind=EventKind.CALL_OFFERED, occurred_at=interaction.started_at, data=base, **offered)
        if interaction.answered_at is not None:
            if inbound:
                out.add(
                    kind=EventKind.CALL_ANSWERED,
                    occurred_at=interaction.answered_at,
                    value=call.ring_seconds,
                    data=base,
                    **common,
                )
            if interaction.ended_at is not None and (
                call.wrap_up_seconds is not None or call.wrap_up_started_at is None
            ):
                talk, hold, wrap = call.talk_seconds or 0, call.hold_seconds or 0, call.wrap_up_seconds or 0
                out.add(
                    kind=EventKind.CALL_ENDED,
                    occurred_at=interaction.ended_at + datetime.timedelta(seconds=wrap),
                    value=talk + hold + wrap,
                    data={**base, "talk": talk, "hold": hold, "wrap": wrap, "transfers": call.transfers},
                    **common,
                )
        elif inbound and interaction.ended_at is not None:
            wait = call.ring_seconds or 0
            out.add(
                kind=EventKind.CALL_ABANDONED,
                occurred_at=interaction.ended_at,
                value=wait,
                data={
                    **base,
                    "short": wait < SHORT_ABANDON_SECONDS,
                    "cause": call.cause,
                    "outcome": interaction.outcome,
                },
                **common,
            )


def _backfill_agent_states(out: _Collector) -> None:
    """As ``agent_state_ended``: a state's event carries the branch of the call whose event ended it (the call
    of the person's next state), none when the person ended it themselves; and the person's only team."""
    changes = (
        AgentStateChange.objects.filter(organisation=out.organisation)
        .annotate(call_branch=F("call__branch_id"))
        .order_by("user_id", "started_at", "pk")
    )
    members = _memberships(out.organisation)
    previous: AgentStateChange | None = None
    for change in changes.iterator(chunk_size=2000):
        if previous is not None and previous.user_id == change.user_id:
            _agent_state_row(out, previous, change.call_branch, members)  # type: ignore[attr-defined]
        elif previous is not None:
            _agent_state_row(out, previous, None, members)
        previous = change
    if previous is not None:
        _agent_state_row(out, previous, None, members)


def _agent_state_row(
    out: _Collector, change: AgentStateChange, branch_id: int | None, members: dict[int, list[tuple[int, int]]]
) -> None:
    if change.ended_at is None:
        return
    out.add(
        kind=EventKind.AGENT_STATE,
        subject=("agent_state", change.pk),
        occurred_at=change.ended_at,
        branch_id=branch_id,
        channel="phone",
        agent_id=change.user_id,
        team_id=teams.only_team(members.get(change.user_id, [])),
        value=elapsed_seconds(change.started_at, change.ended_at),
        data={"state": change.state, "by_pbx": change.by_pbx, "started_at": change.started_at.isoformat()},
    )


BACKFILLED_KINDS = [
    EventKind.CONTACT_RECEIVED,
    EventKind.CONTACT_SENT,
    EventKind.CASE_CREATED,
    EventKind.CASE_FIRST_RESPONSE,
    EventKind.CASE_RESPONSE,
    EventKind.CASE_RESOLVED,
    EventKind.CASE_REOPENED,
    EventKind.CASE_CLOSED,
    EventKind.SLA_MET,
    EventKind.SLA_BREACHED,
    EventKind.CALL_OFFERED,
    EventKind.CALL_ANSWERED,
    EventKind.CALL_ABANDONED,
    EventKind.CALL_ENDED,
    EventKind.AGENT_STATE,
]


@transaction.atomic
def backfill(*, organisation: Organisation, since: datetime.datetime | None = None) -> int:
    """Derive the events of the organisation's existing contacts, cases, calls and agent states (those that
    happened at or after ``since``); a subject that has events of a kind already gets none of that kind.
    Returns how many were written. ``contact.classified`` is not derived: a backfilled contact carries its
    current client and topic."""
    out = _Collector(organisation, BACKFILLED_KINDS, since)
    _backfill_contacts(out)
    _backfill_cases(out)
    _backfill_calls(out)
    _backfill_agent_states(out)
    return out.write()
