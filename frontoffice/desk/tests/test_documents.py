"""Documents: upload checked by content and size, private storage, permission-checked and access-logged serving,
soft delete, merge, API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frontoffice.clients.merging import client_merge, client_unmerge
from frontoffice.clients.services import ClientData, client_create
from frontoffice.core.models import AccessLogEntry, AuditEntry
from frontoffice.desk import services_documents, services_handover
from frontoffice.desk.models import Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64


def _file(name="skan.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _accesses(document):
    return list(AccessLogEntry.objects.filter(target_id=str(document.pk)).values_list("purpose", flat=True))


@pytest.fixture
def id_scan(clerk, branch, patient):
    document, _created = services_documents.document_upload(
        actor=clerk, file=_file("dowód Kowalski.pdf"), kind="id_scan", client=patient, branch=branch
    )
    return document


@pytest.fixture
def consent(clerk, clinic_visit):
    document, _created = services_documents.document_upload(
        actor=clerk, file=_file("zgoda.png", PNG), kind="consent", title="Zgoda RODO", visit=clinic_visit
    )
    return document


# --- upload -------------------------------------------------------------------------------------------


def test_a_clerk_uploads_a_scan_on_the_visit_page_and_it_is_stored_privately(login, clerk, clinic_visit):
    browser = login(clerk)
    page = browser.get(reverse("desk:visit_detail", kwargs={"pk": clinic_visit.pk})).content.decode()
    assert reverse("desk:visit_documents", kwargs={"pk": clinic_visit.pk}) in page  # the "Documents" button

    response = browser.post(
        reverse("desk:visit_documents", kwargs={"pk": clinic_visit.pk}),
        {"kind": "insurance_card", "title": "Karta ubezpieczenia", "file": _file("karta.jpg.pdf")},
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.client, document.visit, document.branch) == (
        clinic_visit.client,
        clinic_visit,
        clinic_visit.branch,
    )
    assert document.content_type == "application/pdf" and document.original_name == "karta.jpg.pdf"
    stored = Path(document.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT)) and stored.read_bytes() == PDF
    assert "karta" not in stored.name and stored.suffix == ".pdf"
    assert AuditEntry.objects.filter(action="document.upload", target_id=str(document.pk)).exists()


def test_a_program_disguised_as_a_pdf_is_refused_and_the_form_keeps_the_typed_values(login, clerk, patient):
    response = login(clerk).post(
        reverse("desk:client_documents", kwargs={"pk": patient.pk}),
        {"kind": "consent", "title": "Zgoda na leczenie", "file": _file("zgoda.pdf", PROGRAM)},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "its contents were checked, not only its name" in html
    assert 'value="Zgoda na leczenie"' in html and '<option value="consent" selected>' in html
    assert not Document.objects.exists()
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not [path for path in root.rglob("*") if path.is_file() and path.read_bytes() == PROGRAM]


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(login, clerk, patient, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = _file("duzy.pdf", PDF + b"\x00" * (3 * 1024 * 1024))
    response = login(clerk).post(
        reverse("desk:client_documents", kwargs={"pk": patient.pk}), {"kind": "other", "file": big}
    )
    assert response.status_code == 400
    assert "The file is 3 MB; the largest allowed is 1 MB." in response.content.decode()
    assert not Document.objects.exists()


def test_the_messages_are_polish_for_a_polish_clerk(login, clerk, patient):
    clerk.language = "pl"
    clerk.save()
    response = login(clerk).post(
        reverse("desk:client_documents", kwargs={"pk": patient.pk}), {"kind": "other", "file": _file("a.pdf", PROGRAM)}
    )
    assert "sprawdzono jego zawartość" in response.content.decode()


def test_a_double_submitted_upload_keeps_one_document(clerk, branch, patient):
    first, created = services_documents.document_upload(
        actor=clerk, file=_file(), kind="id_scan", client=patient, branch=branch
    )
    again, created_again = services_documents.document_upload(
        actor=clerk, file=_file(), kind="id_scan", client=patient, branch=branch
    )
    assert (created, created_again) == (True, False) and first == again
    assert Document.objects.count() == 1


# --- serving --------------------------------------------------------------------------------------------


def test_viewing_and_downloading_are_access_logged_and_served_safely(login, clerk, id_scan):
    browser = login(clerk)

    shown = browser.get(reverse("desk:document_view", kwargs={"pk": id_scan.pk}))
    saved = browser.get(reverse("desk:document_download", kwargs={"pk": id_scan.pk}))

    assert shown["Content-Disposition"].startswith("inline")
    assert saved["Content-Disposition"].startswith("attachment") and "Kowalski.pdf" in saved["Content-Disposition"]
    for response in (shown, saved):
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF
    assert sorted(_accesses(id_scan)) == ["document.download", "document.view"]
    assert AccessLogEntry.objects.filter(target_id=str(id_scan.pk), user=clerk).count() == 2


def test_others_are_refused_and_nothing_is_logged_for_them(
    login, consent, executive, guard, outsider_branch, outsider_org
):
    url = reverse("desk:document_download", kwargs={"pk": consent.pk})
    assert login(executive).get(url).status_code == 403  # oversees visits, does not open identity scans
    assert login(guard).get(url).status_code == 403
    assert login(outsider_branch).get(url).status_code == 404  # the visit is at another branch
    assert login(outsider_org).get(url).status_code == 404
    assert _accesses(consent) == []


def test_a_clients_own_document_follows_the_organisation_wide_client(login, id_scan, outsider_branch, outsider_org):
    url = reverse("desk:document_download", kwargs={"pk": id_scan.pk})
    assert login(outsider_branch).get(url).status_code == 200
    assert login(outsider_org).get(url).status_code == 404


def test_a_removed_document_is_hidden_and_not_served_but_kept(login, clerk, consent, clinic_visit):
    browser = login(clerk)
    response = browser.post(reverse("desk:document_delete", kwargs={"pk": consent.pk}), {"reason": "Zły plik"})
    assert response["Location"] == reverse("desk:visit_documents", kwargs={"pk": clinic_visit.pk})

    consent.refresh_from_db()
    assert consent.deleted_by == clerk and consent.delete_reason == "Zły plik"
    assert Path(consent.file.path).exists()
    entry = AuditEntry.objects.get(action="document.delete", target_id=str(consent.pk))
    assert entry.data["reason"] == "Zły plik"
    assert browser.get(reverse("desk:document_download", kwargs={"pk": consent.pk})).status_code == 404
    assert (
        "Zgoda RODO"
        not in browser.get(reverse("desk:visit_documents", kwargs={"pk": clinic_visit.pk})).content.decode()
    )


def test_the_client_page_lists_the_clients_documents(login, clerk, id_scan, consent, patient):
    page = login(clerk).get(reverse("clients:client_detail", kwargs={"pk": patient.pk})).content.decode()
    assert "Documents" in page and id_scan.title in page and "Zgoda RODO" in page
    assert reverse("desk:document_view", kwargs={"pk": id_scan.pk}) in page


def test_the_client_page_shows_no_documents_to_an_executive(login, executive, id_scan, patient):
    page = login(executive).get(reverse("clients:client_detail", kwargs={"pk": patient.pk})).content.decode()
    assert id_scan.title not in page


# --- merging --------------------------------------------------------------------------------------------


def test_merging_clients_moves_their_documents_and_mentions_and_unmerging_moves_them_back(
    manager, clerk, branch, organisation, patient, id_scan
):
    duplicate = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Jan", family_name="Kowalski")
    )
    scan, _created = services_documents.document_upload(
        actor=clerk, file=_file("b.png", PNG), kind="id_scan", client=duplicate, branch=branch
    )
    handover = services_handover.handover_create(
        branch=branch, actor=clerk, items=[services_handover.ItemData(text="Oddzwonić", client=duplicate)]
    )

    merge = client_merge(survivor=patient, merged=duplicate, actor=manager, field_choices={})
    scan.refresh_from_db()
    item = handover.items.get()
    assert scan.client == patient and item.client == patient

    client_unmerge(merge=merge, actor=manager)
    scan.refresh_from_db()
    item.refresh_from_db()
    assert scan.client == duplicate and item.client == duplicate
    id_scan.refresh_from_db()
    assert id_scan.client == patient


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_uploads_once_per_key_lists_downloads_and_removes(login, clerk, clinic_visit):
    browser = login(clerk)
    upload = {"file": _file("wynik.pdf"), "kind": "other", "title": "Wynik", "visit_id": clinic_visit.pk}

    created = browser.post("/api/v1/desk/documents", upload, headers={"Idempotency-Key": "doc-1"})
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    assert created.json()["content_type"] == "application/pdf"

    listed = browser.get(f"/api/v1/desk/documents?visit_id={clinic_visit.pk}").json()
    assert [row["id"] for row in listed["items"]] == [document_id]

    download = browser.get(f"/api/v1/desk/documents/{document_id}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert _accesses(Document.objects.get(pk=document_id)) == ["document.download"]

    removed = browser.delete(f"/api/v1/desk/documents/{document_id}?reason=Duplikat")
    assert removed.status_code == 204
    assert browser.get(f"/api/v1/desk/documents/{document_id}").status_code == 404


def test_the_api_refuses_a_disguised_file_with_a_field_error(login, clerk, patient, branch):
    response = login(clerk).post(
        "/api/v1/desk/documents",
        {"file": _file("a.pdf", PROGRAM), "kind": "id_scan", "client_id": patient.pk, "branch_id": branch.pk},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert not Document.objects.exists()


def test_the_api_names_the_missing_branch_of_a_clients_document(login, clerk, patient):
    response = login(clerk).post(
        "/api/v1/desk/documents", {"file": _file(), "kind": "id_scan", "client_id": patient.pk}
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["branch_id"]
