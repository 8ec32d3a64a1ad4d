"""The contacts API: log (idempotent), list with filters, get, update (versioned), confirm the client,
follow-ups, topics and teams."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create
from frontoffice.interactions import services
from frontoffice.interactions.choices import Channel
from frontoffice.interactions.models import FollowUp, Interaction

pytestmark = pytest.mark.django_db


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body, default=str), content_type="application/json", headers=headers)


def test_a_call_is_logged_with_a_follow_up_once_for_one_idempotency_key(login, clerk, branch, caller, topic):
    client = login(clerk)
    body = {
        "branch_id": branch.pk,
        "channel": "phone",
        "contact_address": "+48 600 200 300",
        "topic_id": topic.pk,
        "summary": "Pytanie o wyniki",
        "follow_up": {"due_at": timezone.now() + timedelta(days=1), "note": "Oddzwonić"},
    }

    first = _post(client, "/api/v1/interactions", body, **{"Idempotency-Key": "call-1"})
    again = _post(client, "/api/v1/interactions", body, **{"Idempotency-Key": "call-1"})

    assert first.status_code == 201, first.content
    contact = first.json()
    assert (contact["client_id"], contact["client_match"], contact["staff_id"]) == (caller.pk, "automatic", clerk.pk)
    assert again.json()["id"] == contact["id"]
    assert Interaction.objects.count() == 1
    assert FollowUp.objects.get().owner == clerk


def test_the_list_filters_like_the_page(login, clerk, branch, call):
    services.interaction_record(branch=branch, channel=Channel.EMAIL, actor=clerk)
    client = login(clerk)

    phone = client.get("/api/v1/interactions", {"channel": "phone"}).json()
    needing = client.get("/api/v1/interactions", {"needs_client": True}).json()

    assert [item["id"] for item in phone["items"]] == [call.pk]
    assert phone["count"] == 1
    assert needing["count"] == 1 and needing["items"][0]["channel"] == "email"


def test_an_update_with_a_stale_version_gets_409(login, clerk, call):
    client = login(clerk)
    url = f"/api/v1/interactions/{call.pk}"

    first = client.put(url, json.dumps({"version": 1, "outcome": "resolved", "summary": "OK"}), "application/json")
    stale = client.put(url, json.dumps({"version": 1, "summary": "Nadpisane"}), "application/json")

    assert first.status_code == 200 and first.json()["version"] == 2
    assert stale.status_code == 409
    assert client.get(url).json()["summary"] == "OK"


def test_the_client_of_a_maybe_contact_is_confirmed(login, clerk, organisation, branch, caller):
    spouse = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Anna", family_name="Wiśniewska", phones=["600200300"]),
        branch=branch,
    )
    contact = services.interaction_record(
        branch=branch, channel=Channel.PHONE, actor=clerk, contact_address="600200300"
    )
    client = login(clerk)
    assert set(client.get(f"/api/v1/interactions/{contact.pk}").json()["candidate_ids"]) == {caller.pk, spouse.pk}

    answer = _post(client, f"/api/v1/interactions/{contact.pk}/confirm-client", {"client_id": spouse.pk})

    assert answer.status_code == 200
    assert (answer.json()["client_id"], answer.json()["client_match"]) == (spouse.pk, "confirmed")


def test_a_client_of_another_organisation_is_refused_with_the_field(login, clerk, branch, foreign_branch, outsider_org):
    stranger = client_create(
        organisation=foreign_branch.organisation,
        actor=outsider_org,
        data=ClientData(given_name="Obcy", family_name="Klient"),
        branch=foreign_branch,
    )

    answer = _post(
        login(clerk), "/api/v1/interactions", {"branch_id": branch.pk, "channel": "sms", "client_id": stranger.pk}
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "client_id"


def test_follow_ups_are_set_listed_and_completed(login, clerk, call):
    client = login(clerk)

    created = _post(
        client,
        "/api/v1/interactions/follow-ups",
        {"interaction_id": call.pk, "due_at": timezone.now() - timedelta(hours=1), "note": "Zaległe"},
    )
    follow_up = created.json()
    listed = client.get("/api/v1/interactions/follow-ups").json()
    done = _post(client, f"/api/v1/interactions/follow-ups/{follow_up['id']}/complete", {})

    assert created.status_code == 201
    assert [item["id"] for item in listed["items"]] == [follow_up["id"]]
    assert done.json()["done_at"] is not None
    assert client.get("/api/v1/interactions/follow-ups").json()["count"] == 0


def test_topics_are_listed_to_staff_and_created_by_managers(login, clerk, manager, topic):
    assert [item["name_pl"] for item in login(clerk).get("/api/v1/interactions/topics").json()["items"]] == ["Wizyta"]
    assert _post(login(clerk), "/api/v1/interactions/topics", {"name": "Parking"}).status_code == 403

    created = _post(login(manager), "/api/v1/interactions/topics", {"name": "Parking", "name_pl": "Parking"})

    assert created.status_code == 201
    assert _post(login(manager), "/api/v1/interactions/topics", {"name": "parking"}).status_code == 422


def test_teams_are_listed_with_their_members(login, clerk, agent, manager, team):
    items = login(clerk).get("/api/v1/interactions/teams").json()["items"]

    assert [(item["name"], item["lead_id"], set(item["member_ids"])) for item in items] == [
        ("Rejestracja", manager.pk, {clerk.pk, agent.pk})
    ]
