"""Calls and agent states carry a team: the team of the call's queue, else the answering agent's only team of
the branch, else none; an agent's state carries the agent's only team. Live, backfilled and rolled up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from frontoffice.core.models import ReportingEvent
from frontoffice.interactions import reporting
from frontoffice.interactions.contacts import services as team_services
from frontoffice.interactions.models import Call, TeamPhoneQueue
from frontoffice.interactions.phone import queue as cti_queue

pytestmark = pytest.mark.django_db

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}
CALL_KINDS = ["call.offered", "call.answered", "call.ended", "call.abandoned"]


def _team(branch, manager, name, members, queues=(), **extra):
    return team_services.team_create(
        branch=branch, actor=manager, name=name, members=members, phone_queues=list(queues), **extra
    )


def _call(cti_post, call_id, *, queue="", agent="agent", minute=0, wait=10, talk=60):
    start = dt.datetime(2026, 11, 23, 9, minute, tzinfo=dt.UTC)

    def at(seconds):
        return (start + dt.timedelta(seconds=seconds)).isoformat()

    extra = {"queue": queue} if queue else {}
    cti_post(event="newCall", callId=call_id, timestamp=at(0), **extra, **IN)
    cti_post(event="answer", callId=call_id, answeringNumber=agent, timestamp=at(wait), **IN)
    cti_post(event="hangup", callId=call_id, cause="normalClearing", timestamp=at(wait + talk), **IN)
    cti_post(event="wrapup_end", callId=call_id, timestamp=at(wait + talk + 20), **IN)


def _abandoned(cti_post, call_id, *, queue, minute=30):
    start = dt.datetime(2026, 11, 23, 9, minute, tzinfo=dt.UTC)
    cti_post(event="newCall", callId=call_id, timestamp=start.isoformat(), queue=queue, **IN)
    later = (start + dt.timedelta(seconds=40)).isoformat()
    cti_post(event="hangup", callId=call_id, cause="cancel", timestamp=later, **IN)


def _teams_of(call_id):
    call = Call.objects.get(call_id=call_id)
    rows = ReportingEvent.objects.filter(
        subject_type="interaction", subject_id=call.interaction_id, kind__in=CALL_KINDS
    )
    return dict(rows.values_list("kind", "team_id"))


def _state_teams(user):
    return set(ReportingEvent.objects.filter(kind="agent.state", agent_id=user.pk).values_list("team_id", flat=True))


def _snapshot(kinds):
    # The teams, times and values; not the agent of an offer or the branch of an agent state (the webhook knows
    # them at the moment, the backfill only from the rows: older differences that are not about teams).
    rows = ReportingEvent.objects.filter(kind__in=kinds).values_list(
        "kind", "subject_type", "subject_id", "occurred_at", "team_id", "value"
    )
    return sorted(rows)


# --- the team of a call ---------------------------------------------------------------------------


def test_a_call_on_a_teams_queue_is_that_teams_from_the_offer_on(cti_post, branch, manager, agent, clerk):
    line = _team(branch, manager, "Infolinia", [clerk], queues=["infolinia"])
    _team(branch, manager, "Recepcja", [agent])  # the answering agent's own team does not win over the queue

    _call(cti_post, "q1", queue="infolinia")

    assert Call.objects.get(call_id="q1").team == line
    assert _teams_of("q1") == {"call.offered": line.pk, "call.answered": line.pk, "call.ended": line.pk}


def test_an_abandoned_call_on_a_teams_queue_counts_for_the_team(cti_post, branch, manager, clerk):
    line = _team(branch, manager, "Infolinia", [clerk], queues=["infolinia"])

    _abandoned(cti_post, "q2", queue="infolinia")

    assert _teams_of("q2") == {"call.offered": line.pk, "call.abandoned": line.pk}


def test_a_call_off_every_queue_is_the_team_of_an_agent_with_one_team_at_the_branch(
    cti_post, branch, other_branch, manager, agent
):
    desk = _team(branch, manager, "Recepcja", [agent], queues=["recepcja"])
    _team(other_branch, manager, "Południe", [agent])  # another branch's team does not count for the call
    retired = _team(branch, manager, "Stara infolinia", [agent])
    team_services.team_update(
        team=retired,
        actor=manager,
        version=None,
        branch=branch,
        name=retired.name,
        lead=None,
        members=[agent],
        is_active=False,
    )

    _call(cti_post, "a1", queue="nieznana")

    # Who answers is not known when the call is offered: only its queue could have named a team then.
    assert _teams_of("a1") == {"call.offered": None, "call.answered": desk.pk, "call.ended": desk.pk}


def test_a_call_answered_by_an_agent_of_two_teams_of_the_branch_has_no_team(cti_post, branch, manager, agent):
    _team(branch, manager, "Recepcja", [agent])
    _team(branch, manager, "Infolinia", [agent])

    _call(cti_post, "m1")

    assert Call.objects.get(call_id="m1").team is None
    assert _teams_of("m1") == {"call.offered": None, "call.answered": None, "call.ended": None}


def test_a_queue_of_a_team_out_of_use_names_no_team(cti_post, branch, manager, clerk):
    line = _team(branch, manager, "Infolinia", [clerk], queues=["infolinia"])
    team_services.team_update(
        team=line,
        actor=manager,
        version=None,
        branch=branch,
        name=line.name,
        lead=None,
        members=[clerk],
        is_active=False,
    )

    _abandoned(cti_post, "o1", queue="infolinia")

    assert _teams_of("o1") == {"call.offered": None, "call.abandoned": None}


# --- the team of an agent's state -------------------------------------------------------------------


def test_an_agents_states_carry_their_only_team(cti_post, branch, other_branch, manager, agent, clerk):
    line = _team(other_branch, manager, "Infolinia", [agent, clerk], queues=["infolinia"])

    _call(cti_post, "s1", queue="infolinia")

    assert _state_teams(agent) == {line.pk}


def test_an_agent_of_two_teams_has_states_without_a_team(cti_post, branch, other_branch, manager, agent):
    _team(branch, manager, "Recepcja", [agent])
    _team(other_branch, manager, "Infolinia", [agent])

    _call(cti_post, "s2")

    assert ReportingEvent.objects.filter(kind="agent.state", agent_id=agent.pk).exists()
    assert _state_teams(agent) == {None}


# --- queued mode and backfill -----------------------------------------------------------------------


def test_queued_events_get_the_same_teams_as_events_applied_at_once(
    settings, monkeypatch, cti_post, branch, other_branch, manager, agent, clerk
):
    settings.CTI_QUEUE = True
    monkeypatch.setattr(cti_queue, "ensure_applier", lambda: None)
    line = _team(branch, manager, "Infolinia", [clerk], queues=["infolinia"])
    desk = _team(branch, manager, "Recepcja", [agent])
    _call(cti_post, "b1", queue="infolinia")
    _call(cti_post, "b2", minute=5)

    assert cti_queue.apply_due(None) == 8

    assert _teams_of("b1") == {"call.offered": line.pk, "call.answered": line.pk, "call.ended": line.pk}
    assert _teams_of("b2") == {"call.offered": None, "call.answered": desk.pk, "call.ended": desk.pk}
    assert _state_teams(agent) == {desk.pk}


def test_backfill_gives_calls_and_agent_states_the_teams_the_webhook_gave(
    cti_post, organisation, branch, other_branch, manager, agent, clerk
):
    _team(branch, manager, "Infolinia", [clerk], queues=["infolinia"])
    _team(branch, manager, "Recepcja", [agent])
    _call(cti_post, "f1", queue="infolinia")
    _call(cti_post, "f2", minute=5)
    _abandoned(cti_post, "f3", queue="infolinia")
    _call(cti_post, "f4", minute=40)
    kinds = [*CALL_KINDS, "agent.state"]
    live = _snapshot(kinds)
    assert {row[4] for row in live} - {None}  # some events do carry a team

    ReportingEvent.objects.filter(kind__in=kinds).delete()
    reporting.backfill(organisation=organisation)

    assert _snapshot(kinds) == live


def test_backfill_works_out_the_team_of_a_call_kept_from_before_teams_had_queues(
    cti_post, organisation, branch, manager, agent, clerk
):
    _call(cti_post, "old", queue="infolinia")  # no team yet: the call has none
    assert Call.objects.get(call_id="old").team is None
    line = _team(branch, manager, "Infolinia", [clerk], queues=["infolinia"])
    ReportingEvent.objects.filter(kind__in=CALL_KINDS).delete()

    reporting.backfill(organisation=organisation)

    assert _teams_of("old") == {"call.offered": line.pk, "call.answered": line.pk, "call.ended": line.pk}


# --- a team's queues --------------------------------------------------------------------------------


def test_a_queue_belongs_to_one_team_of_the_organisation(branch, other_branch, manager, agent):
    _team(branch, manager, "Infolinia", [], queues=["infolinia", "vip"])

    with pytest.raises(ValidationError) as refused:
        _team(other_branch, manager, "Recepcja", [agent], queues=["recepcja", "vip"])

    assert refused.value.message_dict == {"phone_queues": ["The queue vip already belongs to the team Infolinia."]}
    assert sorted(TeamPhoneQueue.objects.values_list("name", flat=True)) == ["infolinia", "vip"]


def test_another_organisation_may_use_the_same_queue_name(branch, foreign_branch, manager, organisation):
    _team(branch, manager, "Infolinia", [], queues=["infolinia"])
    theirs = _team(foreign_branch, manager, "Infolinia", [], queues=["infolinia"])

    assert theirs.queue_names == ["infolinia"]


def test_a_manager_gives_a_team_its_queues_on_the_team_page(client, manager, branch):
    team = _team(branch, manager, "Infolinia", [], queues=["stara"])
    client.force_login(manager)
    url = reverse("interactions:team_edit", args=[team.pk])
    assert 'value="stara"' in client.get(url).text

    response = client.post(
        url,
        {
            "version": team.version,
            "name": "Infolinia",
            "branch": branch.pk,
            "phone_queues": " infolinia, vip ,",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert TeamPhoneQueue.objects.get(name="vip").team == team
    assert sorted(TeamPhoneQueue.objects.values_list("name", flat=True)) == ["infolinia", "vip"]
    assert "infolinia, vip" in client.get(reverse("interactions:team_list")).text


def test_a_queue_of_another_team_is_refused_on_the_page_with_the_input_kept(client, manager, branch):
    _team(branch, manager, "Infolinia", [], queues=["infolinia"])
    client.force_login(manager)

    response = client.post(
        reverse("interactions:team_create"),
        {"name": "Recepcja", "branch": branch.pk, "phone_queues": "recepcja, infolinia"},
    )

    assert response.status_code == 400
    assert "The queue infolinia already belongs to the team Infolinia." in response.text
    assert 'value="recepcja, infolinia"' in response.text
    assert not TeamPhoneQueue.objects.filter(name="recepcja").exists()


def test_the_api_lists_a_teams_queues(login, manager, branch):
    _team(branch, manager, "Infolinia", [], queues=["vip", "infolinia"])
    api = login(manager)

    body = api.get("/api/v1/interactions/teams").json()

    assert [team["phone_queues"] for team in body["items"]] == [["infolinia", "vip"]]
