"""Intake forms and submissions through the API."""

from __future__ import annotations

import json

import pytest

from frontoffice.core.models import AccessLogEntry
from frontoffice.desk.models import IntakeSubmission

from .fixtures_intake import signature_png

pytestmark = pytest.mark.django_db


def post(browser, url, body, **headers):
    return browser.post(url, json.dumps(body), content_type="application/json", headers=headers)


def good(**extra):
    return {"answers": {"allergies": False, "signature": signature_png(), "weight": 80.5, **extra}}


def test_forms_are_listed_and_read_with_their_published_version(login, clerk, intake_form):
    browser = login(clerk)
    listed = browser.get("/api/v1/desk/intake-forms").json()
    assert listed["count"] == 1 and listed["items"][0]["published_number"] == 1
    form = browser.get(f"/api/v1/desk/intake-forms/{intake_form.pk}").json()
    assert form["version"]["number"] == 1
    allergy_list = next(f for f in form["version"]["fields"] if f["key"] == "allergy_list")
    assert allergy_list["show_if_key"] == "allergies" and allergy_list["show_if_value"] == "yes"
    assert browser.get(f"/api/v1/desk/intake-forms/{intake_form.pk}?version=9").status_code == 422


def test_a_submission_is_created_once_with_an_idempotency_key(login, clerk, intake_visit):
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{intake_visit.pk}/intake"
    first = post(browser, url, good(), **{"Idempotency-Key": "form-1"})
    again = post(browser, url, good(), **{"Idempotency-Key": "form-1"})
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert IntakeSubmission.objects.count() == 1
    body = first.json()
    assert body["answers"] == {"allergies": "no", "weight": "80.5"}
    assert body["form_version"] == 1 and body["status"] == "filled"
    assert [a["field_key"] for a in body["attachments"]] == ["signature"]
    # without a key, a second POST replaces the answers of the one submission
    replaced = post(browser, url, good(weight=81))
    assert replaced.status_code == 200 and replaced.json()["id"] == body["id"]
    assert IntakeSubmission.objects.count() == 1


def test_bad_answers_are_field_errors(login, clerk, intake_visit):
    response = post(login(clerk), f"/api/v1/desk/visits/{intake_visit.pk}/intake", {"answers": {"allergies": True}})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"allergy_list", "signature"} <= fields


def test_reading_a_submission_is_access_logged_and_shows_differences(login, clerk, intake_visit):
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{intake_visit.pk}/intake"
    post(browser, url, good(phone="601 111 222"))
    body = browser.get(url).json()
    assert body["differences"] == [
        {"client_field": "phone", "answer": "601 111 222", "on_file": "+48600200300", "differs": True}
    ]
    assert AccessLogEntry.objects.filter(user=clerk).count() == 1


def test_accepting_needs_a_decision_for_every_difference(login, clerk, intake_visit, patient):
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{intake_visit.pk}/intake"
    version = post(browser, url, good(phone="601 111 222")).json()["version"]
    refused = post(browser, f"{url}/accept", {"version": version})
    assert refused.status_code == 422 and "Phone" in json.dumps(refused.json()["errors"])
    stale = post(browser, f"{url}/accept", {"keep": ["phone"], "version": version - 1})
    assert stale.status_code == 409
    accepted = post(browser, f"{url}/accept", {"keep": ["phone"], "version": version})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert list(patient.contacts.values_list("value", flat=True)) == ["+48600200300"]
    assert post(browser, f"{url}/accept", {"keep": ["phone"]}).status_code == 422


def test_a_visit_of_another_branch_is_not_found(login, outsider_branch, intake_visit):
    browser = login(outsider_branch)
    url = f"/api/v1/desk/visits/{intake_visit.pk}/intake"
    assert post(browser, url, good()).status_code == 404
    assert browser.get(url).status_code == 404
    assert not IntakeSubmission.objects.exists()


def test_a_visit_without_a_form_cannot_take_one(login, clerk, clinic_visit):
    response = post(login(clerk), f"/api/v1/desk/visits/{clinic_visit.pk}/intake", good())
    assert response.status_code == 422
