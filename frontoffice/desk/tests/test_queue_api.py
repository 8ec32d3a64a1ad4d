"""The queue API: issue with Idempotency-Key, call next, counter actions, errors as problem+json."""

from __future__ import annotations

import json

import pytest

from frontoffice.desk.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/desk/queue"


def _post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def test_a_retried_issue_gives_one_ticket(login, clerk, registration):
    browser = login(clerk)
    first = _post(browser, f"{URL}/tickets", {"service_id": registration.pk}, **{"Idempotency-Key": "t-1"})
    again = _post(browser, f"{URL}/tickets", {"service_id": registration.pk}, **{"Idempotency-Key": "t-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Ticket.objects.count() == 1
    assert first.json()["code"] == "A001" and first.json()["position"] == {"place": 1, "minutes": 0}


def test_call_next_answers_204_when_nobody_waits_then_the_ticket(login, clerk, registration, window1):
    browser = login(clerk)
    assert _post(browser, f"{URL}/counters/{window1.pk}/call-next").status_code == 204
    _post(browser, f"{URL}/tickets", {"service_id": registration.pk, "category": "pregnant"})
    called = _post(browser, f"{URL}/counters/{window1.pk}/call-next")
    assert called.status_code == 200
    assert (called.json()["status"], called.json()["counter_id"]) == ("called", window1.pk)


def test_a_ticket_goes_through_its_phases_by_api(login, clerk, registration, results, window1):
    browser = login(clerk)
    ticket = _post(browser, f"{URL}/tickets", {"service_id": registration.pk}).json()
    _post(browser, f"{URL}/counters/{window1.pk}/call-next")
    assert _post(browser, f"{URL}/tickets/{ticket['id']}/recall").json()["recall_count"] == 1
    started = _post(browser, f"{URL}/tickets/{ticket['id']}/start").json()
    assert started["status"] == "serving"
    done = _post(browser, f"{URL}/tickets/{ticket['id']}/finish").json()
    assert done["status"] == "done" and done["service_seconds"] is not None and done["wait_seconds"] is not None


def test_a_wrong_state_is_a_422_problem(login, clerk, registration):
    browser = login(clerk)
    ticket = _post(browser, f"{URL}/tickets", {"service_id": registration.pk}).json()
    answer = _post(browser, f"{URL}/tickets/{ticket['id']}/finish")
    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"


def test_a_service_of_another_organisation_is_a_field_error(login, outsider_org, registration):
    answer = _post(login(outsider_org), f"{URL}/tickets", {"service_id": registration.pk})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "service_id"


def test_transfer_by_api_keeps_the_number(login, clerk, registration, results):
    browser = login(clerk)
    ticket = _post(browser, f"{URL}/tickets", {"service_id": registration.pk}).json()
    moved = _post(browser, f"{URL}/tickets/{ticket['id']}/transfer", {"service_id": results.pk}).json()
    assert (moved["service_id"], moved["code"], moved["transferred_from_id"]) == (results.pk, "A001", registration.pk)


def test_an_appointment_check_in_queues_at_its_slot_time(login, clerk, registration):
    answer = _post(
        login(clerk),
        f"{URL}/tickets",
        {"service_id": registration.pk, "source": "appointment", "due_at": "2030-01-02T09:30:00+01:00"},
    )
    assert answer.status_code == 201
    assert answer.json()["queued_at"].startswith("2030-01-02T08:30:00")
