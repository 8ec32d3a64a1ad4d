"""Reporting events of contacts, cases, SLA clocks, calls and agent states: one per fact, with its measure.

The office policy is Monday–Friday 08:00–16:00 in Warsaw (fixtures_cases); 20 November 2026 is a Friday.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from frontoffice.core.models import ReportingEvent
from frontoffice.core.reporting import EventKind
from frontoffice.interactions import reporting, services
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import AgentState, CaseStatus, Channel, Direction
from frontoffice.interactions.contacts import services as contact_services
from frontoffice.interactions.models import Call, Interaction
from frontoffice.interactions.phone import services as phone_services

from .fixtures_cases import warsaw

pytestmark = pytest.mark.django_db

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}


def _events(kind=None, **filters):
    rows = ReportingEvent.objects.filter(**filters).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def _kinds(**filters):
    return [event.kind for event in _events(**filters)]


def _reply(branch, case, agent, at):
    return services.interaction_record(
        branch=branch,
        channel=case.channel,
        actor=agent,
        direction=Direction.OUTBOUND,
        staff=agent,
        started_at=at,
        case=case,
    )


def _message(branch, case, at):
    return services.interaction_record(
        branch=branch, channel=case.channel, actor=None, direction=Direction.INBOUND, started_at=at, case=case
    )


# --- contacts ---------------------------------------------------------------------------------------


def test_a_logged_contact_records_one_contact_event_with_its_dimensions(branch, clerk, caller, topic):
    at = warsaw(2026, 11, 20, 9, 0)

    logged = contact_services.contact_log(
        branch=branch,
        channel=Channel.IN_PERSON,
        direction=Direction.INBOUND,
        actor=clerk,
        client=caller,
        topic=topic,
        started_at=at,
    )

    [event] = _events()
    assert event.kind == EventKind.CONTACT_RECEIVED and event.occurred_at == at
    assert (event.subject_type, event.subject_id) == ("interaction", logged.interaction.pk)
    assert (event.channel, event.agent_id, event.client_id, event.topic_id) == (
        "in_person",
        clerk.pk,
        caller.pk,
        topic.pk,
    )
    assert event.organisation_id == branch.organisation_id and event.branch_id == branch.pk


def test_an_outbound_contact_is_a_sent_contact(branch, clerk, caller):
    phone_services.call_log_outbound(branch=branch, actor=clerk, number="600 200 300", client=caller)

    assert _kinds() == [EventKind.CONTACT_SENT]


def test_a_topic_chosen_later_records_a_classification_but_an_unchanged_one_does_not(branch, clerk, caller, topic):
    logged = contact_services.contact_log(
        branch=branch, channel=Channel.PHONE, direction=Direction.INBOUND, actor=clerk, client=caller
    )
    interaction = logged.interaction

    fresh = contact_services.interaction_update(
        interaction=interaction, actor=clerk, version=interaction.version, topic=topic, outcome="", summary="Faktura"
    )
    contact_services.interaction_update(
        interaction=fresh, actor=clerk, version=fresh.version, topic=topic, outcome="", summary="Faktura 2"
    )

    [classified] = _events(EventKind.CONTACT_CLASSIFIED)
    assert classified.topic_id == topic.pk and classified.client_id == caller.pk
    assert classified.subject_id == interaction.pk


def test_a_rolled_back_contact_leaves_no_event(branch, clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        contact_services.contact_log(branch=branch, channel=Channel.SMS, direction=Direction.INBOUND, actor=clerk)
        raise RuntimeError("the request failed after the write")

    assert not ReportingEvent.objects.exists()


def test_a_chat_is_one_contact_recorded_when_it_ends_with_the_agent_who_took_it(waiting_chat, agent):
    from frontoffice.interactions.chat import services as chat_services

    assert not ReportingEvent.objects.exists()  # waiting: not yet
    chat_services.chat_take(conversation=waiting_chat, agent=agent)
    chat_services.chat_end(conversation=waiting_chat, actor=agent)
    chat_services.chat_end(conversation=waiting_chat, actor=agent)

    [contact] = _events()
    assert contact.kind == EventKind.CONTACT_RECEIVED and contact.channel == "chat" and contact.agent_id == agent.pk


# --- cases -------------------------------------------------------------------------------------------


def test_a_case_records_creation_first_response_response_and_resolution_with_their_times(
    branch, agent, caller, office_policy, line_team
):
    # Given a case opened on Friday 15:00 for the line's team
    case = services.case_open(
        branch=branch,
        subject="Reklamacja",
        actor=agent,
        channel=Channel.EMAIL,
        client=caller,
        team=line_team,
        owner=agent,
        opened_at=warsaw(2026, 11, 20, 15, 0),
    )

    # When the agent replies on Monday 10:00, the customer writes at 11:00 and 11:30, the agent answers at 12:00
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 0))
    _message(branch, case, warsaw(2026, 11, 23, 11, 0))
    _message(branch, case, warsaw(2026, 11, 23, 11, 30))
    _reply(branch, case, agent, warsaw(2026, 11, 23, 12, 0))
    case_services.case_set_status(case=case, status=CaseStatus.RESOLVED, actor=agent, at=warsaw(2026, 11, 23, 13, 0))

    # Then each fact is one event on the case, with the team and the client
    created = _events(EventKind.CASE_CREATED)[0]
    assert (created.team_id, created.client_id, created.agent_id) == (line_team.pk, caller.pk, agent.pk)
    assert created.data == {"priority": "normal"}
    first = _events(EventKind.CASE_FIRST_RESPONSE)[0]
    assert first.value == 67 * 3600 and first.data == {"business_seconds": 3 * 3600}
    [response] = _events(EventKind.CASE_RESPONSE)
    assert response.value == 3600  # from the earliest unanswered message (11:00), not the latest
    assert response.data == {"business_seconds": 3600}
    [resolved] = _events(EventKind.CASE_RESOLVED)
    assert resolved.value == (67 + 3) * 3600
    assert resolved.data == {"replies": 2, "reopened": 0, "business_seconds": 6 * 3600}
    assert all(event.subject_id == case.pk and event.team_id == line_team.pk for event in _events(subject_type="case"))
    # and each SLA clock that stopped in time is one sla.met with its target
    met = sorted(event.data["target"] for event in _events(EventKind.SLA_MET))
    assert met == ["first_response", "next_response", "resolution"]
    assert not _events(EventKind.SLA_BREACHED)

    # and a backfill from the case's own log derives the same case events, business seconds included
    def case_events():
        rows = _events(subject_type="case")
        return {(e.kind, e.value, json.dumps(e.data, sort_keys=True)) for e in rows if e.kind.startswith("case.")}

    live = case_events()
    ReportingEvent.objects.all().delete()
    reporting.backfill(organisation=branch.organisation)
    assert case_events() == live
    [response] = _events(EventKind.CASE_RESPONSE)
    assert response.data == {"business_seconds": 3600}


def test_a_reply_with_no_customer_message_waiting_is_not_a_response(branch, agent, case):
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 0))
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 5))

    assert len(_events(EventKind.CASE_FIRST_RESPONSE)) == 1
    assert not _events(EventKind.CASE_RESPONSE)


def test_a_late_first_reply_records_the_breach_once(branch, agent, caller, office_policy):
    case = services.case_open(
        branch=branch,
        subject="Zwrot",
        actor=agent,
        channel=Channel.EMAIL,
        client=caller,
        opened_at=warsaw(2026, 11, 20, 9, 0),
    )

    _reply(branch, case, agent, warsaw(2026, 11, 20, 15, 0))  # 6 business hours against 4

    [breach] = _events(EventKind.SLA_BREACHED)
    assert breach.data["target"] == "first_response" and breach.value == 4 * 3600
    assert breach.occurred_at == warsaw(2026, 11, 20, 13, 0)
    assert not [event for event in _events(EventKind.SLA_MET) if event.data["target"] == "first_response"]


def test_reopening_and_closing_record_their_events_and_the_second_resolution_counts_the_reopen(branch, agent, case):
    case_services.case_set_status(case=case, status=CaseStatus.RESOLVED, actor=agent, at=warsaw(2026, 11, 23, 9, 0))
    case_services.case_set_status(case=case, status=CaseStatus.OPEN, actor=agent, at=warsaw(2026, 11, 23, 10, 0))
    case_services.case_set_status(case=case, status=CaseStatus.RESOLVED, actor=agent, at=warsaw(2026, 11, 23, 11, 0))
    case_services.case_set_status(case=case, status=CaseStatus.CLOSED, actor=agent, at=warsaw(2026, 11, 23, 12, 0))

    [reopened] = _events(EventKind.CASE_REOPENED)
    assert reopened.value == 3600 and reopened.data == {"reopened": 1}
    resolutions = _events(EventKind.CASE_RESOLVED)
    assert [event.data["reopened"] for event in resolutions] == [0, 1]
    assert len(_events(EventKind.CASE_CLOSED)) == 1


def test_closing_an_unresolved_case_resolves_it_once(branch, agent, case):
    case_services.case_set_status(case=case, status=CaseStatus.CLOSED, actor=agent)

    [resolved] = _events(EventKind.CASE_RESOLVED)
    assert resolved.data["closed"] is True
    assert len(_events(EventKind.CASE_CLOSED)) == 1


def test_a_refused_status_change_records_nothing(branch, agent, case):
    case_services.case_set_status(case=case, status=CaseStatus.CLOSED, actor=agent)
    before = ReportingEvent.objects.count()

    with pytest.raises(Exception):  # noqa: B017 - closed is final, whatever the error's class
        case_services.case_set_status(case=case, status=CaseStatus.OPEN, actor=agent)

    assert ReportingEvent.objects.count() == before


def test_a_merged_away_case_is_closed_with_the_survivor_named(branch, agent, case, caller):
    other = case_services.case_create(branch=branch, subject="Ta sama faktura", actor=agent, client=caller)

    case_services.case_merge(source=other, target=case, actor=agent)

    [closed] = _events(EventKind.CASE_CLOSED)
    assert closed.subject_id == other.pk and closed.data == {"merged_into": case.pk}


# --- calls and agent states ----------------------------------------------------------------------------


def test_an_answered_call_records_offered_answered_contact_and_ended_after_the_wrap_up(cti_post, agent, caller):
    cti_post(event="newCall", callId="r1", timestamp="2026-11-23T09:00:00Z", **IN)
    cti_post(event="answer", callId="r1", answeringNumber="agent", timestamp="2026-11-23T09:00:12Z", **IN)
    cti_post(event="hold", callId="r1", timestamp="2026-11-23T09:01:00Z", **IN)
    cti_post(event="unhold", callId="r1", timestamp="2026-11-23T09:01:30Z", **IN)
    cti_post(event="hangup", callId="r1", cause="normalClearing", timestamp="2026-11-23T09:03:12Z", **IN)
    cti_post(event="wrapup_end", callId="r1", timestamp="2026-11-23T09:04:00Z", **IN)

    contact = Interaction.objects.get(external_id="r1")
    calls = _events(subject_type="interaction", subject_id=contact.pk)
    assert [event.kind for event in calls] == [
        EventKind.CALL_OFFERED,
        EventKind.CALL_ANSWERED,
        EventKind.CONTACT_RECEIVED,
        EventKind.CALL_ENDED,
    ]
    answered, received, ended = calls[1], calls[2], calls[3]
    assert answered.value == 12 and answered.agent_id == agent.pk
    assert received.agent_id == agent.pk and received.client_id == caller.pk and received.channel == "phone"
    assert received.occurred_at == contact.started_at
    assert ended.value == 150 + 30 + 48 and ended.data["talk"] == 150 and ended.data["hold"] == 30
    assert ended.data["wrap"] == 48
    # and the agent's on-call and wrap-up periods each ended as one agent.state
    states = _events(EventKind.AGENT_STATE)
    assert [(event.data["state"], event.value) for event in states] == [
        (AgentState.ON_CALL, 180),
        (AgentState.WRAP_UP, 48),
    ]


def test_a_call_the_caller_gives_up_on_quickly_is_a_short_abandon(cti_post):
    cti_post(event="newCall", callId="a1", timestamp="2026-11-23T09:00:00Z", **IN)
    cti_post(event="hangup", callId="a1", cause="cancel", timestamp="2026-11-23T09:00:03Z", **IN)
    cti_post(event="newCall", callId="a2", timestamp="2026-11-23T09:10:00Z", **IN)
    cti_post(event="hangup", callId="a2", cause="cancel", timestamp="2026-11-23T09:10:45Z", **IN)

    abandoned = _events(EventKind.CALL_ABANDONED)
    assert [(event.value, event.data["short"]) for event in abandoned] == [(3, True), (45, False)]
    assert len(_events(EventKind.CALL_OFFERED)) == 2 and not _events(EventKind.CALL_ANSWERED)


def test_a_line_without_wrap_up_ends_the_call_at_the_hangup(cti_post, cti_token, agent):
    token = cti_token[0]
    token.uses_wrap_up = False
    token.save(update_fields=["uses_wrap_up"])
    cti_post(event="newCall", callId="n1", timestamp="2026-11-23T09:00:00Z", **IN)
    cti_post(event="answer", callId="n1", answeringNumber="agent", timestamp="2026-11-23T09:00:05Z", **IN)
    cti_post(event="hangup", callId="n1", cause="normalClearing", timestamp="2026-11-23T09:01:05Z", **IN)
    cti_post(event="wrapup_start", callId="n1", timestamp="2026-11-23T09:01:10Z", **IN)
    cti_post(event="wrapup_end", callId="n1", timestamp="2026-11-23T09:01:20Z", **IN)

    [ended] = _events(EventKind.CALL_ENDED)
    assert ended.value == 60 and ended.data["wrap"] == 0


def test_repeated_and_out_of_order_cti_events_record_nothing_more(cti_post, agent):
    events = [
        {"event": "newCall", "timestamp": "2026-11-23T09:00:00Z"},
        {"event": "answer", "answeringNumber": "agent", "timestamp": "2026-11-23T09:00:07Z"},
        {"event": "hangup", "cause": "normalClearing", "timestamp": "2026-11-23T09:02:00Z"},
        {"event": "wrapup_end", "timestamp": "2026-11-23T09:02:30Z"},
    ]
    for event in events:
        cti_post(callId="d1", **event, **IN)
    once = sorted(_kinds())

    for event in events:  # the PBX replays the whole call
        cti_post(callId="d1", **event, **IN)
    cti_post(callId="d1", event="answer", answeringNumber="agent", timestamp="2026-11-23T09:03:00Z", **IN)

    assert sorted(_kinds()) == once
    assert once.count(EventKind.CALL_ENDED) == 1 and once.count(EventKind.CONTACT_RECEIVED) == 1


def test_events_before_their_new_call_are_reported_once_applied(cti_post, agent):
    cti_post(event="answer", callId="l1", answeringNumber="agent", timestamp="2026-11-23T09:00:09Z", **IN)
    assert not ReportingEvent.objects.exists()

    cti_post(event="newCall", callId="l1", timestamp="2026-11-23T09:00:00Z", **IN)

    [answered] = _events(EventKind.CALL_ANSWERED)
    assert answered.value == 9


def test_queued_mode_records_the_same_events_when_applied(cti_token, agent, settings):
    from frontoffice.interactions.phone import cti

    token = cti_token[0]
    for event in (
        {"event": "newCall", "timestamp": "2026-11-23T09:00:00Z"},
        {"event": "answer", "answeringNumber": "agent", "timestamp": "2026-11-23T09:00:04Z"},
        {"event": "hangup", "cause": "normalClearing", "timestamp": "2026-11-23T09:01:00Z"},
    ):
        cti.enqueue(token=token, data={"callId": "q1", **event, **IN})
    assert not ReportingEvent.objects.exists()

    cti.apply_queued()
    cti.apply_queued()

    assert _kinds(subject_type="interaction") == [
        EventKind.CALL_OFFERED,
        EventKind.CALL_ANSWERED,
        EventKind.CONTACT_RECEIVED,
    ]


def test_a_wrap_up_ended_by_the_limit_ends_the_call_once(cti_post, agent):
    from frontoffice.interactions.phone import tasks

    cti_post(event="newCall", callId="t1", timestamp="2026-11-23T09:00:00Z", **IN)
    cti_post(event="answer", callId="t1", answeringNumber="agent", timestamp="2026-11-23T09:00:10Z", **IN)
    cti_post(event="hangup", callId="t1", cause="normalClearing", timestamp="2026-11-23T09:02:00Z", **IN)
    hangup = Call.objects.get(call_id="t1").interaction.ended_at

    tasks.wrap_up_timeout(hangup + tasks.WRAP_UP_LIMIT + tasks.WRAP_UP_LIMIT)
    tasks.wrap_up_timeout(hangup + tasks.WRAP_UP_LIMIT + tasks.WRAP_UP_LIMIT)

    [ended] = _events(EventKind.CALL_ENDED)
    assert ended.data["wrap"] == 600 and ended.value == 110 + 600


def test_an_agent_changing_state_by_hand_records_the_state_that_ended(agent):
    phone_services.agent_state_set(user=agent, state=AgentState.AVAILABLE)
    phone_services.agent_state_set(user=agent, state=AgentState.AVAILABLE)  # the same again: nothing ends
    phone_services.agent_state_set(user=agent, state=AgentState.BREAK)

    [ended] = _events(EventKind.AGENT_STATE)
    assert ended.data["state"] == AgentState.AVAILABLE and ended.agent_id == agent.pk and ended.data["by_pbx"] is False


# --- backfill ---------------------------------------------------------------------------------------------


def test_backfill_derives_the_events_of_older_rows_once(branch, agent, caller, case, cti_post, organisation):
    _reply(branch, case, agent, warsaw(2026, 11, 23, 10, 0))
    case_services.case_set_status(case=case, status=CaseStatus.RESOLVED, actor=agent)
    cti_post(event="newCall", callId="b1", timestamp="2026-11-23T09:00:00Z", **IN)
    cti_post(event="answer", callId="b1", answeringNumber="agent", timestamp="2026-11-23T09:00:10Z", **IN)
    cti_post(event="hangup", callId="b1", cause="normalClearing", timestamp="2026-11-23T09:02:00Z", **IN)
    cti_post(event="wrapup_end", callId="b1", timestamp="2026-11-23T09:02:20Z", **IN)
    live = sorted((event.kind, event.subject_type, event.subject_id, event.value) for event in _events())
    states = [(event.subject_id, event.value, event.branch_id) for event in _events(EventKind.AGENT_STATE)]
    ReportingEvent.objects.all().delete()

    written = reporting.backfill(organisation=organisation)

    derived = sorted((event.kind, event.subject_type, event.subject_id, event.value) for event in _events())
    assert written == len(derived)
    live_kinds = {row[:3] for row in live if row[0] != EventKind.AGENT_STATE}
    assert live_kinds <= {row[:3] for row in derived}
    # The agent's on-call and wrap-up intervals, ended by the call's events, carry the call's branch as live.
    assert len(states) == 2 and {state[2] for state in states} == {branch.pk}
    assert [(event.subject_id, event.value, event.branch_id) for event in _events(EventKind.AGENT_STATE)] == states
    assert reporting.backfill(organisation=organisation) == 0
