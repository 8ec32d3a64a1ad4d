"""Intake forms and submissions through the API."""

from __future__ import annotations

import json
from pathlib import Path

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


# --- file fields (multipart) ---------------------------------------------------------------------

PDF = b"%PDF-1.4\n%referral\n"


def _with_required_file_field(manager, intake_form):
    from frontoffice.desk.intake import services
    from frontoffice.desk.intake.services import FieldData

    draft = services.intake_draft_start(form=intake_form, actor=manager)
    services.intake_field_add(
        version=draft,
        actor=manager,
        data=FieldData(key="referral", kind="file", label_pl="Skierowanie", label_en="Referral", required=True),
    )
    services.intake_version_publish(version=draft, actor=manager)


def upload(browser, visit, files, answers=None, **headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {key: SimpleUploadedFile(name, content) for key, (name, content) in files.items()}
    data["answers"] = json.dumps(answers if answers is not None else good()["answers"])
    return browser.post(f"/api/v1/desk/visits/{visit.pk}/intake/upload", data, headers=headers)


def test_a_file_field_is_uploaded_stored_privately_and_read_back_with_an_access_log(
    login, clerk, manager, intake_form, intake_visit, intake_storage
):
    _with_required_file_field(manager, intake_form)
    browser = login(clerk)
    response = upload(browser, intake_visit, {"referral": ("Skierowanie Jan Kowalski.pdf", PDF)})
    assert response.status_code == 201, response.content
    attachments = {a["field_key"]: a for a in response.json()["attachments"]}
    assert attachments["referral"]["content_type"] == "application/pdf"
    assert attachments["referral"]["original_name"] == "Skierowanie Jan Kowalski.pdf"
    stored = IntakeSubmission.objects.get().attachments.get(field_key="referral")
    assert intake_storage.open(stored.file.name).read() == PDF and "Kowalski" not in stored.file.name
    file_url = f"/api/v1/desk/visits/{intake_visit.pk}/intake/files/referral"
    download = browser.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store" and download["Content-Type"] == "application/pdf"
    assert AccessLogEntry.objects.filter(user=clerk, purpose="intake file referral").count() == 1
    assert browser.get(f"/api/v1/desk/visits/{intake_visit.pk}/intake/files/nothing").status_code == 404


def test_the_json_endpoint_refuses_text_for_a_file_field_and_a_required_file_is_required(
    login, clerk, manager, intake_form, intake_visit
):
    _with_required_file_field(manager, intake_form)
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{intake_visit.pk}/intake"
    as_text = post(browser, url, good(referral="JVBERi0xLjQK"))
    errors = {error["field"]: error["message"] for error in as_text.json()["errors"]}
    assert as_text.status_code == 422 and "multipart" in errors["referral"]
    missing = post(browser, url, good())
    assert missing.status_code == 422 and {e["field"] for e in missing.json()["errors"]} == {"referral"}
    assert not IntakeSubmission.objects.exists()


def test_a_too_big_file_is_refused_with_its_size_and_the_limit(
    login, clerk, manager, intake_form, intake_visit, intake_storage, settings
):
    _with_required_file_field(manager, intake_form)
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (2 * 1024 * 1024)
    response = upload(login(clerk), intake_visit, {"referral": ("scan.pdf", big)})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors == {"referral": "The file is 2 MB; the largest allowed is 1 MB."}
    assert not IntakeSubmission.objects.exists()
    assert not any(path.is_file() for path in Path(intake_storage.location).rglob("*"))


def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(login, clerk, manager, intake_form, intake_visit):
    _with_required_file_field(manager, intake_form)
    program = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
    response = upload(login(clerk), intake_visit, {"referral": ("skierowanie.pdf", program)})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors["referral"].startswith("This file is not one of the allowed types (PDF, JPEG image, PNG image)")
    assert not IntakeSubmission.objects.exists()


def test_a_file_for_a_text_field_or_no_field_and_answers_that_are_not_json_are_refused(login, clerk, intake_visit):
    browser = login(clerk)
    for_text = upload(browser, intake_visit, {"weight": ("w.pdf", PDF)})
    assert for_text.status_code == 422 and {e["field"] for e in for_text.json()["errors"]} == {"weight"}
    stray = upload(browser, intake_visit, {"scan": ("s.pdf", PDF)})
    assert stray.status_code == 422 and {e["field"] for e in stray.json()["errors"]} == {"scan"}
    response = browser.post(f"/api/v1/desk/visits/{intake_visit.pk}/intake/upload", {"answers": "[1, 2"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "answers"


def test_files_are_not_for_other_branches_organisations_or_read_only_roles(
    login, clerk, executive, manager, outsider_branch, outsider_org, intake_form, intake_visit
):
    _with_required_file_field(manager, intake_form)
    assert upload(login(clerk), intake_visit, {"referral": ("a.pdf", PDF)}).status_code == 201
    file_url = f"/api/v1/desk/visits/{intake_visit.pk}/intake/files/referral"
    assert upload(login(executive), intake_visit, {"referral": ("b.pdf", PDF)}).status_code == 403
    assert login(executive).get(file_url).status_code == 200  # executives may read
    for outsider in (outsider_branch, outsider_org):
        browser = login(outsider)
        assert upload(browser, intake_visit, {"referral": ("c.pdf", PDF)}).status_code == 404
        assert browser.get(file_url).status_code == 404
    assert IntakeSubmission.objects.get().attachments.get(field_key="referral").original_name == "a.pdf"
    assert not AccessLogEntry.objects.filter(user__in=[outsider_branch, outsider_org]).exists()
