"""The visits API: create with Idempotency-Key, versioned update, transitions, lists."""

from __future__ import annotations

import json

import pytest

from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import Visit

pytestmark = pytest.mark.django_db

URL = "/api/v1/desk/visits"


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_a_clerk_opens_a_visit_once_however_often_the_request_is_retried(login, clerk, branch, patient, consultation):
    body = {
        "branch_id": branch.pk,
        "client_id": patient.pk,
        "visit_type_id": consultation.pk,
        "scheduled_at": "2030-03-04T10:15:00+01:00",
        "reason": "Ból głowy",
    }
    browser = login(clerk)
    first = _post(browser, URL, body, **{"Idempotency-Key": "visit-1"})
    again = _post(browser, URL, body, **{"Idempotency-Key": "visit-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Visit.objects.count() == 1
    data = first.json()
    assert data["status"] == S.PLANNED and data["next_statuses"] == [S.ARRIVED, S.CANCELLED, S.NO_SHOW]
    assert data["client_name"] == "Jan Kowalski" and data["reason"] == "Ból głowy"


def test_a_hotel_detail_on_a_clinic_visit_is_a_field_error(login, clerk, branch, patient, consultation):
    body = {
        "branch_id": branch.pk,
        "client_id": patient.pk,
        "visit_type_id": consultation.pk,
        "scheduled_at": "2030-03-04T10:15:00+01:00",
        "arrival_date": "2030-03-04",
    }
    answer = _post(login(clerk), URL, body)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["arrival_date"]


def test_another_branchs_room_is_a_field_error_not_a_leak(
    login, clerk, branch, other_branch, manager, patient, room_night
):
    from frontoffice.desk import services

    hidden = services.room_create(branch=other_branch, actor=manager, number="900")
    body = {
        "branch_id": branch.pk,
        "client_id": patient.pk,
        "visit_type_id": room_night.pk,
        "arrival_date": "2030-03-04",
        "departure_date": "2030-03-06",
        "room_id": hidden.pk,
    }
    answer = _post(login(clerk), URL, body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "room_id"


def test_a_stale_update_gets_409_and_changes_nothing(login, clerk, manager, clinic_visit):
    url = f"{URL}/{clinic_visit.pk}"
    read = login(manager).get(url).json()
    body = {"scheduled_at": read["scheduled_at"], "reason": "Pierwszy", "version": read["version"]}
    assert _put(login(manager), url, body).status_code == 200
    answer = _put(login(clerk), url, {**body, "reason": "Drugi"})
    assert answer.status_code == 409
    assert "changed by" in answer.json()["detail"]
    clinic_visit.refresh_from_db()
    assert clinic_visit.reason == "Pierwszy"


def test_transitions_follow_the_state_machine(login, clerk, clinic_visit):
    url = f"{URL}/{clinic_visit.pk}/transition"
    browser = login(clerk)
    answer = _post(browser, url, {"to_status": "arrived"})
    assert answer.status_code == 200 and answer.json()["status"] == S.ARRIVED
    again = _post(browser, url, {"to_status": "arrived"})
    assert again.status_code == 422
    assert "cannot go from “Arrived” to “Arrived”" in json.dumps(again.json(), ensure_ascii=False)
    stale = _post(browser, url, {"to_status": "in_progress", "version": 1})
    assert stale.status_code == 409


def test_the_list_filters_and_pages(login, clerk, clinic_visit, stay, shop_sale):
    browser = login(clerk)
    everything = browser.get(URL).json()
    assert everything["count"] == 3
    hotel = browser.get(URL, {"vertical": "hotel"}).json()
    assert [item["number"] for item in hotel["items"]] == [stay.number]
    assert browser.get(URL, {"q": clinic_visit.number}).json()["count"] == 1
    assert browser.get(URL, {"status": "nonsense"}).status_code == 422


def test_visit_types_are_listed_for_the_organisation(login, clerk, consultation, room_night):
    answer = login(clerk).get("/api/v1/desk/visit-types").json()
    assert {item["name"] for item in answer["items"]} == {"Konsultacja internistyczna", "Nocleg"}
    assert {item["vat_rate"] for item in answer["items"]} == {"zw", "8"}


def test_an_outsider_cannot_read_the_visit(login, outsider_branch, clinic_visit):
    assert login(outsider_branch).get(f"{URL}/{clinic_visit.pk}").status_code == 404
