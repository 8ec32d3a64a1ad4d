"""The waitlist API: add, list, an entry's offers, remove, the figures; scoping."""

from __future__ import annotations

import json

import pytest

from frontoffice.desk import services, services_calendar, services_waitlist

from .fixtures_waitlist import wait, waitlist_hook  # noqa: F401 - the autouse hook

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def test_a_client_is_added_listed_offered_a_slot_and_removed(
    login, clerk, manager, branch, anna, booked, consultation, friday
):
    client = login(clerk)
    created = _post(
        client,
        "/api/v1/desk/waitlist",
        {
            "branch_id": branch.pk,
            "client_id": anna.pk,
            "visit_type_id": consultation.pk,
            "date_from": services.branch_today(branch),
            "date_to": friday,
            "priority": 2,
        },
    )
    assert created.status_code == 201, created.content
    entry = created.json()
    assert (entry["status"], entry["channel"], entry["priority"]) == ("waiting", "sms", 2)
    assert [item["id"] for item in client.get("/api/v1/desk/waitlist").json()["items"]] == [entry["id"]]
    # a slot frees up
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    services_waitlist.slot_record(appointment=booked, starts_at=booked.starts_at, ends_at=booked.ends_at)
    offers = client.get(f"/api/v1/desk/waitlist/{entry['id']}/offers").json()
    assert [offer["status"] for offer in offers] == ["pending"]
    # the figures, for managers
    assert client.get("/api/v1/desk/waitlist/figures", {"branch_id": branch.pk}).status_code == 403
    figures = login(manager).get("/api/v1/desk/waitlist/figures", {"branch_id": branch.pk}).json()
    assert (figures["freed"], figures["offered"], figures["backfilled"], figures["backfill_rate"]) == (1, 1, 0, 0.0)
    # removed with a reason
    client = login(clerk)
    removed = _post(client, f"/api/v1/desk/waitlist/{entry['id']}/remove", {"reason": "Rezygnacja"})
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert client.get(f"/api/v1/desk/waitlist/{entry['id']}/offers").json()[0]["status"] == "withdrawn"


def test_bad_input_is_refused_with_the_field(login, clerk, branch, anna, consultation, friday):
    answer = _post(
        login(clerk),
        "/api/v1/desk/waitlist",
        {
            "branch_id": branch.pk,
            "client_id": anna.pk,
            "visit_type_id": consultation.pk,
            "date_from": friday,
            "date_to": services.branch_today(branch),
        },
    )
    assert answer.status_code == 422 and "date_to" in answer.content.decode()


def test_another_organisations_entries_are_not_reachable(
    login, outsider_org, clerk, branch, anna, consultation, friday
):
    entry = wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    client = login(outsider_org)
    assert client.get(f"/api/v1/desk/waitlist/{entry.pk}").status_code == 404
    assert client.get(f"/api/v1/desk/waitlist/{entry.pk}/offers").status_code == 404
    assert client.get("/api/v1/desk/waitlist").json()["count"] == 0
