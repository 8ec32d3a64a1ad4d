"""A branch's phone settings and blocked numbers, and what the CTI webhook answers the PBX because of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from frontoffice.core.models import AuditEntry
from frontoffice.interactions.choices import CallState, CtiOutcome, Outcome
from frontoffice.interactions.models import BlockedNumber, Callback, CtiEvent, Interaction, PhoneSettings
from frontoffice.interactions.phone import services_setup

pytestmark = pytest.mark.django_db

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}
OUT = {"from": "201", "to": "0048 601 222 333", "direction": "out"}


def _settings(branch, manager, **changes):
    values = {"callback_due_minutes": 120, "repeat_calls_join_callback": True, "outgoing_caller_id": ""}
    return services_setup.phone_settings_update(
        branch=branch, actor=manager, expected_version=None, **{**values, **changes}
    )


# --- blocked callers are rejected -------------------------------------------------------------------------------


def test_a_blocked_caller_is_rejected_as_busy_and_kept_as_a_contact(cti_post, branch, manager, agent):
    services_setup.blocked_number_add(branch=branch, actor=manager, number="600-200-300", note="Dzwoni co minutę")

    response = cti_post(event="newCall", callId="b1", **{"user[]": ["agent"]}, **IN)

    body = response.json()
    contact = Interaction.objects.get(external_id="b1")
    assert (body["action"], body["reason"], body["result"], body["contact_id"]) == (
        "reject",
        "busy",
        "applied",
        contact.pk,
    )
    assert contact.outcome == Outcome.BLOCKED and contact.ended_at is not None
    assert contact.call.state == CallState.ENDED and list(contact.call.rang_for.all()) == []


def test_the_hangup_of_a_rejected_call_opens_no_callback(cti_post, branch, manager):
    services_setup.blocked_number_add(branch=branch, actor=manager, number="+48600200300")
    cti_post(event="newCall", callId="b2", **IN)

    response = cti_post(event="hangup", callId="b2", cause="busy", **IN)

    assert response.json()["result"] == CtiOutcome.OUT_OF_ORDER
    assert not Callback.objects.exists()
    assert Interaction.objects.get(external_id="b2").outcome == Outcome.BLOCKED


def test_a_repeated_new_call_of_a_blocked_caller_is_rejected_again(cti_post, branch, manager):
    services_setup.blocked_number_add(branch=branch, actor=manager, number="+48600200300")
    event = {"event": "newCall", "callId": "b3", "timestamp": "2026-11-23T09:00:00Z", **IN}
    cti_post(**event)

    again = cti_post(**event).json()

    assert (again["result"], again["action"]) == (CtiOutcome.DUPLICATE, "reject")


def test_a_number_blocked_at_another_branch_rings_as_usual(cti_post, other_branch, manager, agent):
    services_setup.blocked_number_add(branch=other_branch, actor=manager, number="+48600200300")

    body = cti_post(event="newCall", callId="b4", **{"user[]": ["agent"]}, **IN).json()

    assert "action" not in body and body["result"] == CtiOutcome.APPLIED
    assert Interaction.objects.get(external_id="b4").outcome == ""


def test_an_unblocked_number_rings_again_and_the_entry_is_kept(cti_post, branch, manager):
    blocked = services_setup.blocked_number_add(branch=branch, actor=manager, number="+48600200300")
    services_setup.blocked_number_remove(blocked=blocked, actor=manager)

    body = cti_post(event="newCall", callId="b5", **IN).json()

    assert "action" not in body
    blocked.refresh_from_db()
    assert blocked.removed_by == manager and blocked.removed_at is not None
    assert blocked.history.count() == 2  # added, removed


# --- the outgoing caller ID -------------------------------------------------------------------------------------


def test_an_outbound_call_is_dialled_with_the_branchs_caller_id(cti_post, branch, manager):
    _settings(branch, manager, outgoing_caller_id="22 123 45 00")

    body = cti_post(event="newCall", callId="o1", **OUT).json()

    assert (body["action"], body["caller_id"], body["number"]) == ("dial", "+48221234500", OUT["to"])
    assert body["result"] == CtiOutcome.APPLIED and "contact_id" in body


def test_an_inbound_call_gets_no_caller_id(cti_post, branch, manager):
    _settings(branch, manager, outgoing_caller_id="+48221234500")

    assert "action" not in cti_post(event="newCall", callId="o2", **IN).json()


def test_without_a_caller_id_an_outbound_call_gets_no_action(cti_post):
    body = cti_post(event="newCall", callId="o3", **OUT).json()

    assert "action" not in body and body["result"] == CtiOutcome.APPLIED


def test_only_a_new_call_carries_an_action(cti_post, branch, manager):
    _settings(branch, manager, outgoing_caller_id="+48221234500")
    cti_post(event="newCall", callId="o4", **OUT)

    assert "action" not in cti_post(event="hangup", callId="o4", cause="noAnswer", **OUT).json()


# --- callbacks follow the branch's settings ---------------------------------------------------------------------


def _missed(cti_post, call_id, at):
    cti_post(event="newCall", callId=call_id, timestamp=at.isoformat(), **IN)
    cti_post(event="hangup", callId=call_id, cause="noAnswer", timestamp=(at + timedelta(seconds=20)).isoformat(), **IN)


def test_a_missed_call_is_due_back_two_hours_later_by_default(cti_post):
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    _missed(cti_post, "d1", at)

    assert Callback.objects.get().due_at == at + timedelta(seconds=20) + timedelta(hours=2)


def test_a_missed_call_is_due_back_after_the_branchs_callback_time(cti_post, branch, manager):
    _settings(branch, manager, callback_due_minutes=30)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    _missed(cti_post, "d2", at)

    assert Callback.objects.get().due_at == at + timedelta(seconds=20) + timedelta(minutes=30)


def test_repeat_calls_add_to_the_open_callback_by_default(cti_post):
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    _missed(cti_post, "r1", at)
    _missed(cti_post, "r2", at + timedelta(minutes=5))

    assert list(Callback.objects.values_list("missed_calls", flat=True)) == [2]


def test_when_repeat_calls_do_not_add_up_each_missed_call_gets_its_own_callback(cti_post, branch, manager):
    _settings(branch, manager, repeat_calls_join_callback=False)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    _missed(cti_post, "r3", at)
    _missed(cti_post, "r4", at + timedelta(minutes=5))

    assert sorted(Callback.objects.values_list("interaction__external_id", "missed_calls")) == [("r3", 1), ("r4", 1)]


# --- the services refuse bad input ------------------------------------------------------------------------------


def test_a_caller_id_that_is_not_a_number_is_refused_in_polish_and_nothing_is_saved(branch, manager):
    with translation.override("pl"), pytest.raises(ValidationError) as refused:
        _settings(branch, manager, outgoing_caller_id="recepcja")

    assert refused.value.message_dict["outgoing_caller_id"] == ["Podaj numer telefonu, np. +48 600 100 200."]
    assert not PhoneSettings.objects.exists()


def test_a_stale_phone_settings_save_is_refused(branch, manager, admin):
    first = _settings(branch, manager, callback_due_minutes=60)
    _settings(branch, admin, callback_due_minutes=90)

    with pytest.raises(ValidationError) as refused:
        services_setup.phone_settings_update(
            branch=branch,
            actor=manager,
            expected_version=first.version,
            callback_due_minutes=15,
            repeat_calls_join_callback=True,
        )

    assert refused.value.code == "stale"
    assert PhoneSettings.objects.get().callback_due_minutes == 90


def test_saving_phone_settings_is_audited(branch, manager):
    _settings(branch, manager, callback_due_minutes=45)

    entry = AuditEntry.objects.get(action="interactions.phone_settings_update")
    assert entry.actor == manager and entry.branch == branch and entry.data["after"]["callback_due_minutes"] == 45


def test_a_number_in_any_format_is_kept_in_e164_with_who_blocked_it(branch, manager):
    blocked = services_setup.blocked_number_add(branch=branch, actor=manager, number="0048 600 200 300", note="Spam")

    assert (blocked.number, blocked.added_by, blocked.note) == ("+48600200300", manager, "Spam")
    assert AuditEntry.objects.filter(action="interactions.blocked_number_add", branch=branch).count() == 1


def test_blocking_a_number_twice_at_one_branch_is_refused(branch, manager):
    services_setup.blocked_number_add(branch=branch, actor=manager, number="+48600200300")

    with pytest.raises(ValidationError) as refused:
        services_setup.blocked_number_add(branch=branch, actor=manager, number="600 200 300")

    assert "number" in refused.value.message_dict
    assert BlockedNumber.objects.count() == 1


def test_something_that_is_not_a_number_cannot_be_blocked(branch, manager):
    with pytest.raises(ValidationError) as refused:
        services_setup.blocked_number_add(branch=branch, actor=manager, number="anonymous")

    assert "number" in refused.value.message_dict and not BlockedNumber.objects.exists()


# --- the pages --------------------------------------------------------------------------------------------------


def test_a_manager_changes_a_branchs_phone_settings_on_the_page(client, manager, branch):
    client.force_login(manager)
    url = reverse("interactions:phone_settings_branch", args=[branch.pk])
    form = client.get(url).context["form"]

    response = client.post(
        url,
        {
            "callback_due_minutes": 45,
            "outgoing_caller_id": "+48 22 123 45 00",
            "version": form.initial["version"],
        },
    )

    assert response.status_code == 302
    saved = PhoneSettings.objects.get(branch=branch)
    assert (saved.callback_due_minutes, saved.repeat_calls_join_callback, saved.outgoing_caller_id) == (
        45,
        False,
        "+48221234500",
    )
    overview = client.get(reverse("interactions:phone_settings")).content.decode()
    assert "45 minutes" in overview and "+48221234500" in overview


def test_bad_phone_settings_are_shown_again_with_what_was_typed(client, manager, branch):
    client.force_login(manager)

    response = client.post(
        reverse("interactions:phone_settings_branch", args=[branch.pk]),
        {"callback_due_minutes": 2, "outgoing_caller_id": "recepcja", "repeat_calls_join_callback": "on"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["callback_due_minutes"]
    assert 'value="recepcja"' in response.content.decode()
    assert not PhoneSettings.objects.exists()


def test_a_manager_blocks_and_unblocks_a_number_on_the_page(client, manager, branch):
    client.force_login(manager)

    added = client.post(
        reverse("interactions:blocked_number_add"),
        {"branch": branch.pk, "number": "600 200 300", "reason": "harassment", "note": "Wyzwiska"},
    )
    blocked = BlockedNumber.objects.get()
    removed = client.post(reverse("interactions:blocked_number_remove", args=[blocked.pk]))

    assert added.status_code == removed.status_code == 302
    assert client.get(reverse("interactions:blocked_number_list")).context["numbers"] == []
    history = client.get(reverse("interactions:blocked_number_list") + "?show=all").context["numbers"]
    assert history == [blocked] and "Wyzwiska" in client.get("/interactions/phone/blocked/?show=all").content.decode()


def test_a_bad_number_is_refused_on_the_blocked_page_with_the_input_kept(client, manager, branch):
    client.force_login(manager)

    response = client.post(
        reverse("interactions:blocked_number_add"),
        {"branch": branch.pk, "number": "nie wiem", "reason": "abuse", "note": "Groźby"},
    )

    assert response.status_code == 400 and response.context["form"].errors["number"]
    assert "Groźby" in response.content.decode() and not BlockedNumber.objects.exists()


def test_a_manager_sees_only_their_branches_blocked_numbers(client, manager, branch, other_branch, admin):
    services_setup.blocked_number_add(branch=branch, actor=admin, number="+48600200300")
    services_setup.blocked_number_add(branch=other_branch, actor=admin, number="+48600200301")
    client.force_login(manager)

    numbers = client.get(reverse("interactions:blocked_number_list")).context["numbers"]

    assert [row.number for row in numbers] == ["+48600200300"]


def test_the_blocked_list_costs_a_fixed_number_of_queries(client, manager, branch, django_assert_max_num_queries):
    for number in range(5):
        services_setup.blocked_number_add(branch=branch, actor=manager, number=f"+4860020030{number}")
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("interactions:blocked_number_list"))

    assert len(response.context["numbers"]) == 5


def test_the_blocked_numbers_are_in_the_phone_menu_of_a_manager_only(client, manager, agent):
    client.force_login(manager)
    assert reverse("interactions:blocked_number_list") in client.get(reverse("core:home")).content.decode()

    client.force_login(agent)
    assert reverse("interactions:blocked_number_list") not in client.get(reverse("core:home")).content.decode()


def test_the_webhook_logs_a_rejected_call_as_an_applied_event(cti_post, branch, manager):
    services_setup.blocked_number_add(branch=branch, actor=manager, number="+48600200300")

    cti_post(event="newCall", callId="b9", **IN)

    assert CtiEvent.objects.get(call_id="b9").outcome == CtiOutcome.APPLIED
