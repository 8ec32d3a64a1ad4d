"""The CTI webhook: Zammad's event shapes, one contact per call, duplicates, order, tokens, agent states."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse

from frontoffice.interactions.choices import AgentState, CallState, ClientMatch, CtiOutcome, Direction, Outcome
from frontoffice.interactions.models import AgentStateChange, Call, Callback, CtiEvent, Interaction
from frontoffice.interactions.phone import cti
from frontoffice.interactions.phone import services as phone_services

pytestmark = pytest.mark.django_db

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}


def test_a_form_encoded_new_call_records_one_phone_contact_matched_to_the_caller(cti_post, caller, agent):
    response = cti_post(form=True, event="newCall", callId="c1", **{"user[]": ["agent"]}, **IN)

    assert response.status_code == 200
    assert response.json()["result"] == "applied"
    contact = Interaction.objects.get(external_id="c1")
    assert contact.channel == "phone" and contact.direction == Direction.INBOUND
    assert contact.client == caller and contact.client_match == ClientMatch.AUTOMATIC
    assert list(contact.call.rang_for.all()) == [agent]


def test_an_answered_call_with_hold_and_wrap_up_keeps_every_duration(cti_post, agent):
    given = "2026-11-23T09:00:00Z"
    cti_post(event="newCall", callId="c2", timestamp=given, **IN)
    cti_post(event="answer", callId="c2", answeringNumber="agent", timestamp="2026-11-23T09:00:12Z", **IN)
    cti_post(event="hold", callId="c2", timestamp="2026-11-23T09:01:00Z", **IN)
    cti_post(event="unhold", callId="c2", timestamp="2026-11-23T09:01:30Z", **IN)
    cti_post(event="hangup", callId="c2", cause="normalClearing", timestamp="2026-11-23T09:03:12Z", **IN)
    cti_post(event="wrapup_end", callId="c2", timestamp="2026-11-23T09:04:00Z", **IN)

    call = Call.objects.get(call_id="c2")
    assert call.state == CallState.ENDED
    assert (call.ring_seconds, call.hold_seconds, call.talk_seconds, call.wrap_up_seconds) == (12, 30, 150, 48)
    assert call.handle_seconds == 228
    assert call.interaction.staff == agent
    states = list(
        AgentStateChange.objects.filter(user=agent).order_by("started_at", "pk").values_list("state", flat=True)
    )
    assert states == [AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.AVAILABLE]


def test_the_same_event_twice_is_a_duplicate_and_changes_nothing(cti_post):
    event = {"event": "newCall", "callId": "c3", "timestamp": "2026-11-23T09:00:00Z", **IN}
    cti_post(**event)

    second = cti_post(**event)

    assert second.json()["result"] == CtiOutcome.DUPLICATE
    assert Interaction.objects.filter(external_id="c3").count() == 1
    assert list(CtiEvent.objects.filter(call_id="c3").values_list("outcome", flat=True)) == ["applied", "duplicate"]


def test_an_answer_after_the_hangup_is_logged_as_out_of_order_and_answered_200(cti_post):
    cti_post(event="newCall", callId="c4", **IN)
    cti_post(event="hangup", callId="c4", cause="cancel", **IN)

    late = cti_post(event="answer", callId="c4", answeringNumber="agent", **IN)

    assert late.status_code == 200 and late.json()["result"] == CtiOutcome.OUT_OF_ORDER
    assert Interaction.objects.get(external_id="c4").answered_at is None


def test_a_hangup_before_its_new_call_is_kept_and_applied_when_the_new_call_comes(cti_post):
    early = cti_post(event="hangup", callId="c5", cause="noAnswer", timestamp="2026-11-23T09:00:20Z", **IN)
    assert early.json()["result"] == CtiOutcome.UNKNOWN_CALL

    response = cti_post(event="newCall", callId="c5", timestamp="2026-11-23T09:00:00Z", **IN)

    assert response.json()["applied_late"] == ["hangup"]
    contact = Interaction.objects.get(external_id="c5")
    assert contact.outcome == Outcome.MISSED and contact.ended_at is not None
    assert Callback.objects.get(interaction=contact).missed_calls == 1


def test_an_event_for_a_call_never_seen_is_answered_200_with_a_note(cti_post):
    response = cti_post(event="answer", callId="nobody-knows", **IN)

    assert response.status_code == 200
    assert response.json() == {"result": "unknown_call", "note": "no newCall for this call id yet; kept"}


def test_a_wrong_or_revoked_token_gets_401_problem_json(client, cti_token, manager):
    wrong = client.post(reverse("interactions:cti_webhook", args=["nope"]), {"event": "newCall", "callId": "x"})
    phone_services.cti_token_revoke(token=cti_token[0], actor=manager)
    revoked = client.post(reverse("interactions:cti_webhook", args=[cti_token[1]]), {"event": "newCall", "callId": "x"})

    assert wrong.status_code == revoked.status_code == 401
    assert wrong["Content-Type"] == "application/problem+json"


def test_a_body_that_is_not_an_event_gets_400_never_500(client, cti_token):
    url = reverse("interactions:cti_webhook", args=[cti_token[1]])

    assert client.post(url, "[1, 2", content_type="application/json").status_code == 400
    assert client.post(url, json.dumps({"event": "ring"}), content_type="application/json").status_code == 400
    assert client.post(url, {"event": "newCall"}).status_code == 400


def test_missed_calls_from_one_number_add_to_its_open_callback(cti_post):
    for call_id in ("m1", "m2"):
        cti_post(event="newCall", callId=call_id, **IN)
        cti_post(event="hangup", callId=call_id, cause="cancel", **IN)

    callback = Callback.objects.get()
    assert callback.missed_calls == 2 and callback.number == "+48600200300"
    assert Interaction.objects.get(external_id="m1").outcome == Outcome.ABANDONED


def test_a_forwarded_call_does_not_become_a_callback(cti_post):
    cti_post(event="newCall", callId="f1", **IN)
    cti_post(event="hangup", callId="f1", cause="forwarded", **IN)

    assert not Callback.objects.exists()


def test_a_transfer_moves_the_call_and_the_states_to_the_colleague(cti_post, agent, clerk):
    cti_post(event="newCall", callId="t1", **IN)
    cti_post(event="answer", callId="t1", answeringNumber="agent", **IN)
    cti_post(event="transfer", callId="t1", transferTo="clerk", **IN)
    cti_post(event="hangup", callId="t1", cause="normalClearing", **IN)

    call = Call.objects.get(call_id="t1")
    assert call.transfers == 1 and call.interaction.staff == clerk
    assert call.interaction.outcome == Outcome.TRANSFERRED
    assert phone_services.agent_state_current(user=agent).state == AgentState.AVAILABLE
    assert phone_services.agent_state_current(user=clerk).state == AgentState.WRAP_UP


def test_a_staff_member_is_found_by_extension_and_by_full_name(organisation, agent, manager):
    agent.first_name, agent.last_name = "Ola", "Nowak"
    agent.save()
    phone_services.agent_phone_set(user=agent, extension="201", actor=manager)

    assert cti.resolve_users(organisation.pk, ["201"]) == [agent]
    assert cti.resolve_users(organisation.pk, ["Ola Nowak"]) == [agent]
    assert cti.resolve_users(organisation.pk, ["somebody else"]) == []


def test_a_ringing_call_pops_on_the_screens_of_the_people_it_rings_for(
    cti_post, agent, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(cti, "publish", lambda channel, event: sent.append((channel, event)))

    cti_post(event="newCall", callId="p1", **{"user": ["agent"]}, **IN)

    contact = Interaction.objects.get(external_id="p1")
    assert sent == [
        (
            cti.pop_channel(contact.organisation_id, agent.pk),
            {"type": "call.ringing", "contact": contact.pk, "call": contact.call.pk},
        )
    ]


def test_an_outbound_call_that_nobody_answers_is_no_answer_and_no_callback(cti_post, agent):
    out = {"from": "+48221234500", "to": "+48 600 200 300", "direction": "out"}
    cti_post(event="newCall", callId="o1", user=["agent"], **out)
    cti_post(event="hangup", callId="o1", cause="noAnswer", **out)

    contact = Interaction.objects.get(external_id="o1")
    assert contact.direction == Direction.OUTBOUND and contact.staff == agent
    assert contact.outcome == Outcome.NO_ANSWER and not Callback.objects.exists()


def test_an_event_that_loses_a_race_is_applied_again_once_the_other_row_is_there(cti_token, monkeypatch):
    real, attempts = cti._receive, []

    def racing(**kwargs):
        attempts.append(kwargs["event"]["callId"])
        if len(attempts) == 1:
            raise IntegrityError("another request stored the call first")
        return real(**kwargs)

    monkeypatch.setattr(cti, "_receive", racing)

    result = cti.receive(token=cti_token[0], data={"event": "newCall", "callId": "race-1", **IN})

    assert result.outcome == CtiOutcome.APPLIED and attempts == ["race-1", "race-1"]
    assert Interaction.objects.filter(external_id="race-1").count() == 1


def test_a_wrap_up_nobody_ends_is_ended_after_the_limit(cti_post, agent):
    from frontoffice.interactions.phone import tasks

    cti_post(event="newCall", callId="w1", timestamp="2026-11-23T09:00:00Z", **IN)
    cti_post(event="answer", callId="w1", answeringNumber="agent", timestamp="2026-11-23T09:00:10Z", **IN)
    cti_post(event="hangup", callId="w1", cause="normalClearing", timestamp="2026-11-23T09:02:00Z", **IN)
    hangup = Call.objects.get(call_id="w1").interaction.ended_at

    ended = tasks.wrap_up_timeout(hangup + tasks.WRAP_UP_LIMIT + timedelta(seconds=1))

    current = phone_services.agent_state_current(user=agent)
    assert ended == 1 and current.state == AgentState.AVAILABLE
    assert current.started_at == hangup + tasks.WRAP_UP_LIMIT
    assert Call.objects.get(call_id="w1").wrap_up_seconds == 600


def test_a_token_revoked_after_use_is_refused_at_once(cti_post, cti_token, manager):
    assert cti_post(event="newCall", callId="r1", **IN).status_code == 200  # the token is now cached

    phone_services.cti_token_revoke(token=cti_token[0], actor=manager)

    assert cti_post(event="hangup", callId="r1", cause="cancel", **IN).status_code == 401


def test_each_event_of_a_call_costs_a_fixed_small_number_of_queries(
    cti_post, agent, caller, django_assert_max_num_queries
):
    # The webhook's budget, so that a change that adds a query per event is noticed (bench/interactions.py
    # measures the rate this buys). Each includes the reporting events the event records, one INSERT each
    # (newCall: call.offered; answer: call.answered; hangup: the contact and the agent's on-call state). The
    # answer also looks up the agent's teams (the call's team when its queue names none; phone/teams.py).
    cti_post(event="newCall", callId="warm", **{"user[]": ["agent"]}, **IN)
    with django_assert_max_num_queries(19):
        cti_post(event="newCall", callId="q1", **{"user[]": ["agent"]}, **IN)
    with django_assert_max_num_queries(12):
        cti_post(event="answer", callId="q1", answeringNumber="agent", **IN)
    with django_assert_max_num_queries(5):
        cti_post(event="hold", callId="q1", **IN)
    with django_assert_max_num_queries(5):
        cti_post(event="unhold", callId="q1", **IN)
    with django_assert_max_num_queries(13):
        cti_post(event="hangup", callId="q1", cause="normalClearing", **IN)
