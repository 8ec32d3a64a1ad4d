"""Intake forms on the pages: the builder, the desk, the client's link, review, PDF and files."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from pypdf import PdfReader

from frontoffice.clients.models import Client
from frontoffice.core.models import AccessLogEntry
from frontoffice.desk.intake import links, services
from frontoffice.desk.models import IntakeForm, IntakeSubmission

from .fixtures_intake import signature_png

pytestmark = pytest.mark.django_db


def answers(**extra):
    return {"q_allergies": "no", "q_signature": signature_png(), **extra}


def token_for(visit):
    return links.make_token(visit_id=visit.pk, form_id=visit.visit_type.intake_form_id)


# --- the builder ---------------------------------------------------------------------------------


def test_a_manager_builds_and_publishes_a_form(login, manager):
    browser = login(manager)
    page = browser.post(reverse("desk:intake_form_create"), {"name": "Karta gościa", "title_en": "Guest card"})
    form = IntakeForm.objects.get(name="Karta gościa")
    assert page.status_code == 302
    add = reverse("desk:intake_field_add", kwargs={"pk": form.pk})
    page = browser.post(
        add, {"label_pl": "Cel", "label_en": "Purpose", "key": "purpose", "kind": "single_choice", "choices_text": ""}
    )
    assert page.status_code == 400 and "Give the options" in page.content.decode()
    assert 'value="Cel"' in page.content.decode()  # typed values stay
    browser.post(
        add,
        {
            "label_pl": "Cel",
            "label_en": "Purpose",
            "key": "purpose",
            "kind": "single_choice",
            "choices_text": "work | Służbowy | Business\nleisure | Turystyczny | Leisure",
        },
    )
    browser.post(
        add,
        {
            "label_pl": "Firma",
            "label_en": "Company",
            "key": "company",
            "kind": "text",
            "show_if_key": "purpose",
            "show_if_value": "work",
        },
    )
    assert browser.post(reverse("desk:intake_publish", kwargs={"pk": form.pk})).status_code == 302
    version = form.versions.get()
    assert not version.is_draft and [f.key for f in version.fields.all()] == ["purpose", "company"]
    page = browser.get(reverse("desk:intake_version_detail", kwargs={"pk": form.pk, "number": 1}))
    assert 'data-show-if-key="purpose" data-show-if-value="work"' in page.content.decode()


def test_the_visit_type_form_offers_only_the_organisations_forms(login, manager, consultation, intake_form):
    from frontoffice.desk.intake.services import intake_form_create

    intake_form_create(organisation=IntakeForm.objects.get().organisation, actor=manager, name="Druga ankieta")
    page = login(manager).get(reverse("desk:visit_type_edit", kwargs={"pk": consultation.pk}))
    html = page.content.decode()
    assert "Ankieta przed wizytą" in html and "Druga ankieta" in html


# --- the visit page and the desk -----------------------------------------------------------------


def test_the_visit_page_says_the_form_is_to_fill_then_filled_then_accepted(login, clerk, intake_visit):
    browser = login(clerk)
    detail = reverse("desk:visit_detail", kwargs={"pk": intake_visit.pk})
    assert "to fill" in browser.get(detail).content.decode()
    page = browser.post(reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk}), answers())
    assert page.status_code == 302
    assert "filled, to review" in browser.get(detail).content.decode()
    browser.post(reverse("desk:visit_intake_accept", kwargs={"pk": intake_visit.pk}), {})
    assert "accepted" in browser.get(detail).content.decode()


def test_filling_at_the_desk_keeps_typed_values_on_error(login, clerk, intake_visit):
    page = login(clerk).post(
        reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk}),
        {"q_allergies": "yes", "q_city": "Gdańsk", "q_signature": signature_png()},
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert 'value="Gdańsk"' in html and "This field is required." in html
    assert not IntakeSubmission.objects.exists()


def test_a_double_submit_at_the_desk_makes_one_submission(login, clerk, intake_visit):
    browser = login(clerk)
    url = reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk})
    browser.post(url, answers())
    browser.post(url, answers())
    assert IntakeSubmission.objects.filter(visit=intake_visit).count() == 1


def test_the_review_highlights_differences_side_by_side_and_needs_a_choice(login, clerk, intake_visit, patient):
    browser = login(clerk)
    browser.post(
        reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk}),
        answers(q_phone="601 111 222", q_city="Kraków"),
    )
    page = browser.get(reverse("desk:visit_intake", kwargs={"pk": intake_visit.pk}))
    html = page.content.decode()
    assert html.count("diff-row--differs") == 2
    assert "+48600200300" in html and "601 111 222" in html  # on file, and in the form
    assert 'name="choice_phone"' in html and "checked" not in html.split("intake-differences")[1].split("</table>")[0]
    # accepting without choosing is refused and nothing changes
    page = browser.post(reverse("desk:visit_intake_accept", kwargs={"pk": intake_visit.pk}), {})
    assert page.status_code == 400 and "Choose whether to update the client" in page.content.decode()
    assert IntakeSubmission.objects.get().status == "filled"
    page = browser.post(
        reverse("desk:visit_intake_accept", kwargs={"pk": intake_visit.pk}),
        {"choice_phone": "keep", "choice_city": "update"},
    )
    assert page.status_code == 302
    patient.refresh_from_db()
    assert list(patient.contacts.values_list("value", flat=True)) == ["+48600200300"]
    assert patient.addresses.get().city == "Kraków"


def test_reading_a_submission_is_access_logged(login, clerk, intake_visit):
    browser = login(clerk)
    browser.post(reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk}), answers())
    browser.get(reverse("desk:visit_intake", kwargs={"pk": intake_visit.pk}))
    entry = AccessLogEntry.objects.get()
    assert entry.user == clerk and entry.target_id == str(IntakeSubmission.objects.get().pk)


def test_the_pdf_has_the_answers_and_the_signature(login, clerk, intake_visit):
    browser = login(clerk)
    browser.post(
        reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk}),
        answers(q_allergies="yes", q_allergy_list="Penicylina", q_smoker="past"),
    )
    response = browser.get(reverse("desk:visit_intake_pdf", kwargs={"pk": intake_visit.pk}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Penicylina" in text and "In the past" in text and intake_visit.number in text
    assert any(page.images for page in reader.pages)  # the drawn signature
    assert AccessLogEntry.objects.filter(purpose="intake form PDF").count() == 1


# --- files ---------------------------------------------------------------------------------------


def _with_file_field(manager, intake_form):
    from frontoffice.desk.intake.services import FieldData

    draft = services.intake_draft_start(form=intake_form, actor=manager)
    services.intake_field_add(
        version=draft,
        actor=manager,
        data=FieldData(key="referral", kind="file", label_pl="Skierowanie", label_en="Referral"),
    )
    services.intake_version_publish(version=draft, actor=manager)


def test_an_uploaded_file_is_checked_stored_privately_and_served_to_permitted_users(
    login, clerk, manager, intake_form, intake_visit, intake_storage, client, outsider_branch
):
    _with_file_field(manager, intake_form)
    browser = login(clerk)
    url = reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk})
    fake = SimpleUploadedFile("skierowanie.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    page = browser.post(url, {**answers(), "q_referral": fake})
    assert page.status_code == 400 and "its contents were checked" in page.content.decode()
    pdf = SimpleUploadedFile("skierowanie.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    assert browser.post(url, {**answers(), "q_referral": pdf}).status_code == 302
    attachment = IntakeSubmission.objects.get().attachments.get(field_key="referral")
    assert intake_storage.exists(attachment.file.name) and "skierowanie" not in attachment.file.name
    file_url = reverse("desk:visit_intake_file", kwargs={"pk": intake_visit.pk, "key": "referral"})
    response = browser.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert AccessLogEntry.objects.filter(purpose="intake file referral").count() == 1
    browser.logout()
    assert browser.get(file_url).status_code == 302  # to the login page
    browser.force_login(outsider_branch)
    assert browser.get(file_url).status_code == 404


def test_a_too_large_file_is_refused(login, clerk, manager, intake_form, intake_visit, settings):
    _with_file_field(manager, intake_form)
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    page = login(clerk).post(
        reverse("desk:visit_intake_fill", kwargs={"pk": intake_visit.pk}), {**answers(), "q_referral": big}
    )
    assert page.status_code == 400 and "the largest allowed is 1 MB" in page.content.decode()


# --- the client's link ---------------------------------------------------------------------------


def test_the_clerk_gets_a_link_and_the_client_fills_the_form_without_signing_in(login, clerk, intake_visit):
    Client.objects.filter(pk=intake_visit.client_id).update(preferred_language="en")
    page = login(clerk).post(reverse("desk:visit_intake_link", kwargs={"pk": intake_visit.pk}), {"send": ""})
    url = page.context["url"]
    assert "/desk/intake/" in url
    anonymous = Browser()
    form_page = anonymous.get(url)
    assert form_page.status_code == 200 and "Any allergies?" in form_page.content.decode()
    assert 'name="viewport"' in form_page.content.decode()
    assert anonymous.post(url, answers(q_weight="72")).status_code == 302
    submission = IntakeSubmission.objects.get()
    assert submission.source == "link" and submission.filled_by is None and submission.answers["weight"] == "72"
    done = anonymous.get(url)
    # The page's random CSP nonce may hold any digits: only the page's own text must not show the answer.
    html = re.sub(r'nonce="[^"]*"', "", done.content.decode())
    assert "Thank you" in html and "72" not in html


def test_the_link_page_speaks_the_clients_language(intake_visit):
    Client.objects.filter(pk=intake_visit.client_id).update(preferred_language="pl")
    page = Browser().get(reverse("desk:intake_public", kwargs={"token": token_for(intake_visit)}))
    html = page.content.decode()
    assert '<html lang="pl">' in html and "Czy ma Pan/Pani alergie?" in html and "Tak" in html


def test_the_link_can_send_the_form_by_sms(login, clerk, intake_visit):
    from frontoffice.core.models import OutboundMessage

    login(clerk).post(reverse("desk:visit_intake_link", kwargs={"pk": intake_visit.pk}), {"send": "sms"})
    message = OutboundMessage.objects.get()
    assert message.recipient == "+48600200300" and "/desk/intake/" in message.body


def test_an_expired_link_gets_a_friendly_page_in_the_clients_language_and_no_data(intake_visit, monkeypatch):
    Client.objects.filter(pk=intake_visit.client_id).update(preferred_language="pl")
    token = token_for(intake_visit)
    monkeypatch.setattr(links, "LINK_MAX_AGE", timedelta(seconds=-1))  # made long ago, in effect
    page = Browser().get(reverse("desk:intake_public", kwargs={"token": token}))
    html = page.content.decode()
    assert page.status_code == 410
    assert "Ten link wygasł" in html and '<html lang="pl">' in html
    assert "Kowalski" not in html and "alergie" not in html


@pytest.mark.parametrize("tamper", ["flip", "cut", "garbage", "other-visit"])
def test_a_tampered_link_gets_a_friendly_page_and_no_data(intake_visit, tamper):
    token = token_for(intake_visit)
    if tamper == "flip":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif tamper == "cut":
        token = token[:-5]
    elif tamper == "garbage":
        token = "not-a-token"
    else:  # the payload of another visit with this visit's signature
        other = links.make_token(visit_id=intake_visit.pk + 1, form_id=intake_visit.visit_type.intake_form_id)
        token = other.split(":")[0] + ":" + ":".join(token.split(":")[1:])
    browser = Browser()
    for method in (browser.get, browser.post):
        page = method(reverse("desk:intake_public", kwargs={"token": token}), answers())
        html = page.content.decode()
        assert page.status_code == 404
        assert "This link does not work" in html and "Kowalski" not in html and "allergies" not in html
    assert not IntakeSubmission.objects.exists()


def test_a_link_stops_working_when_the_visit_is_cancelled(clerk, intake_visit):
    from frontoffice.desk import services as desk_services

    token = token_for(intake_visit)
    desk_services.visit_transition(visit=intake_visit, to_status="cancelled", actor=clerk, reason="Choroba")
    page = Browser().get(reverse("desk:intake_public", kwargs={"token": token}))
    assert page.status_code == 410 and "no longer needed" in page.content.decode()


def test_the_public_page_loads_its_script_with_the_csp_nonce_and_no_inline_script(intake_visit):
    page = Browser().get(reverse("desk:intake_public", kwargs={"token": token_for(intake_visit)}))
    html = page.content.decode()
    assert "/static/js/intake.js" in html and 'nonce="' in html
    assert "<script>" not in html and "style=" not in html
    assert "'nonce-" in page["Content-Security-Policy"]
