"""Erasing a client removes the desk's files about the person and anonymises their registration cards,
intake answers and document entries, in the erasure's transaction; other clients' records stay as they were."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontoffice.clients.privacy import client_erase
from frontoffice.core.files import private_storage
from frontoffice.core.models import AuditEntry
from frontoffice.desk import services_coverage, services_documents
from frontoffice.desk.intake import services as intake_services
from frontoffice.desk.models import Coverage, Document, IntakeAttachment, IntakeSubmission, RegistrationCard
from frontoffice.desk.services_coverage import CoverageData
from frontoffice.desk.services_registration import registration_card_save

from .cards import PNG, polish_card
from .fixtures_intake import signature_png

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
CARD_IMAGE = b"\x89PNG\r\n\x1a\n" + b"\x02" * 64


def _on_disk(name: str) -> bool:
    return bool(name) and (Path(private_storage().location) / name).is_file()


def _desk_records(client, branch, clerk, payer):
    """An ID scan, a policy with both card images, a signed registration card and a filled intake form."""
    document, _created = services_documents.document_upload(
        actor=clerk,
        file=SimpleUploadedFile(f"dowód {client.family_name}.pdf", PDF),
        kind="id_scan",
        title=f"Dowód osobisty {client.given_name} {client.family_name}",
        client=client,
        branch=branch,
    )
    coverage = services_coverage.coverage_create(
        client=client,
        actor=clerk,
        data=CoverageData(payer=payer, member_number=f"MC-{client.pk}", valid_from=date(2024, 1, 1)),
        card_front=SimpleUploadedFile("front.png", CARD_IMAGE),
        card_back=SimpleUploadedFile("back.png", CARD_IMAGE),
    )
    return document, coverage


@pytest.fixture
def payer(organisation, manager):
    return services_coverage.payer_create(organisation=organisation, actor=manager, name="Medicover")


@pytest.fixture
def world(patient, second_guest, branch, clerk, payer, stay, intake_visit, django_capture_on_commit_callbacks):
    """Jan (``patient``) and Maria (``second_guest``) each have a scan, a policy with card images and a signed
    card on the same stay; Jan has a filled intake form with a drawn signature."""
    from frontoffice.desk import services

    with django_capture_on_commit_callbacks(execute=True):
        jan = _desk_records(patient, branch, clerk, payer)
        maria = _desk_records(second_guest, branch, clerk, payer)
        guest = services.visit_guest_add(visit=stay, actor=clerk, client=second_guest)
        registration_card_save(
            guest=guest, actor=clerk, data=polish_card(given_name="Maria", family_name="Kowalska"), signature_png=PNG
        )
        intake_services.intake_submission_save(
            visit=intake_visit,
            actor=clerk,
            raw={
                "allergies": "yes",
                "allergy_list": "Penicylina",
                "phone": "601 111 222",
                "signature": signature_png(),
            },
        )
    return {"jan": jan, "maria": maria}


def test_erasing_a_client_deletes_their_desk_files_and_anonymises_their_records(
    world, patient, second_guest, manager, intake_visit, django_capture_on_commit_callbacks
):
    # given Jan's files are on disk
    (document, coverage) = world["jan"]
    attachment = IntakeAttachment.objects.get(submission__visit=intake_visit)
    files = [document.file.name, coverage.card_front.name, coverage.card_back.name, attachment.file.name]
    assert all(_on_disk(name) for name in files)
    maria_document, maria_coverage = world["maria"]
    maria_card = RegistrationCard.objects.get(guest__client=second_guest)
    maria_before = (maria_card.given_name, maria_card.street, bytes(maria_card.signature_png))
    # when Jan is erased
    with django_capture_on_commit_callbacks(execute=True):
        client_erase(client=patient, actor=manager, reason="Written request of 3 May")
    # then his files are gone from the private storage
    assert not any(_on_disk(name) for name in files)
    # and the fields that named them are cleared
    document.refresh_from_db()
    coverage.refresh_from_db()
    assert (document.file.name, document.original_name, document.sha256) == ("", "", "")
    assert document.kind == "id_scan" and document.client_id == patient.pk  # the entry stays
    assert "Kowalski" not in document.title
    assert not Document.history.filter(id=document.pk).exists()
    assert (coverage.card_front.name, coverage.card_back.name) == ("", "")
    assert not Coverage.history.filter(id=coverage.pk).exclude(card_front="").exists()
    # and his registration card keeps only the country codes and the document type
    card = RegistrationCard.objects.get(guest__client=patient)
    assert (card.given_name, card.family_name, card.date_of_birth, card.street, card.city) == ("", "", None, "", "")
    assert (card.document_number, card.signature_png, card.nationality) == ("", None, "PL")
    assert not RegistrationCard.history.filter(id=card.pk).exists()
    # and his intake form answers nothing and has no files
    submission = IntakeSubmission.objects.get(visit=intake_visit)
    assert submission.answers == {} and not submission.attachments.exists()
    # and the audit entry counts what the desk erased, naming nothing
    entry = AuditEntry.objects.get(action="client.erase")
    assert entry.data["erased"]["desk"] == {
        "documents": 1,
        "coverage_cards": 1,
        "registration_cards": 1,
        "intake_forms": 1,
        "intake_files": 1,
    }
    # and Maria's records and files are untouched
    maria_document.refresh_from_db()
    maria_coverage.refresh_from_db()
    maria_card.refresh_from_db()
    assert _on_disk(maria_document.file.name) and maria_document.original_name == "dowód Kowalska.pdf"
    assert maria_document.title == "Dowód osobisty Maria Kowalska"
    assert _on_disk(maria_coverage.card_front.name) and _on_disk(maria_coverage.card_back.name)
    assert (maria_card.given_name, maria_card.street, bytes(maria_card.signature_png)) == maria_before
    assert Document.history.filter(id=maria_document.pk).exists()


def test_a_failed_erasure_keeps_every_file_and_field(
    world, patient, manager, monkeypatch, django_capture_on_commit_callbacks
):
    # given the erasure fails after the desk's hook ran (its audit entry cannot be written)
    (document, coverage) = world["jan"]
    from frontoffice.clients import privacy

    def broken_audit(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(privacy, "audit", broken_audit)
    # when the erasure is attempted
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        client_erase(client=patient, actor=manager, reason="Request")
    # then nothing was deleted: not the files, not the fields, not the card
    assert callbacks == []
    document.refresh_from_db()
    coverage.refresh_from_db()
    assert _on_disk(document.file.name) and _on_disk(coverage.card_front.name)
    assert RegistrationCard.objects.get(guest__client=patient).given_name == "Jan"
    assert IntakeSubmission.objects.get(visit__client=patient).answers["allergy_list"] == "Penicylina"


def test_erasing_a_client_without_desk_records_records_nothing_for_the_desk(organisation, clerk, manager, branch):
    from frontoffice.clients.services import ClientData, client_create

    client = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Ewa", family_name="Nowak"), branch=branch
    )
    client_erase(client=client, actor=manager, reason="Request")
    assert "erased" not in AuditEntry.objects.get(action="client.erase").data
