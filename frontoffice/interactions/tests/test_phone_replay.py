"""A recorded PBX day (samples/pbx-day.jsonl) replayed with ``frontoffice cti replay`` (the ``cti_replay``
command) against a live server produces the right calls, callbacks and agent states. The sample's make-up
is in samples/make_pbx_day.py."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse

from frontoffice.interactions.choices import AgentState, CtiOutcome, Direction, Outcome
from frontoffice.interactions.models import AgentStateChange, Call, Callback, CtiEvent, Interaction
from frontoffice.interactions.phone import services as phone_services
from tests.factories import StaffFactory

SAMPLE = Path(__file__).resolve().parents[1] / "phone" / "samples" / "pbx-day.jsonl"
AGENTS = [("201", "ola", "Ola", "Nowak"), ("202", "piotr", "Piotr", "Zieliński"), ("203", "ewa", "Ewa", "Maj")]


@pytest.fixture
def reception(transactional_db, organisation, branch, manager):
    """Three agents with extensions 201–203 at the branch the PBX's token delivers to."""
    agents = []
    for extension, username, first, last in AGENTS:
        user = StaffFactory(
            organisation=organisation,
            roles=["agent"],
            branches=[branch],
            user__username=username,
            user__first_name=first,
            user__last_name=last,
        ).user
        phone_services.agent_phone_set(user=user, extension=extension, actor=manager)
        agents.append(user)
    _token, raw = phone_services.cti_token_create(branch=branch, name="Centrala", actor=manager)
    return agents, raw


def test_a_replayed_pbx_day_produces_the_right_calls_callbacks_and_agent_states(live_server, reception, capsys):
    agents, raw = reception
    url = live_server.url + reverse("interactions:cti_webhook", args=["x"]).removesuffix("x/")

    call_command("cti_replay", str(SAMPLE), "--url", url, f"--token={raw}", "--as-fast-as-possible")

    printed = capsys.readouterr().out
    assert "sent:          217" in printed and "errors:        0" in printed
    # Every call is one phone contact; the planted faults are recognised and nothing is left unknown.
    assert Interaction.objects.filter(channel="phone").count() == Call.objects.count() == 50
    outcomes = dict(CtiEvent.objects.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    assert outcomes.get(CtiOutcome.DUPLICATE) == 1
    assert outcomes.get(CtiOutcome.OUT_OF_ORDER) == 1
    assert CtiOutcome.UNKNOWN_CALL not in outcomes
    inbound = Interaction.objects.filter(direction=Direction.INBOUND)
    assert inbound.filter(answered_at__isnull=False).count() == 32
    assert inbound.filter(outcome=Outcome.ABANDONED).count() == 5
    assert inbound.filter(outcome=Outcome.MISSED).count() == 6
    assert inbound.filter(outcome=Outcome.TRANSFERRED, answered_at__isnull=True).count() == 1
    outbound = Interaction.objects.filter(direction=Direction.OUTBOUND)
    assert outbound.count() == 6 and outbound.filter(outcome=Outcome.NO_ANSWER).count() == 2
    assert Call.objects.filter(hold_seconds__gt=0).count() == 4
    assert Call.objects.aggregate(n=Sum("transfers"))["n"] == 3
    answered = Call.objects.filter(interaction__answered_at__isnull=False)
    assert not answered.filter(talk_seconds__isnull=True).exists()
    assert not answered.filter(wrap_up_seconds__isnull=True).exists()
    # 11 inbound calls nobody answered, one number twice: ten callbacks.
    assert Callback.objects.count() == 10
    assert sorted(Callback.objects.values_list("missed_calls", flat=True)) == [1] * 9 + [2]
    # Every agent worked calls and wrapped up, and ends the day available.
    for agent in agents:
        states = set(AgentStateChange.objects.filter(user=agent).values_list("state", flat=True))
        assert {AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.AVAILABLE} <= states
        assert phone_services.agent_state_current(user=agent).state == AgentState.AVAILABLE


def test_replaying_the_same_day_twice_changes_nothing(live_server, reception, capsys):
    _agents, raw = reception
    url = live_server.url + reverse("interactions:cti_webhook", args=[raw])
    call_command("cti_replay", str(SAMPLE), "--url", url, "--as-fast-as-possible")
    capsys.readouterr()

    call_command("cti_replay", str(SAMPLE), "--url", url, "--as-fast-as-possible")

    assert "duplicates:    217" in capsys.readouterr().out
    assert Interaction.objects.count() == 50 and Callback.objects.count() == 10


def test_events_of_one_call_arriving_at_once_make_one_contact(live_server, reception):
    _agents, raw = reception
    url = live_server.url + reverse("interactions:cti_webhook", args=[raw])
    rings = [
        {"event": "newCall", "callId": "same", "from": "+48600200300", "direction": "in", "queue": f"q{n}"}
        for n in range(8)
    ]

    def post(event: dict) -> str:
        request = urllib.request.Request(  # noqa: S310 (the live server)
            url, json.dumps(event).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the live server)
            return json.loads(response.read())["result"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = sorted(pool.map(post, rings))

    assert results == ["applied"] + ["out_of_order"] * 7
    assert Interaction.objects.filter(external_id="same").count() == 1
