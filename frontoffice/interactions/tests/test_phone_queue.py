"""Queued mode (FRONTOFFICE_CTI_QUEUE): the webhook stores and answers at once; one applier applies in order."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from frontoffice.core.models import AuditEntry
from frontoffice.interactions.choices import CallState, ClientMatch, CtiOutcome, Outcome
from frontoffice.interactions.models import Call, Callback, CtiEvent, Interaction
from frontoffice.interactions.phone import queue as cti_queue
from frontoffice.interactions.phone import services_setup

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}
SAMPLE = Path(__file__).resolve().parents[1] / "phone" / "samples" / "pbx-day.jsonl"


@pytest.fixture
def queued(settings, monkeypatch):
    """Queued mode with the applier thread left to the test (it applies through the periodic job)."""
    settings.CTI_QUEUE = True
    monkeypatch.setattr(cti_queue, "ensure_applier", lambda: None)


@pytest.mark.django_db
def test_an_event_is_stored_and_answered_at_once_then_applied_in_order(queued, cti_post, caller, agent):
    answers = [
        cti_post(event="newCall", callId="q1", **{"user[]": ["agent"]}, **IN).json(),
        cti_post(event="answer", callId="q1", answeringNumber="agent", **IN).json(),
        cti_post(event="answer", callId="q1", answeringNumber="agent", **IN).json(),
        cti_post(event="hangup", callId="q1", cause="normalClearing", **IN).json(),
    ]

    assert answers == [{"result": "queued"}] * 4
    assert not Call.objects.exists()

    assert cti_queue.apply_due(None) == 4

    call = Call.objects.get(call_id="q1")
    assert call.state == CallState.ENDED and call.interaction.client == caller
    assert list(CtiEvent.objects.order_by("pk").values_list("kind", "outcome", "sequence")) == [
        ("newCall", CtiOutcome.APPLIED, 1),
        ("answer", CtiOutcome.APPLIED, 2),
        ("answer", CtiOutcome.DUPLICATE, 3),
        ("hangup", CtiOutcome.APPLIED, 4),
    ]


@pytest.mark.django_db
def test_queued_events_that_came_before_their_new_call_are_applied_after_it(queued, cti_post):
    cti_post(event="hangup", callId="q2", cause="cancel", **IN)
    cti_post(event="newCall", callId="q2", **IN)

    cti_queue.apply_due(None)

    contact = Interaction.objects.get(external_id="q2")
    assert contact.outcome == Outcome.ABANDONED and Callback.objects.filter(interaction=contact).exists()
    assert set(CtiEvent.objects.values_list("outcome", flat=True)) == {CtiOutcome.APPLIED}


@pytest.mark.django_db
def test_a_blocked_caller_is_rejected_in_the_immediate_answer(queued, cti_post, branch, manager):
    services_setup.blocked_number_add(branch=branch, actor=manager, number="600 200 300")

    answer = cti_post(event="newCall", callId="q3", **IN).json()

    assert answer == {"action": "reject", "reason": "busy", "result": "queued"}
    cti_queue.apply_due(None)
    assert Interaction.objects.get(external_id="q3").outcome == Outcome.BLOCKED


@pytest.mark.django_db
def test_a_body_that_is_not_an_event_is_refused_without_storing_anything(queued, cti_post):
    assert cti_post(event="ring", callId="q4").status_code == 400
    assert not CtiEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_only_one_applier_holds_the_lock_at_a_time():
    first = cti_queue.ApplierLock()
    assert first.acquire()
    other: list[bool] = []

    def contender() -> None:
        lock = cti_queue.ApplierLock()
        other.append(lock.acquire())
        connection.close()

    thread = threading.Thread(target=contender)
    thread.start()
    thread.join()
    first.release()

    assert other == [False]


def test_a_replayed_pbx_day_in_queued_mode_gives_the_same_day_as_applied_at_once(
    settings, live_server, transactional_db, branch, manager, capsys
):
    from frontoffice.interactions.phone import services as phone_services
    from tests.factories import StaffFactory

    from .test_phone_replay import AGENTS

    settings.CTI_QUEUE = True
    settings.CTI_APPLIERS = 2  # two appliers side by side, each with its share of the calls
    for extension, username, first, last in AGENTS:
        user = StaffFactory(
            organisation=branch.organisation,
            roles=["agent"],
            branches=[branch],
            user__username=username,
            user__first_name=first,
            user__last_name=last,
        ).user
        phone_services.agent_phone_set(user=user, extension=extension, actor=manager)
    _token, raw = phone_services.cti_token_create(branch=branch, name="Centrala", actor=manager)
    url = live_server.url + reverse("interactions:cti_webhook", args=["x"]).removesuffix("x/")
    try:
        # The applier thread started by the first event applies while the day is still being sent.
        call_command("cti_replay", str(SAMPLE), "--url", url, f"--token={raw}", "--as-fast-as-possible")
        deadline = time.monotonic() + 60
        while CtiEvent.objects.filter(outcome=CtiOutcome.QUEUED).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        cti_queue.stop_applier()

    assert "errors:        0" in capsys.readouterr().out
    assert Call.objects.count() == 50 == Interaction.objects.filter(channel="phone").count()
    outcomes = dict(CtiEvent.objects.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    assert outcomes == {CtiOutcome.APPLIED: 215, CtiOutcome.DUPLICATE: 1, CtiOutcome.OUT_OF_ORDER: 1}
    assert Callback.objects.count() == 10


def test_the_partitions_share_out_every_lane_once_and_a_call_keeps_its_lane():
    from frontoffice.interactions.phone import cti

    shares = [cti_queue.lanes_of(partition, 3) for partition in range(3)]

    assert sorted(lane for share in shares for lane in share) == list(range(cti.LANES))
    assert cti.lane_of("call-7") == cti.lane_of("call-7") and 0 <= cti.lane_of("call-7") < cti.LANES


@pytest.mark.django_db
def test_an_applier_applies_only_the_calls_of_its_own_lanes(queued, cti_post):
    from frontoffice.interactions.phone import cti

    cti_post(event="newCall", callId="lane-a", **IN)
    other = next(f"lane-{n}" for n in range(100) if cti.lane_of(f"lane-{n}") != cti.lane_of("lane-a"))
    cti_post(event="newCall", callId=other, **IN)

    assert cti.apply_queued(lanes=[cti.lane_of("lane-a")]) == 1

    assert list(Call.objects.values_list("call_id", flat=True)) == ["lane-a"]
    assert CtiEvent.objects.get(call_id=other).outcome == CtiOutcome.QUEUED


@pytest.mark.django_db
def test_a_batch_of_queued_calls_costs_fewer_statements_than_applying_each_event_alone(
    queued, settings, cti_post, agent, django_assert_max_num_queries
):
    settings.CTI_APPLIERS = 1  # every call in one partition: one batch
    for n in range(5):
        cti_post(event="newCall", callId=f"b{n}", **{"user[]": ["agent"]}, **IN)
        cti_post(event="answer", callId=f"b{n}", answeringNumber="agent", **IN)
        cti_post(event="hangup", callId=f"b{n}", cause="normalClearing", **IN)

    # Alone, these 15 events cost up to 19 + 11 + 13 statements per call (test_phone_cti's budget), 215 in all.
    # In one batch: per call its contact and call inserted and the agent's two state changes (6 statements);
    # the lookups (calls, clients, blocks, kept events, staff, teams) and the writes of the event rows, calls,
    # contacts, reporting events and audit entries once for the batch (about 20).
    with django_assert_max_num_queries(5 * 6 + 20):
        assert cti_queue.apply_due(None) == 15

    assert set(Call.objects.values_list("state", flat=True)) == {CallState.ENDED}
    assert list(CtiEvent.objects.order_by("pk").values_list("sequence", flat=True)) == [1, 2, 3] * 5


@pytest.mark.django_db
def test_a_batch_that_meets_another_applier_is_applied_one_event_at_a_time(queued, cti_post, monkeypatch):
    from django.db import OperationalError

    from frontoffice.interactions.phone import cti

    def deadlocked(rows):
        raise OperationalError("deadlock detected")

    cti_post(event="newCall", callId="d1", **IN)
    cti_post(event="hangup", callId="d1", cause="cancel", **IN)
    monkeypatch.setattr(cti, "_apply_batch", deadlocked)

    assert cti_queue.apply_due(None) == 2

    assert Interaction.objects.get(external_id="d1").outcome == Outcome.ABANDONED
    assert list(CtiEvent.objects.order_by("pk").values_list("outcome", flat=True)) == [CtiOutcome.APPLIED] * 2


@pytest.mark.django_db
def test_one_batch_matches_each_caller_to_a_client_and_rejects_a_blocked_one(
    queued, settings, cti_post, caller, organisation, clerk, branch, manager
):
    from frontoffice.clients.services import ClientData, client_create

    settings.CTI_APPLIERS = 1  # one batch
    household = [
        client_create(
            organisation=organisation,
            actor=clerk,
            data=ClientData(given_name=name, family_name="Kowalczyk", phones=["601 300 400"]),
            branch=branch,
        )
        for name in ("Ewa", "Piotr")
    ]
    services_setup.blocked_number_add(branch=branch, actor=manager, number="602 555 000")
    for call_id, number in (("m1", "+48 600 200 300"), ("m2", "+48 601 300 400"), ("m3", "+48 602 555 000")):
        cti_post(event="newCall", callId=call_id, **{**IN, "from": number})
        cti_post(event="hangup", callId=call_id, cause="cancel", **{**IN, "from": number})

    assert cti_queue.apply_due(None) == 6

    known, shared, blocked = (Interaction.objects.get(external_id=call_id) for call_id in ("m1", "m2", "m3"))
    assert known.client == caller and known.client_match == ClientMatch.AUTOMATIC
    assert shared.client is None and shared.client_match == ClientMatch.MAYBE
    assert set(shared.candidates.all()) == set(household)
    assert blocked.outcome == Outcome.BLOCKED and Call.objects.get(call_id="m3").state == CallState.ENDED
    assert known.outcome == shared.outcome == Outcome.ABANDONED
    # The batch's audit entries were kept for its end and written then, one per contact.
    logged = AuditEntry.objects.filter(action="interactions.interaction_record").values_list("target_id", flat=True)
    assert sorted(logged) == sorted(str(contact.pk) for contact in (known, shared, blocked))


@pytest.mark.django_db
def test_a_batch_tells_the_screens_the_call_rang_on_that_it_ended(
    queued, settings, cti_post, agent, django_capture_on_commit_callbacks, monkeypatch
):
    from frontoffice.interactions.phone import cti

    settings.CTI_APPLIERS = 1
    sent = []
    monkeypatch.setattr(cti, "publish", lambda channel, event: sent.append(event["type"]))
    cti_post(event="newCall", callId="e1", **{"user[]": ["agent"]}, **IN)
    cti_post(event="newCall", callId="e2", **{"user[]": ["agent"]}, **IN)
    with django_capture_on_commit_callbacks(execute=True):
        cti_queue.apply_due(None)  # both calls made in one batch…
    cti_post(event="hangup", callId="e1", cause="cancel", **IN)
    cti_post(event="hangup", callId="e2", cause="cancel", **IN)
    with django_capture_on_commit_callbacks(execute=True):
        cti_queue.apply_due(None)  # …and ended in the next, whose calls' "rang for" is read once

    assert sent == ["call.ringing", "call.ringing", "call.ended", "call.ended"]
    assert Interaction.objects.filter(external_id__in=["e1", "e2"], updated_at__isnull=False).count() == 2
