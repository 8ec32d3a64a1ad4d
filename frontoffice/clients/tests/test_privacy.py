"""Data-subject rights: export of everything held on a client, erasure as anonymisation, retention."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from stdnum.pl import pesel

from frontoffice.clients import privacy
from frontoffice.clients.models import (
    Client,
    ClientContact,
    ClientIdentifier,
    ClientRelationship,
    ClientSettings,
    Consent,
    Merge,
)
from frontoffice.clients.privacy import AlreadyErased, client_data_export, client_erase, retention_apply
from frontoffice.clients.registry import ClientLink, client_links
from frontoffice.clients.selectors import client_get, client_queryset
from frontoffice.clients.services import AddressData, ClientData, IdentifierData, client_create, consent_give
from frontoffice.clients.tasks import apply_retention
from frontoffice.core.models import AccessLogEntry, AuditEntry


def valid_pesel(stem: str = "8005121234") -> str:
    return stem + pesel.calc_check_digit(stem)


@pytest.fixture
def zofia(organisation, branch, clerk):
    client = client_create(
        organisation=organisation,
        actor=clerk,
        branch=branch,
        data=ClientData(
            given_name="Zofia",
            family_name="Żółw",
            notes="Prefers mornings",
            phones=["600100200"],
            emails=["zofia@example.com"],
            identifiers=[IdentifierData("pesel", valid_pesel())],
            addresses=[AddressData(street="Długa 1", city="Kraków", postal_code="30-001")],
        ),
    )
    consent_give(client=client, actor=clerk, purpose="processing", method="paper", note="signed at desk")
    return client


@pytest.fixture
def jan(organisation, clerk, zofia):
    client = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Jan", family_name="Nowak")
    )
    # Jan's emergency contact is Zofia: his record, pointing at her.
    ClientRelationship.objects.create(client=client, kind="emergency", related_client=zofia)
    return client


def audit_of(client):
    return AuditEntry.objects.filter(target_type=ContentType.objects.get_for_model(Client), target_id=str(client.pk))


# --- export ----------------------------------------------------------------------------------


def test_export_holds_every_record_about_the_client_and_is_logged(zofia, jan, manager):
    data = client_data_export(client=zofia, actor=manager)
    assert data["client"]["family_name"] == "Żółw"
    linked = data["linked_records"]
    assert linked["clients.ClientIdentifier"][0]["value"] == valid_pesel()
    assert {row["value"] for row in linked["clients.ClientContact"]} == {"+48600100200", "zofia@example.com"}
    assert linked["clients.ClientAddress"][0]["city"] == "Kraków"
    assert linked["clients.ClientRelationship"][0]["client"] == jan.pk  # where she is someone's contact
    assert data["consents"][0]["purpose"] == "processing"
    assert data["consent_history"] and data["client_history"]
    assert [entry["action"] for entry in data["audit_entries"]] == ["client.create", "client.consent_give"]
    # And taking the copy is itself in the access log
    assert AccessLogEntry.objects.filter(target_id=str(zofia.pk), user=manager).count() == 1
    assert json.loads(privacy.export_json(data))["client"]["number"] == zofia.number


def test_export_includes_models_other_apps_register(zofia, jan, manager, monkeypatch):
    Merge.objects.create(organisation=zofia.organisation, survivor=zofia, merged=jan)
    monkeypatch.setattr(privacy, "client_links", lambda: [*client_links(), ClientLink("clients.Merge", "survivor")])
    data = client_data_export(client=zofia, actor=manager)
    assert data["linked_records"]["clients.Merge"][0]["merged"] == jan.pk


def test_manager_reads_the_printable_page_and_downloads_the_json(login, manager, zofia):
    browser = login(manager)
    page = browser.get(reverse("clients:client_data", args=[zofia.pk]))
    assert page.status_code == 200 and "Żółw" in page.content.decode()
    download = browser.get(reverse("clients:client_data_json", args=[zofia.pk]))
    assert json.loads(download.content)["client"]["given_name"] == "Zofia"
    assert AccessLogEntry.objects.filter(target_id=str(zofia.pk)).count() == 2


def test_clerk_cannot_export_a_clients_data(login, clerk, zofia):
    assert login(clerk).get(reverse("clients:client_data", args=[zofia.pk])).status_code == 403


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_printable_page_labels_fields_and_names_staff_and_choices(login, manager, clerk, zofia):
    html = login(manager).get(reverse("clients:client_data", args=[zofia.pk])).content.decode()
    assert '<th scope="row">Family name</th><td>Żółw</td>' in html
    assert f'<th scope="row">Recorded by</th><td>{clerk.get_full_name()}</td>' in html
    assert '<th scope="row">Purpose</th><td>Processing of personal data</td>' in html
    assert reverse("clients:client_data_pdf", args=[zofia.pk]) in html


def test_manager_downloads_the_data_as_a_pdf_and_the_reading_is_logged(login, manager, zofia, jan):
    # when
    response = login(manager).get(reverse("clients:client_data_pdf", args=[zofia.pk]))
    # then it is a PDF named after the client, holding her data with the Polish letters intact
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="client-{zofia.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert f"Data held on Zofia Żółw ({zofia.number})" in text
    assert "Długa 1" in text and "Kraków" in text and "zofia@example.com" in text
    assert "Processing of personal data" in text
    assert jan.number in text  # she is his emergency contact: his record is named by number
    entry = AccessLogEntry.objects.get(target_id=str(zofia.pk))
    assert (entry.user, entry.purpose, entry.path) == (
        manager,
        "data-subject export",
        reverse("clients:client_data_pdf", args=[zofia.pk]),
    )


def test_the_pdf_speaks_polish_to_a_polish_user(login, manager, zofia):
    manager.language = "pl"
    manager.save(update_fields=["language"])
    text = pdf_text(login(manager).get(reverse("clients:client_data_pdf", args=[zofia.pk])).content)
    assert f"Dane przechowywane o kliencie: Zofia Żółw ({zofia.number})" in text
    assert "Nazwisko" in text and "Żółw" in text


def test_only_managers_and_administrators_of_the_organisation_get_the_pdf(
    login, clerk, executive, outsider_org, zofia, client
):
    url = reverse("clients:client_data_pdf", args=[zofia.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert login(clerk).get(url).status_code == 403
    assert login(executive).get(url).status_code == 403
    assert login(outsider_org).get(url).status_code == 404
    assert not AccessLogEntry.objects.filter(target_id=str(zofia.pk)).exists()


def test_api_export_returns_json(login, admin, zofia):
    response = login(admin).get(f"/api/v1/clients/{zofia.pk}/export")
    assert response.status_code == 200
    assert response.json()["client"]["number"] == zofia.number


def test_api_export_gives_a_pdf_when_asked_by_parameter_or_accept_header(login, admin, zofia):
    browser = login(admin)
    by_parameter = browser.get(f"/api/v1/clients/{zofia.pk}/export", {"format": "pdf"})
    assert by_parameter.status_code == 200 and by_parameter["Content-Type"] == "application/pdf"
    assert "Zofia Żółw" in pdf_text(by_parameter.content)
    by_header = browser.get(f"/api/v1/clients/{zofia.pk}/export", headers={"Accept": "application/pdf"})
    assert by_header.content.startswith(b"%PDF")
    assert browser.get(f"/api/v1/clients/{zofia.pk}/export", headers={"Accept": "*/*"}).json()["client"]
    assert AccessLogEntry.objects.filter(target_id=str(zofia.pk), user=admin).count() == 3


def test_api_pdf_export_is_refused_to_a_clerk_and_to_another_organisation(login, clerk, outsider_org, zofia):
    url = f"/api/v1/clients/{zofia.pk}/export?format=pdf"
    assert login(clerk).get(url).status_code == 403
    assert login(outsider_org).get(url).status_code == 404
    assert login(outsider_org).get(f"/api/v1/clients/{zofia.pk}/export?format=doc").status_code in (400, 422)
    assert not AccessLogEntry.objects.filter(target_id=str(zofia.pk)).exists()


# --- erasure ---------------------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_keeps_the_number_and_linked_records(zofia, jan, manager):
    number = zofia.number
    # When the manager erases Zofia
    client_erase(client=zofia, actor=manager, reason="Written request of 3 May")
    zofia.refresh_from_db()
    # Then the row and number remain, without anything that identifies her
    assert zofia.number == number and zofia.erased_at is not None
    assert (zofia.given_name, zofia.family_name, zofia.notes, zofia.date_of_birth) == ("", "", "", None)
    assert (zofia.search_name, zofia.search_phones, zofia.search_emails) == ("", "", "")
    assert not ClientIdentifier.objects.filter(client=zofia).exists()
    assert not ClientContact.objects.filter(client=zofia).exists()
    assert not zofia.addresses.exists()
    # And the history that would still hold her data is gone
    assert not Client.history.filter(id=zofia.pk).exists()
    assert not ClientIdentifier.history.filter(client_id=zofia.pk).exists()
    assert not ClientContact.history.filter(client_id=zofia.pk).exists()
    # And records tied to her stay: her consent (without its note), Jan's emergency contact pointing at her
    consent = Consent.objects.get(client=zofia)
    assert consent.note == "" and not Consent.history.filter(client_id=zofia.pk).exclude(note="").exists()
    assert ClientRelationship.objects.get(client=jan).related_client_id == zofia.pk
    # And the audit log says who and why, and no longer names her
    erase = audit_of(zofia).get(action="client.erase")
    assert erase.actor == manager and erase.data == {"reason": "Written request of 3 May"}
    assert not audit_of(zofia).filter(summary__contains="Żółw").exists()


def test_an_erased_client_leaves_search_but_staff_can_open_it_by_id(zofia, manager):
    client_erase(client=zofia, actor=manager, reason="Request")
    assert not client_queryset(user=manager).filter(pk=zofia.pk).exists()
    assert client_get(user=manager, pk=zofia.pk).erased_at is not None


def test_erasing_twice_is_refused_and_a_reason_is_required(zofia, manager):
    with pytest.raises(ValidationError):
        client_erase(client=zofia, actor=manager, reason="  ")
    client_erase(client=zofia, actor=manager, reason="Request")
    with pytest.raises(AlreadyErased):
        client_erase(client=zofia, actor=manager, reason="Again")


def test_manager_erases_through_the_page(login, manager, zofia):
    browser = login(manager)
    refused = browser.post(reverse("clients:client_erase", args=[zofia.pk]), {"reason": ""})
    assert refused.status_code == 400
    response = browser.post(reverse("clients:client_erase", args=[zofia.pk]), {"reason": "Request"}, follow=True)
    assert response.status_code == 200
    assert f"Erased client {zofia.number}" in response.content.decode()
    again = browser.post(reverse("clients:client_erase", args=[zofia.pk]), {"reason": "Again"})
    assert again.status_code == 409


def test_api_erase_then_409(login, admin, zofia):
    browser = login(admin)
    url = f"/api/v1/clients/{zofia.pk}/erase"
    first = browser.post(url, {"reason": "Request"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["number"] == zofia.number
    second = browser.post(url, {"reason": "Request"}, content_type="application/json")
    assert second.status_code == 409


def test_outsider_cannot_erase_another_organisations_client(login, outsider_org, zofia):
    response = login(outsider_org).post(
        f"/api/v1/clients/{zofia.pk}/erase", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    zofia.refresh_from_db()
    assert zofia.erased_at is None


# --- retention -------------------------------------------------------------------------------


@pytest.fixture
def stale_and_fresh(organisation, zofia, jan):
    ClientSettings.objects.create(organisation=organisation, retention_years=5)
    Client.objects.filter(pk=zofia.pk).update(updated_at=timezone.now() - timedelta(days=6 * 366))
    return zofia, jan


def test_retention_dry_run_lists_and_real_run_erases_only_stale_clients(organisation, stale_and_fresh):
    zofia, jan = stale_and_fresh
    dry = retention_apply(organisation=organisation, dry_run=True)
    assert [client.pk for client in dry.due] == [zofia.pk] and dry.erased == 0
    assert Client.objects.get(pk=zofia.pk).erased_at is None
    real = retention_apply(organisation=organisation)
    assert real.erased == 1
    assert Client.objects.get(pk=zofia.pk).erased_at is not None
    assert Client.objects.get(pk=jan.pk).erased_at is None
    assert audit_of(zofia).get(action="client.erase").data["reason"].startswith("Retention")


def test_retention_keeps_a_client_with_recent_linked_activity(organisation, stale_and_fresh, monkeypatch):
    zofia, jan = stale_and_fresh
    Merge.objects.create(organisation=organisation, survivor=zofia, merged=jan)  # recent, linked to her
    monkeypatch.setattr(privacy, "client_links", lambda: [*client_links(), ClientLink("clients.Merge", "survivor")])
    assert retention_apply(organisation=organisation).erased == 0


def test_retention_does_nothing_without_a_period(organisation, zofia):
    Client.objects.filter(pk=zofia.pk).update(updated_at=timezone.now() - timedelta(days=40 * 366))
    assert retention_apply(organisation=organisation).due == []


def test_retention_command_dry_run_and_real(organisation, stale_and_fresh):
    zofia, _jan = stale_and_fresh
    out = io.StringIO()
    call_command("clients_retention", organisation="testowa", dry_run=True, stdout=out)
    assert "would erase 1" in out.getvalue() and zofia.number in out.getvalue()
    assert Client.objects.get(pk=zofia.pk).erased_at is None
    call_command("clients_retention", stdout=out)
    assert Client.objects.get(pk=zofia.pk).erased_at is not None


def test_retention_task_erases(organisation, stale_and_fresh):
    zofia, _jan = stale_and_fresh
    result = apply_retention.enqueue(organisation_id=organisation.pk)
    assert result.return_value == 1
    assert Client.objects.get(pk=zofia.pk).erased_at is not None


# --- settings --------------------------------------------------------------------------------


def test_admin_sets_retention_and_thresholds(login, admin, organisation):
    browser = login(admin)
    assert browser.get(reverse("clients:settings")).status_code == 200
    response = browser.post(
        reverse("clients:settings"),
        {"possible_match_score": "9", "probable_match_score": "15", "retention_years": "10"},
    )
    assert response.status_code == 302
    settings = ClientSettings.objects.get(organisation=organisation)
    assert (settings.possible_match_score, settings.probable_match_score, settings.retention_years) == (9, 15, 10)


def test_settings_refuse_thresholds_in_the_wrong_order_keeping_the_values(login, admin, organisation):
    response = login(admin).post(
        reverse("clients:settings"), {"possible_match_score": "20", "probable_match_score": "15", "retention_years": ""}
    )
    assert response.status_code == 400
    assert response.context["form"]["possible_match_score"].value() == "20"
    assert not ClientSettings.objects.filter(organisation=organisation).exists()


def test_manager_cannot_change_client_settings(login, manager):
    assert login(manager).get(reverse("clients:settings")).status_code == 403


def test_erasure_runs_the_hooks_other_apps_register_inside_its_transaction(zofia, manager, monkeypatch):
    from django.db import connection

    from frontoffice.clients import registry

    seen = []

    def hook(*, client, actor):
        seen.append((client.pk, client.given_name, actor, connection.in_atomic_block))
        return {"scans": 2, "cards": 0}

    monkeypatch.setattr(registry, "_ERASURE_HOOKS", {"other_app": hook})
    # When Zofia is erased
    client_erase(client=zofia, actor=manager, reason="Request")
    # Then the hook saw her already anonymised, in the erasure's transaction, and its counts are audited
    assert seen == [(zofia.pk, "", manager, True)]
    assert audit_of(zofia).get(action="client.erase").data == {
        "reason": "Request",
        "erased": {"other_app": {"scans": 2}},
    }
