"""Coverage and registration cards through the pages and the API, as a clerk uses them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frontoffice.clients.services import ClientData, client_create
from frontoffice.core.models import AccessLogEntry
from frontoffice.desk import services_coverage as cov
from frontoffice.desk.models import Coverage, EligibilityCheck, RegistrationCard, VisitBilling
from frontoffice.desk.tests.cards import PNG, PNG_DATA_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def nfz(organisation, manager):
    return cov.payer_create(organisation=organisation, actor=manager, name="NFZ", kind="public_fund")


def _post_json(browser, url, body, method="post", **headers):
    return getattr(browser, method)(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_clerk_adds_a_policy_with_a_card_image_and_a_copay(login, clerk, patient, nfz, consultation):
    browser = login(clerk)
    page = browser.post(
        reverse("desk:coverage_create", args=[patient.pk]),
        {
            "payer": nfz.pk,
            "member_number": "12345671",
            "order": "primary",
            "relationship": "self",
            "valid_from": "2024-01-01",
            f"copay_{consultation.pk}": "20.00",
            "card_front": SimpleUploadedFile("skan.png", PNG, content_type="image/png"),
        },
    )
    assert page.status_code == 302
    policy = Coverage.objects.get(client=patient)
    assert cov.copay_for(policy, consultation) == 20
    image = browser.get(reverse("desk:coverage_card_image", args=[policy.pk, "front"]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["Cache-Control"] == "private, no-store" and b"".join(image.streaming_content) == PNG
    assert AccessLogEntry.objects.filter(target_id=str(policy.pk), purpose="coverage card front").exists()


def test_a_refused_policy_keeps_what_was_typed(login, clerk, patient, nfz):
    page = login(clerk).post(
        reverse("desk:coverage_create", args=[patient.pk]),
        {
            "payer": nfz.pk,
            "member_number": "ABC-778",
            "order": "primary",
            "relationship": "self",
            "valid_from": "2024-05-01",
            "valid_to": "2024-04-01",
        },
    )
    html = page.content.decode()
    assert page.status_code == 400 and "The end date cannot be before the start date." in html
    assert 'value="ABC-778"' in html


def test_a_spouse_policy_needs_the_subscriber_from_the_picker(login, clerk, patient, nfz, organisation):
    spouse = client_create(organisation=organisation, actor=clerk, data=ClientData(given_name="Anna", family_name="K"))
    body = {
        "payer": nfz.pk,
        "member_number": "1",
        "order": "primary",
        "relationship": "spouse",
        "valid_from": "2024-01-01",
    }
    browser = login(clerk)
    page = browser.post(reverse("desk:coverage_create", args=[patient.pk]), body)
    assert page.status_code == 400 and "Choose the subscriber" in page.content.decode()
    page = browser.post(reverse("desk:coverage_create", args=[patient.pk]), {**body, "subscriber": spouse.pk})
    assert page.status_code == 302 and Coverage.objects.get().subscriber == spouse


def test_the_day_page_flags_a_self_pay_visit(login, clerk, clinic_visit, settings):
    settings.DESK_ELIGIBILITY_OUTAGE = "*"
    browser = login(clerk)
    day = browser.get(reverse("desk:day")).content.decode()
    assert "Check eligibility" in day and "self-pay" not in day
    page = browser.post(reverse("desk:visit_eligibility_check", args=[clinic_visit.pk]), follow=True)
    assert "The visit is self-pay for now." in page.content.decode()
    assert VisitBilling.objects.get(visit=clinic_visit).is_self_pay
    day = browser.get(reverse("desk:day")).content.decode()
    assert "self-pay" in day and 'title="no coverage on file"' in day  # the reason, on the badge
    detail = browser.get(reverse("desk:visit_detail", args=[clinic_visit.pk])).content.decode()
    assert "Self-pay" in detail and "no coverage on file" in detail


def test_the_day_page_query_count_does_not_grow_with_flags(login, clerk, clinic_visit, django_assert_max_num_queries):
    cov.eligibility_check(visit=clinic_visit, actor=clerk)
    browser = login(clerk)
    browser.get(reverse("desk:day"))
    with django_assert_max_num_queries(20):
        browser.get(reverse("desk:day"))


def test_a_clerk_fills_in_and_signs_a_card_then_checks_the_guest_in(login, clerk, stay, second_guest):
    from frontoffice.desk import services

    guest = services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    browser = login(clerk)
    cards_page = browser.get(reverse("desk:stay_cards", args=[stay.pk])).content.decode()
    assert "no card yet" in cards_page and "card complete" in cards_page
    form = browser.get(reverse("desk:registration_card", args=[stay.pk, guest.pk])).content.decode()
    assert 'value="Maria"' in form and "signature-pad.js" in form and "<script>" not in form
    url = reverse("desk:registration_card_save", args=[stay.pk, guest.pk])
    body = {
        "given_name": "Maria",
        "family_name": "Kowalska",
        "date_of_birth": "1982-01-02",
        "nationality": "UA",
        "street": "Khreshchatyk 1",
        "city": "Kyiv",
        "country": "UA",
        "signature": PNG_DATA_URL,
    }
    refused = browser.post(url, body)
    assert refused.status_code == 400
    assert "Required for a guest who is not a Polish citizen." in refused.content.decode()
    assert 'value="Khreshchatyk 1"' in refused.content.decode()
    check_in = browser.post(reverse("desk:visit_transition", args=[stay.pk]), {"to_status": "checked_in"})
    assert check_in.status_code == 400 and "registration card of: Maria Kowalska" in check_in.content.decode()
    body |= {
        "document_type": "passport",
        "document_number": "FA123456",
        "document_issuing_country": "UA",
        "document_expiry": "2031-01-01",
    }
    assert browser.post(url, body).status_code == 302
    assert RegistrationCard.objects.get(guest=guest).signed_at is not None
    assert (
        browser.post(reverse("desk:visit_transition", args=[stay.pk]), {"to_status": "checked_in"}).status_code == 302
    )


def test_a_guest_report_is_written_and_downloaded(login, manager, branch):
    browser = login(manager)
    page = browser.post(reverse("desk:guest_export_run"), {"branch": branch.pk, "day": "2024-06-01"}, follow=True)
    assert "Nothing was sent." in page.content.decode()
    from frontoffice.desk.models import GuestExport

    # The row's id, not 1: PostgreSQL does not restart sequences between tests.
    export = GuestExport.objects.latest("pk")
    download = browser.get(reverse("desk:guest_export_download", args=[export.pk]))
    assert download.status_code == 200 and download.content.decode().startswith("stay_number;room;")


# --- API ----------------------------------------------------------------------------------------


def test_a_policy_is_created_once_however_often_the_request_is_retried(login, clerk, patient, nfz, consultation):
    url = f"/api/v1/desk/clients/{patient.pk}/coverage"
    body = {
        "payer_id": nfz.pk,
        "member_number": "12345671",
        "valid_from": "2024-01-01",
        "copays": [{"visit_type_id": consultation.pk, "amount": "15.00"}],
    }
    browser = login(clerk)
    first = _post_json(browser, url, body, **{"Idempotency-Key": "policy-1"})
    again = _post_json(browser, url, body, **{"Idempotency-Key": "policy-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Coverage.objects.count() == 1
    assert first.json()["copays"] == [{"visit_type_id": consultation.pk, "amount": "15.00"}]
    second = _post_json(browser, url, {**body, "valid_from": "2025-01-01"})
    assert second.status_code == 422 and second.json()["errors"][0]["field"] == "valid_from"


def test_a_stale_policy_update_gets_409(login, clerk, patient, nfz):
    policy = cov.coverage_create(
        client=patient,
        actor=clerk,
        data=cov.CoverageData(payer=nfz, member_number="1", valid_from=date(2024, 1, 1)),
    )
    url = f"/api/v1/desk/coverage/{policy.pk}"
    body = {"payer_id": nfz.pk, "member_number": "2", "valid_from": "2024-01-01", "version": 1}
    browser = login(clerk)
    assert _post_json(browser, url, body, method="put").json()["version"] == 2
    assert _post_json(browser, url, body, method="put").status_code == 409


def test_an_eligibility_check_through_the_api_reports_the_fallback(login, clerk, clinic_visit, patient, nfz):
    cov.coverage_create(
        client=patient,
        actor=clerk,
        data=cov.CoverageData(payer=nfz, member_number="DOWN-5", valid_from=date(2024, 1, 1)),
    )
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{clinic_visit.pk}/eligibility-checks"
    answer = _post_json(browser, url, {})
    assert answer.status_code == 201
    assert answer.json()["billing"] == "self_pay" and answer.json()["self_pay_reason"] == "unavailable"
    assert answer.json()["check"]["result"] == "unavailable"
    listed = browser.get(url).json()
    assert listed["count"] == 1 and EligibilityCheck.objects.count() == 1


def test_a_card_through_the_api_checks_the_fields_by_nationality(login, clerk, stay):
    primary = stay.guests.get()  # the fixture's stay has one guest, whose card exists
    url = f"/api/v1/desk/visits/{stay.pk}/guests/{primary.pk}/registration-card"
    browser = login(clerk)
    card = browser.get(url).json()
    assert card["nationality"] == "PL" and card["signed_at"]
    body = {key: card[key] for key in ("given_name", "family_name", "street", "city", "country")}
    body |= {"date_of_birth": card["date_of_birth"], "nationality": "BY", "version": card["version"]}
    refused = _post_json(browser, url, body, method="put")
    assert refused.status_code == 422
    assert {error["field"] for error in refused.json()["errors"]} >= {"document_number", "document_type"}
    body.pop("version")
    assert _post_json(browser, url, {**body, "signature_png": PNG_DATA_URL}).status_code == 409  # one card per guest
