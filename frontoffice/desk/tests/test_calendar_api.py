"""The calendar API: resources, availability, booking (idempotent), moving (versioned), cancel, no-show, arrive."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from frontoffice.desk import services_calendar
from frontoffice.desk.models import Appointment

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body, default=str), content_type="application/json", headers=headers)


def _patch(client, url, body):
    return client.patch(url, json.dumps(body, default=str), content_type="application/json")


def test_resources_are_listed_with_their_visit_types_and_hours(login, agent, doctor, consultation):
    client = login(agent)
    listed = client.get("/api/v1/desk/resources").json()
    assert listed["count"] == 1 and listed["items"][0]["visit_type_ids"] == [consultation.pk]
    detail = client.get(f"/api/v1/desk/resources/{doctor.pk}").json()
    assert {"weekday": 0, "starts_at": "08:00", "ends_at": "12:00"} in detail["working_hours"]


def test_availability_gives_the_earliest_free_slots(login, agent, branch, booked, doctor, consultation, monday):
    answer = login(agent).get(
        "/api/v1/desk/availability",
        {"branch_id": branch.pk, "visit_type_id": consultation.pk, "after": at(monday, 9).isoformat(), "count": 2},
    )
    assert answer.status_code == 200, answer.content
    assert [slot["starts_at"][11:16] for slot in answer.json()["slots"]] == [
        "08:20",
        "08:40",
    ]  # UTC: 09:20, 09:40 in Warsaw


def test_a_booking_is_made_once_however_often_the_request_is_retried(
    login, clerk, doctor, patient, consultation, monday
):
    client = login(clerk)
    body = {
        "resource_id": doctor.pk,
        "client_id": patient.pk,
        "visit_type_id": consultation.pk,
        "starts_at": at(monday, 10).isoformat(),
    }
    first = _post(client, "/api/v1/desk/appointments", body, **{"Idempotency-Key": "book-1"})
    again = _post(client, "/api/v1/desk/appointments", body, **{"Idempotency-Key": "book-1"})
    assert first.status_code == 201, first.content
    assert first.json() == again.json()
    assert Appointment.objects.count() == 1
    assert first.json()["status"] == "booked" and first.json()["warnings"] == []


def test_a_taken_slot_is_409_with_the_reason_and_alternatives(
    login, clerk, booked, doctor, second_guest, consultation, monday
):
    answer = _post(
        login(clerk),
        "/api/v1/desk/appointments",
        {
            "resource_id": doctor.pk,
            "client_id": second_guest.pk,
            "visit_type_id": consultation.pk,
            "starts_at": at(monday, 9).isoformat(),
        },
    )
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["type"].endswith("slot-unavailable") and problem["reason"] == "taken"
    assert problem["alternatives"] and problem["alternatives"][0]["resource_id"] == doctor.pk


def test_a_move_with_a_stale_version_is_409(login, clerk, booked, monday):
    client = login(clerk)
    url = f"/api/v1/desk/appointments/{booked.pk}"
    moved = _patch(
        client, url, {"version": booked.version, "starts_at": at(monday, 11).isoformat(), "note": "Po przerwie"}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["starts_at"].startswith(f"{monday.isoformat()}T10:00")
    assert moved.json()["note"] == "Po przerwie"
    stale = _patch(client, url, {"version": booked.version, "starts_at": at(monday, 11, 20).isoformat()})
    assert stale.status_code == 409 and stale.json()["type"].endswith("stale-edit")


def test_cancel_arrive_and_noshow_through_the_api(login, clerk, booked, doctor, second_guest, consultation, monday):
    client = login(clerk)
    cancelled = _post(client, f"/api/v1/desk/appointments/{booked.pk}/cancel", {"reason": "Pacjent odwołał"})
    assert cancelled.json()["status"] == "cancelled"
    # A Monday 7–13 days ago at 09:00: started, and within the doctor's hours at any time of day.
    past = services_calendar.appointment_book(
        resource=doctor, client=second_guest, visit_type=consultation,
        starts_at=at(monday - timedelta(days=21), 9), actor=clerk, allow_past=True,
    ).appointment  # fmt: skip
    assert _post(client, f"/api/v1/desk/appointments/{past.pk}/noshow", {}).json()["status"] == "noshow"
    again = _post(client, f"/api/v1/desk/appointments/{past.pk}/arrive", {})
    assert again.status_code == 422


def test_appointments_are_filtered_and_scoped(login, clerk, outsider_org, booked, doctor, monday):
    listed = login(clerk).get("/api/v1/desk/appointments", {"resource_id": doctor.pk, "date_from": monday.isoformat()})
    assert [item["id"] for item in listed.json()["items"]] == [booked.pk]
    assert login(outsider_org).get(f"/api/v1/desk/appointments/{booked.pk}").status_code == 404
