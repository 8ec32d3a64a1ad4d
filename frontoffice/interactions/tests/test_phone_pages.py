"""The phone's pages and API: callbacks, agent state, calls, the outbound call form, the settings, the stream."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from frontoffice.interactions.choices import AgentState, CallbackStatus, Outcome
from frontoffice.interactions.models import Callback, CtiToken, FollowUp, Interaction
from frontoffice.interactions.phone import services as phone_services

pytestmark = pytest.mark.django_db

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}


@pytest.fixture
def missed(cti_post, caller):
    """Jan Wiśniewski called and gave up before anybody answered."""
    cti_post(event="newCall", callId="missed-1", **IN)
    cti_post(event="hangup", callId="missed-1", cause="cancel", **IN)
    return Callback.objects.get()


def test_an_agent_sees_the_callback_with_the_client_and_takes_it(client, agent, missed):
    client.force_login(agent)

    page = client.get(reverse("interactions:callback_list"))
    assert page.status_code == 200 and "Jan Wiśniewski" in page.content.decode()

    response = client.post(reverse("interactions:callback_take", args=[missed.pk]))

    assert response.status_code == 302
    missed.refresh_from_db()
    assert missed.owner == agent
    mine = client.get(reverse("interactions:callback_list") + "?view=mine")
    assert list(mine.context["callbacks"]) == [missed]


def test_reaching_the_caller_closes_the_callback_as_done(client, agent, missed):
    client.force_login(agent)

    client.post(reverse("interactions:callback_attempt", args=[missed.pk]), {"outcome": "no_answer"})
    client.post(reverse("interactions:callback_attempt", args=[missed.pk]), {"outcome": "reached", "note": "Umówiony"})

    missed.refresh_from_db()
    assert (missed.attempts, missed.status, missed.owner) == (2, CallbackStatus.DONE, agent)


def test_a_bad_attempt_form_is_shown_again_with_the_error(client, agent, missed):
    client.force_login(agent)

    response = client.post(reverse("interactions:callback_attempt", args=[missed.pk]), {"outcome": "maybe"})

    assert response.status_code == 400 and response.context["form"].errors["outcome"]


def test_a_callback_can_be_given_up(client, agent, missed):
    client.force_login(agent)

    client.post(
        reverse("interactions:callback_close", args=[missed.pk]), {"status": "gave_up", "note": "Numer nieczynny"}
    )

    missed.refresh_from_db()
    assert missed.status == CallbackStatus.GAVE_UP and missed.closed_by == agent


def test_the_callback_list_costs_a_fixed_number_of_queries(client, agent, cti_post, django_assert_max_num_queries):
    for number in range(5):
        call = {**IN, "from": f"+48 600 300 30{number}"}
        cti_post(event="newCall", callId=f"q{number}", **call)
        cti_post(event="hangup", callId=f"q{number}", cause="noAnswer", **call)
    client.force_login(agent)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("interactions:callback_list"))

    assert len(response.context["callbacks"]) == 5


def test_the_call_list_costs_a_fixed_number_of_queries(client, agent, cti_post, django_assert_max_num_queries):
    for number in range(5):
        cti_post(event="newCall", callId=f"l{number}", **IN)
    client.force_login(agent)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("interactions:call_list"))

    assert len(response.context["calls"]) == 5


def test_an_agent_changes_their_state_by_hand(client, agent):
    client.force_login(agent)

    client.post(reverse("interactions:agent_state_set"), {"state": "break"})

    assert phone_services.agent_state_current(user=agent).state == AgentState.BREAK


def test_logging_an_outbound_call_from_a_tel_link_records_it_with_a_follow_up(client, clerk, caller):
    client.force_login(clerk)
    url = reverse("interactions:call_log_outbound")
    assert client.get(url, {"client": caller.pk, "number": "+48600200300"}).status_code == 200

    response = client.post(
        url,
        {
            "client": caller.pk,
            "number": "+48600200300",
            "outcome": Outcome.FOLLOW_UP,
            "summary": "Pyta o wyniki",
            "follow_up_due": "2026-12-01T10:00",
            "follow_up_note": "Oddzwonić z wynikami",
        },
    )

    contact = Interaction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "interactions:call_detail", args=[contact.pk]
    )
    assert (contact.direction, contact.client, contact.staff) == ("outbound", caller, clerk)
    assert FollowUp.objects.get().interaction == contact


def test_an_outbound_call_without_a_number_is_refused_with_the_input_kept(client, clerk):
    client.force_login(clerk)

    response = client.post(reverse("interactions:call_log_outbound"), {"summary": "Bez numeru"})

    assert response.status_code == 400 and "Bez numeru" in response.content.decode()


def test_the_agent_records_the_outcome_on_the_call_log_page(client, agent, cti_post):
    cti_post(event="newCall", callId="o1", **IN)
    contact = Interaction.objects.get()
    client.force_login(agent)

    client.post(reverse("interactions:call_outcome", args=[contact.pk]), {"outcome": "resolved", "summary": "Gotowe"})

    contact.refresh_from_db()
    assert (contact.outcome, contact.summary, contact.staff) == ("resolved", "Gotowe", agent)


def test_the_screen_pop_card_shows_the_client_and_the_log_page_link(client, agent, cti_post, caller):
    cti_post(event="newCall", callId="pop-1", **IN)
    contact = Interaction.objects.get()
    client.force_login(agent)

    page = client.get(reverse("interactions:call_pop", args=[contact.pk]), headers={"X-Requested-With": "fetch"})

    html = page.content.decode()
    assert "Jan Wiśniewski" in html and reverse("interactions:call_detail", args=[contact.pk]) in html


def test_the_pop_stream_answers_no_stream_outside_asgi(client, agent):
    client.force_login(agent)

    assert client.get(reverse("interactions_events:pop_stream")).status_code == 204


def test_signed_in_pages_carry_the_screen_pop_script_for_those_who_take_calls(client, agent, guard):
    client.force_login(agent)
    assert "interactions/screen-pop" in client.get(reverse("core:home")).content.decode()
    client.force_login(guard)
    assert "interactions/screen-pop" not in client.get(reverse("core:home")).content.decode()


def test_a_manager_creates_a_token_sees_it_once_and_revokes_it(client, manager, branch):
    client.force_login(manager)

    response = client.post(reverse("interactions:cti_token_create"), {"name": "Asterisk", "branch": branch.pk})

    token = CtiToken.objects.get()
    raw = response.context["raw_token"]
    assert raw and raw in response.content.decode()
    assert raw not in client.get(reverse("interactions:phone_settings")).content.decode()
    client.post(reverse("interactions:cti_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active


def test_a_manager_gives_an_agent_an_extension(client, manager, agent):
    client.force_login(manager)

    client.post(reverse("interactions:agent_phone_set"), {"user": agent.pk, "extension": "204"})

    assert agent.agent_phone.extension == "204"


# --- the API -------------------------------------------------------------------------------------


def test_the_api_lists_takes_and_closes_callbacks(client, agent, missed):
    client.force_login(agent)

    listed = client.get("/api/v1/interactions/callbacks?view=unassigned").json()
    assert [item["id"] for item in listed["items"]] == [missed.pk]
    taken = client.post(f"/api/v1/interactions/callbacks/{missed.pk}/take", content_type="application/json")
    assert taken.json()["owner_id"] == agent.pk
    attempt = client.post(
        f"/api/v1/interactions/callbacks/{missed.pk}/attempts",
        json.dumps({"outcome": "voicemail"}),
        content_type="application/json",
    )
    assert attempt.status_code == 201 and attempt.json()["attempts"] == 1
    closed = client.post(
        f"/api/v1/interactions/callbacks/{missed.pk}/close",
        json.dumps({"status": "done"}),
        content_type="application/json",
    )
    assert closed.json()["status"] == "done"
    again = client.post(
        f"/api/v1/interactions/callbacks/{missed.pk}/close",
        json.dumps({"status": "done"}),
        content_type="application/json",
    )
    assert again.status_code == 422


def test_the_api_gets_and_sets_my_state(client, agent):
    client.force_login(agent)

    assert client.get("/api/v1/interactions/agent-state").json()["state"] == "offline"
    response = client.post(
        "/api/v1/interactions/agent-state", json.dumps({"state": "available"}), content_type="application/json"
    )

    assert response.json()["state"] == "available" and response.json()["by_pbx"] is False


def test_the_api_lists_calls_with_their_pbx_figures(client, agent, cti_post):
    cti_post(event="newCall", callId="api-1", **IN)
    cti_post(event="hangup", callId="api-1", cause="busy", **IN)
    client.force_login(agent)

    item = client.get("/api/v1/interactions/calls").json()["items"][0]

    assert (item["call_id"], item["cause"], item["outcome"]) == ("api-1", "busy", "missed")


def test_the_client_page_offers_to_log_a_call_next_to_each_phone(client, clerk, caller):
    client.force_login(clerk)

    html = client.get(reverse("clients:client_detail", args=[caller.pk])).content.decode()

    assert reverse("interactions:call_log_outbound") + f"?client={caller.pk}&amp;number=" in html
    assert "Log a call to +48600200300" in html


def test_the_client_page_offers_no_call_log_to_who_may_not_log_contacts(client, executive, caller):
    client.force_login(executive)

    html = client.get(reverse("clients:client_detail", args=[caller.pk])).content.decode()

    assert "tel:+48600200300" in html
    assert reverse("interactions:call_log_outbound") not in html


def test_a_number_two_clients_share_pops_both_as_maybe(client, agent, cti_post, caller, organisation, branch, clerk):
    from frontoffice.clients.services import ClientData, client_create

    client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Janina", family_name="Wiśniewska", phones=["600 200 300"]),
        branch=branch,
    )
    cti_post(event="newCall", callId="maybe-1", **IN)
    contact = Interaction.objects.get()
    client.force_login(agent)

    html = client.get(
        reverse("interactions:call_pop", args=[contact.pk]), headers={"X-Requested-With": "fetch"}
    ).content.decode()

    assert "Maybe one of these clients:" in html
    assert "Jan Wiśniewski" in html and "Janina Wiśniewska" in html
