"""Registering a client with the live duplicate warning, the client's page, editing, consents and the picker."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontoffice.clients import registration
from frontoffice.clients.choices import ConsentMethod, ConsentPurpose, IdentifierKind
from frontoffice.clients.models import Client, Consent
from frontoffice.clients.registration import IdentifierTaken, ProbableMatch, client_register
from frontoffice.clients.services import ClientData, IdentifierData, client_create, consent_give
from frontoffice.core.models import AccessLogEntry, AuditEntry

JAN_PESEL = "80030412350"  # born 1980-03-04, male
NEW = reverse("clients:client_create")
MATCHES = reverse("clients:client_matches")
PICK = reverse("clients:client_pick")


def _form(**values):
    """A filled-in registration form: Anna Nowak, unless ``values`` say otherwise."""
    data = {
        "kind": "person",
        "given_name": "Anna",
        "family_name": "Nowak",
        "date_of_birth": "1991-07-12",
        "sex": "female",
        "phone_1": "600 700 800",
        "email_1": "anna@example.invalid",
        "id_kind_1": "passport",
        "id_value_1": "",
        "id_kind_2": "pesel",
        "id_value_2": "",
        "country": "PL",
        "preferred_language": "pl",
        "consent_method": ConsentMethod.PAPER,
        "slots": "2",
    }
    data.update(values)
    return data


@pytest.fixture
def jan(organisation, clerk):
    """Jan Kowalski, born 1980-03-04, with his PESEL and a phone."""
    return client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Jan",
            family_name="Kowalski",
            date_of_birth=date(1980, 3, 4),
            sex="male",
            phones=["601 234 567"],
            identifiers=[IdentifierData(kind=IdentifierKind.PESEL, value=JAN_PESEL)],
        ),
    )


# --- the registration form --------------------------------------------------------------------


def test_new_client_form_refreshes_its_match_panel_while_the_clerk_types(login, clerk):
    # when
    response = login(clerk).get(NEW)
    # then: the panel is fed by htmx, debounced, without inline script
    html = response.content.decode()
    assert response.status_code == 200
    assert f'hx-post="{MATCHES}"' in html
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert 'id="match-panel"' in html
    assert "<script>" not in html


def test_clerk_registers_a_client_with_consents(login, clerk, branch):
    # when
    response = login(clerk).post(
        NEW,
        _form(
            phone_2="+49 30 1234567",
            email_2="anna.work@example.invalid",
            id_kind_1="other",
            id_other_kind_1="Ukrainian RNOKPP",
            id_value_1="1234-5",
            street="Długa 1",
            city="Gdańsk",
            postal_code="80-001",
            consent_processing="on",
            consent_sms_reminders="on",
            consent_method=ConsentMethod.VERBAL,
        ),
    )
    # then
    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:client_detail", args=[client.pk])
    assert client.registered_at_branch == branch
    assert sorted(c.value for c in client.contacts.all()) == [
        "+48600700800",
        "+49301234567",
        "anna.work@example.invalid",
        "anna@example.invalid",
    ]
    identifier = client.identifiers.get()
    assert (identifier.kind, identifier.other_kind, identifier.value) == ("other", "Ukrainian RNOKPP", "1234-5")
    assert client.addresses.get().city == "Gdańsk"
    consents = {c.purpose: c for c in client.consents.all()}
    assert set(consents) == {ConsentPurpose.PROCESSING, ConsentPurpose.SMS_REMINDERS}
    assert {c.method for c in consents.values()} == {ConsentMethod.VERBAL}
    assert {c.recorded_by for c in consents.values()} == {clerk}
    assert not client.needs_review


def test_invalid_pesel_phone_and_email_get_a_message_each_and_keep_every_value(login, clerk):
    # when
    response = login(clerk).post(
        NEW, _form(phone_1="12", email_1="anna-at-example", id_kind_2="pesel", id_value_2="44051401358")
    )
    # then
    assert response.status_code == 400
    form = response.context["form"]
    assert "This is not a phone number" in form.errors["phone_1"][0]
    assert form.errors["email_1"] == ["Enter a valid email address."]
    assert "not a valid PESEL" in form.errors["id_value_2"][0]
    html = response.content.decode()
    for typed in ('value="Anna"', 'value="Nowak"', 'value="12"', 'value="anna-at-example"', 'value="44051401358"'):
        assert typed in html
    assert not Client.objects.exists()


def test_match_panel_explains_why_a_misspelt_name_matches_an_existing_client(login, clerk, jan):
    # when the clerk has typed "Jan Kowalsky" and the date of birth
    response = login(clerk).post(
        MATCHES, {"given_name": "Jan", "family_name": "Kowalsky", "date_of_birth": "1980-03-04", "slots": "2"}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jan Kowalski" in html
    assert "kowalsky ≈ kowalski" in html
    assert "same date of birth" in html
    assert "Probably the same person" in html
    assert reverse("clients:client_detail", args=[jan.pk]) in html


def test_match_panel_stays_quiet_for_an_empty_form_and_ignores_half_typed_phones(login, clerk, jan):
    # when
    empty = login(clerk).post(MATCHES, {"slots": "2"})
    half = login(clerk).post(MATCHES, {"phone_1": "60", "slots": "2"})
    # then
    assert "No similar clients found so far." in empty.content.decode()
    assert "No similar clients found so far." in half.content.decode()


def test_an_identifier_of_an_existing_client_blocks_creation_and_offers_to_open_it(login, clerk, jan):
    # when
    response = login(clerk).post(
        NEW,
        _form(given_name="Janek", family_name="Kowal", date_of_birth="1980-03-04", sex="male", id_value_2=JAN_PESEL),
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "Another client already has this identifier" in html
    assert "Open the existing client" in html
    assert reverse("clients:client_detail", args=[jan.pk]) in html
    assert Client.objects.count() == 1


def test_a_probable_match_needs_create_anyway_and_a_reason_which_is_logged(login, clerk, jan):
    typed = _form(
        given_name="Jan", family_name="Kowalsky", date_of_birth="1980-03-04", sex="male", email_1="", phone_1=""
    )
    # when the clerk saves without saying why
    refused = login(clerk).post(NEW, typed)
    # then
    assert refused.status_code == 400
    assert "probably registered already" in refused.context["form"].errors["create_anyway_reason"][0]
    assert Client.objects.count() == 1

    # when they tick "create anyway" without a reason
    still_refused = login(clerk).post(NEW, {**typed, "create_anyway": "on"})
    assert still_refused.status_code == 400

    # when they tick it and say why
    response = login(clerk).post(
        NEW, {**typed, "create_anyway": "on", "create_anyway_reason": "Twin brother, different PESEL at home"}
    )
    # then the client is created, flagged for review, and the choice is logged
    assert response.status_code == 302
    created = Client.objects.exclude(pk=jan.pk).get()
    assert created.needs_review
    entry = AuditEntry.objects.get(action="client.create_anyway")
    assert entry.target_id == str(created.pk)
    assert entry.data["candidates"] == [jan.pk]
    assert entry.data["reason"] == "Twin brother, different PESEL at home"
    assert len(entry.data["scores"]) == 1 and entry.data["scores"][0] >= 16


def test_a_pesel_contradicting_the_date_of_birth_is_a_warning_the_clerk_resolves(login, clerk):
    # Given a valid PESEL of a man born 1944-05-14, typed with another date of birth and sex
    typed = _form(date_of_birth="1950-01-01", sex="female", id_kind_2="pesel", id_value_2="44051401359")
    # when
    warned = login(clerk).post(NEW, typed)
    panel = login(clerk).post(MATCHES, typed)
    # then
    assert warned.status_code == 400
    errors = warned.context["form"].errors["confirm_pesel_mismatch"]
    assert any("14.05.1944" in error for error in errors)
    assert "14.05.1944" in panel.content.decode()
    # when the clerk confirms the typed data is right
    response = login(clerk).post(NEW, {**typed, "confirm_pesel_mismatch": "on"})
    # then
    assert response.status_code == 302
    assert Client.objects.get().date_of_birth == date(1950, 1, 1)


def test_a_company_needs_its_name(login, clerk):
    response = login(clerk).post(NEW, _form(kind="company", family_name="", given_name="", company_name=""))
    assert response.status_code == 400
    assert response.context["form"].errors["company_name"] == ["Enter the company name."]


# --- two clerks saving the same person at once -------------------------------------------------------


def _anna(pesel: str = "80030412343") -> ClientData:
    return ClientData(
        given_name="Anna",
        family_name="Zielińska",
        date_of_birth=date(1980, 3, 4),
        identifiers=[IdentifierData(kind=IdentifierKind.PESEL, value=pesel)],
    )


def test_a_registration_that_loses_the_race_is_shown_the_winner(organisation, clerk, agent, monkeypatch):
    # Given the agent's check ran before the clerk's registration was saved (the check saw nothing)
    first = client_register(organisation=organisation, actor=clerk, data=_anna())
    real_check = registration.check_matches
    calls = []

    def stale_first_check(**kwargs):
        calls.append(1)
        return [] if len(calls) == 1 else real_check(**kwargs)

    monkeypatch.setattr(registration, "check_matches", stale_first_check)
    # when the agent saves the same person
    with pytest.raises(IdentifierTaken) as caught:
        client_register(organisation=organisation, actor=agent, data=_anna())
    # then the database refused the second identifier and the agent is shown the clerk's client
    assert caught.value.matches[0].client == first
    assert Client.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_saving_the_same_new_person_at_once_create_one_client(organisation, clerk, agent, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs writing transactions one after another; the race needs PostgreSQL")
    # Given both clerks' duplicate checks have run before either saves
    barrier = threading.Barrier(2, timeout=30)
    real_check = registration.check_matches
    local = threading.local()

    def check_then_wait(**kwargs):
        found = real_check(**kwargs)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return found

    monkeypatch.setattr(registration, "check_matches", check_then_wait)
    outcomes: dict[str, object] = {}

    def save(name, user):
        try:
            outcomes[name] = client_register(organisation=organisation, actor=user, data=_anna())
        except Exception as error:  # the outcome is what the test inspects
            outcomes[name] = error
        finally:
            connections.close_all()

    # when both save at the same moment
    threads = [threading.Thread(target=save, args=(name, user)) for name, user in (("a", clerk), ("b", agent))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one client exists, and the other clerk was shown it
    created = [o for o in outcomes.values() if isinstance(o, Client)]
    refused = [o for o in outcomes.values() if isinstance(o, IdentifierTaken)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert refused[0].matches[0].client.pk == created[0].pk
    assert Client.objects.count() == 1


def test_the_service_asks_for_a_reason_before_creating_a_probable_duplicate(organisation, clerk, jan):
    data = ClientData(given_name="Jan", family_name="Kowalsky", date_of_birth=date(1980, 3, 4))
    with pytest.raises(ProbableMatch) as caught:
        client_register(organisation=organisation, actor=clerk, data=data, create_anyway=True)
    assert [m.client for m in caught.value.matches] == [jan]


# --- the client's page ---------------------------------------------------------------------------------


def test_client_page_shows_identity_contacts_consents_and_logs_the_read(login, manager, jan, clerk):
    # given
    consent_give(client=jan, actor=clerk, purpose=ConsentPurpose.MARKETING, method=ConsentMethod.PAPER)
    # when
    response = login(manager).get(reverse("clients:client_detail", args=[jan.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Jan Kowalski</h1>" in html
    assert JAN_PESEL in html
    assert "+48601234567" in html
    assert "Marketing" in html and "Withdraw: Marketing" in html
    assert reverse("core:record_history", args=["clients.client", jan.pk]) in html
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.target_id) == (manager, str(jan.pk))


def test_client_page_runs_the_same_number_of_queries_however_much_the_client_holds(login, clerk, organisation):
    def page_queries(client):
        logged_in = login(clerk)
        logged_in.get(reverse("clients:client_detail", args=[client.pk]))  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as queries:
            response = logged_in.get(reverse("clients:client_detail", args=[client.pk]))
        assert response.status_code == 200
        return len(queries)

    small = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Mała"))
    big = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            family_name="Duża",
            phones=["600 000 001", "600 000 002", "600 000 003"],
            emails=["a@example.invalid", "b@example.invalid"],
            identifiers=[
                IdentifierData(kind="passport", value="AB123456"),
                IdentifierData(kind="id_card", value="ABC123456"),
            ],
        ),
    )
    for purpose in ConsentPurpose.values:
        consent_give(client=big, actor=clerk, purpose=purpose, method=ConsentMethod.PAPER)
    assert page_queries(big) == page_queries(small)
    assert page_queries(big) <= 20


def test_a_merged_away_client_leads_to_the_survivor(login, clerk, jan, organisation):
    # Given an old record that was merged into Jan's
    old = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="J.", family_name="Kowalski")
    )
    Client.objects.filter(pk=old.pk).update(replaced_by=jan)
    # when
    response = login(clerk).get(reverse("clients:client_detail", args=[old.pk]), follow=True)
    # then
    assert response.redirect_chain[-1][0] == reverse("clients:client_detail", args=[jan.pk])
    assert "was merged into" in response.content.decode()


def test_an_outsider_organisation_cannot_open_the_client(login, outsider_org, jan):
    assert login(outsider_org).get(reverse("clients:client_detail", args=[jan.pk])).status_code == 404


# --- editing ------------------------------------------------------------------------------------------


def _edit_values(client, **values):
    data = {
        "kind": "person",
        "given_name": client.given_name,
        "family_name": client.family_name,
        "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else "",
        "sex": client.sex,
        "phone_1": "601 234 567",
        "id_kind_1": "pesel",
        "id_value_1": JAN_PESEL,
        "id_kind_2": "pesel",
        "country": "PL",
        "preferred_language": "pl",
        "version": client.version,
        "slots": "2",
    }
    data.update(values)
    return data


def test_clerk_edits_a_client(login, clerk, jan):
    # when
    response = login(clerk).post(
        reverse("clients:client_edit", args=[jan.pk]), _edit_values(jan, notes="Prefers mornings")
    )
    # then
    assert response.status_code == 302
    jan.refresh_from_db()
    assert jan.notes == "Prefers mornings"
    assert jan.identifiers.get().value == JAN_PESEL


def test_edit_form_shows_every_stored_phone(login, clerk, organisation):
    client = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(family_name="Wielu", phones=["600 000 001", "600 000 002", "600 000 003"]),
    )
    html = login(clerk).get(reverse("clients:client_edit", args=[client.pk])).content.decode()
    assert 'value="+48600000003"' in html


def test_a_stale_edit_is_refused_with_who_changed_it_and_keeps_the_input(login, clerk, agent, jan):
    # Given the agent saved Jan after the clerk opened him
    opened_at = jan.version
    login(agent).post(reverse("clients:client_edit", args=[jan.pk]), _edit_values(jan, notes="Agent's note"))
    # when the clerk saves
    response = login(clerk).post(
        reverse("clients:client_edit", args=[jan.pk]), _edit_values(jan, notes="Clerk's note", version=opened_at)
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "changed by" in html
    assert "Clerk&#x27;s note" in html
    jan.refresh_from_db()
    assert jan.notes == "Agent's note"


# --- consents on the client's page -------------------------------------------------------------------


def test_clerk_records_and_withdraws_a_consent(login, clerk, jan):
    page = reverse("clients:client_detail", args=[jan.pk])
    # when
    given = login(clerk).post(
        reverse("clients:consent_give", args=[jan.pk]), {"purpose": "email_reminders", "method": "electronic"}
    )
    # then
    assert given["Location"] == page
    consent = Consent.objects.get()
    assert (consent.purpose, consent.method, consent.recorded_by) == ("email_reminders", "electronic", clerk)
    # when
    withdrawn = login(clerk).post(reverse("clients:consent_withdraw", args=[jan.pk, "email_reminders"]))
    # then
    assert withdrawn["Location"] == page
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_recorded_by == clerk


def test_executive_sees_consents_without_buttons(login, executive, jan, clerk):
    consent_give(client=jan, actor=clerk, purpose=ConsentPurpose.MARKETING, method=ConsentMethod.PAPER)
    html = login(executive).get(reverse("clients:client_detail", args=[jan.pk])).content.decode()
    assert "Withdraw: Marketing" not in html
    assert "Record consent" not in html


# --- the picker ---------------------------------------------------------------------------------------


def test_picker_results_show_two_identifiers_per_client(login, clerk, jan, organisation):
    # Given a company without a date of birth, found by its NIP
    client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            kind="company",
            company_name="Kowalski Sp. z o.o.",
            identifiers=[IdentifierData(kind="nip", value="5260250274")],
        ),
    )
    # when
    html = login(clerk).get(PICK, {"q": "kowalski", "field": "payer"}).content.decode()
    # then
    assert "Jan Kowalski</button>, born 04.03.1980" in html
    assert "Kowalski Sp. z o.o.</button>, NIP (tax number) 5260250274" in html
    assert 'id="picker-payer-results"' in html


def test_choosing_among_similar_clients_asks_for_confirmation(login, clerk, jan, organisation):
    # Given two clients with the same family name
    other = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Janina", family_name="Kowalski")
    )
    picker = login(clerk)
    results = picker.get(PICK, {"q": "kowalski", "field": "payer"}).content.decode()
    assert f"choose={jan.pk}&amp;similar=1" in results
    # when the clerk picks Jan
    confirm = picker.get(PICK, {"field": "payer", "choose": jan.pk, "similar": "1"}).content.decode()
    # then the choice is not set until confirmed
    assert "Confirm: Jan Kowalski" in confirm
    assert '<input type="hidden" name="payer" value="">' in confirm
    # when they confirm
    chosen = picker.get(PICK, {"field": "payer", "choose": jan.pk, "similar": "1", "confirmed": "1"}).content.decode()
    assert f'<input type="hidden" name="payer" value="{jan.pk}">' in chosen
    assert other.display_name not in chosen


def test_a_single_result_is_chosen_without_confirmation(login, clerk, jan):
    picker = login(clerk)
    results = picker.get(PICK, {"q": "kowalski", "field": "client"}).content.decode()
    assert "similar=1" not in results
    chosen = picker.get(PICK, {"field": "client", "choose": jan.pk}).content.decode()
    assert f'<input type="hidden" name="client" value="{jan.pk}">' in chosen


def test_picker_finds_by_phone_and_never_shows_another_organisations_clients(login, outsider_org, clerk, jan):
    assert "Jan Kowalski" in login(clerk).get(PICK, {"q": "601-234-567"}).content.decode()
    assert "Jan Kowalski" not in login(outsider_org).get(PICK, {"q": "kowalski"}).content.decode()
    assert login(outsider_org).get(PICK, {"choose": jan.pk}).status_code == 404


def test_picker_include_renders_a_labelled_search_box_and_an_empty_hidden_input():
    html = render_to_string("clients/_picker.html", {"field": "payer", "label": "Payer"})
    assert '<label for="picker-payer-search">Payer</label>' in html
    assert '<input type="hidden" name="payer" value="">' in html
    assert f'hx-get="{PICK}"' in html
