"""Registering and changing clients: validation, normalisation, identifiers, consents."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose, IdentifierKind
from frontoffice.clients.models import Client, ClientContact, ClientIdentifier
from frontoffice.clients.services import (
    AddressData,
    ClientData,
    IdentifierData,
    client_create,
    client_update,
    consent_give,
    consent_withdraw,
    has_active_consent,
    validate_client_data,
)
from frontoffice.clients.validation import pesel_disagreements


def _register(organisation, clerk, **fields):
    return client_create(organisation=organisation, actor=clerk, data=ClientData(**fields))


def test_a_client_gets_a_number_folded_search_fields_and_e164_phones(organisation, clerk):
    client = _register(
        organisation,
        clerk,
        given_name="Zofia",
        family_name="Żółw-Łącka",
        phones=["600-100-200", "+48 600 100 200"],
        emails=[" Zofia@Example.INVALID "],
    )
    assert client.number.startswith("K-") and client.number.endswith("000001")
    assert client.search_name == "zofia zolw lacka"
    assert [c.value for c in client.contacts.all()] == ["+48600100200", "zofia@example.invalid"]
    assert client.search_phones == "48600100200"


def test_invalid_phone_email_and_pesel_are_explained_per_field(organisation, clerk):
    with pytest.raises(ValidationError) as caught:
        _register(
            organisation,
            clerk,
            family_name="Nowak",
            phones=["12"],
            emails=["not-an-address"],
            identifiers=[IdentifierData(kind=IdentifierKind.PESEL, value="44051401358")],
        )
    errors = caught.value.message_dict
    assert "This is not a phone number" in errors["phones"][0]
    assert errors["emails"] == ["Enter a valid email address."]
    assert "not a valid PESEL" in errors["identifiers"][0]
    assert not Client.objects.exists()


def test_other_identifiers_are_never_format_checked(organisation, clerk):
    client = _register(
        organisation,
        clerk,
        family_name="Shevchenko",
        identifiers=[IdentifierData(kind=IdentifierKind.OTHER, other_kind="RNOKPP", value="3")],
    )
    assert client.identifiers.get().value_normalised == "3"


def test_a_shared_identifier_is_refused_and_nothing_is_half_written(organisation, clerk):
    pesel = IdentifierData(kind=IdentifierKind.PESEL, value="44051401359")
    _register(organisation, clerk, family_name="Kowalski", identifiers=[pesel])
    with pytest.raises(ValidationError, match="Another client already has the PESEL"):
        _register(organisation, clerk, family_name="Kowalsky", identifiers=[pesel])
    assert Client.objects.count() == 1


def test_the_same_identifier_may_exist_in_another_organisation(organisation, other_organisation, clerk):
    pesel = IdentifierData(kind=IdentifierKind.PESEL, value="44051401359")
    _register(organisation, clerk, family_name="Kowalski", identifiers=[pesel])
    _register(other_organisation, clerk, family_name="Kowalski", identifiers=[pesel])


def test_a_pesel_that_contradicts_birth_date_and_sex_gives_warnings():
    warnings = pesel_disagreements("44051401359", date_of_birth=date(1944, 5, 15), sex="female")
    assert len(warnings) == 2 and "14.05.1944" in warnings[0]
    assert pesel_disagreements("44051401359", date_of_birth=date(1944, 5, 14), sex="male") == []


def test_a_stale_update_is_refused(organisation, clerk, agent):
    client = _register(organisation, clerk, given_name="Jan", family_name="Nowak")
    opened = client.version
    client_update(
        client=client, actor=agent, data=ClientData(given_name="Janusz", family_name="Nowak"), expected_version=opened
    )
    with pytest.raises(ValidationError, match="was changed by"):
        client_update(
            client=client,
            actor=clerk,
            data=ClientData(given_name="Jan", family_name="Nowakowski"),
            expected_version=opened,
        )
    client.refresh_from_db()
    assert (client.given_name, client.family_name) == ("Janusz", "Nowak")


def test_consents_record_who_when_how_and_withdrawal(organisation, clerk):
    client = _register(organisation, clerk, family_name="Nowak")
    consent = consent_give(client=client, actor=clerk, purpose=ConsentPurpose.SMS_REMINDERS, method=ConsentMethod.PAPER)
    assert consent.recorded_by == clerk and consent.given_at is not None
    assert has_active_consent(client, ConsentPurpose.SMS_REMINDERS)
    consent_withdraw(client=client, actor=clerk, purpose=ConsentPurpose.SMS_REMINDERS)
    assert not has_active_consent(client, ConsentPurpose.SMS_REMINDERS)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_recorded_by == clerk


def test_every_field_change_is_in_the_history(organisation, clerk):
    client = _register(organisation, clerk, given_name="Jan", family_name="Nowak")
    client_update(
        client=client,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Nowak-Kowalski"),
        expected_version=None,
    )
    newest, older = client.history.order_by("-history_date")[:2]
    assert [change.field for change in newest.diff_against(older).changes] == ["family_name", "version"]


# --- the public validation (also the importer's) -----------------------------------------------


def test_validation_cleans_contacts_and_reports_every_problem_with_the_name_at_once():
    cleaned = validate_client_data(
        ClientData(family_name="Nowak", phones=["600 100 200", "+48600100200"], emails=[" A@Example.INVALID "])
    )
    assert cleaned.phones == ["+48600100200"]  # the same number twice is kept once
    assert cleaned.emails == ["a@example.invalid"]
    with pytest.raises(ValidationError) as caught:
        validate_client_data(ClientData(family_name=" ", phones=["12"]))
    assert set(caught.value.message_dict) == {"family_name", "phones"}
    with pytest.raises(ValidationError) as caught:
        validate_client_data(ClientData(kind="company", family_name="Nowak"))
    assert caught.value.message_dict == {"company_name": ["Enter the company name."]}


# --- update keeps what the edit form does not show -------------------------------------------------


def _labelled_client(organisation, clerk):
    client = _register(
        organisation,
        clerk,
        family_name="Nowak",
        phones=["600100200", "601200300"],
        emails=["jan@example.invalid"],
        identifiers=[IdentifierData(kind=IdentifierKind.PASSPORT, value="AB1234567")],
    )
    ClientContact.objects.filter(client=client, value="+48600100200").update(label="mobile")
    ClientContact.objects.filter(client=client, value="jan@example.invalid").update(label="work")
    ClientIdentifier.objects.filter(client=client).update(issuing_country="DE", valid_until=date(2031, 1, 31))
    client.refresh_from_db()
    return client


def test_update_keeps_unchanged_contacts_with_their_labels(organisation, clerk):
    # Given a client whose phone and e-mail carry labels
    client = _labelled_client(organisation, clerk)
    kept_phone = ClientContact.objects.get(client=client, value="+48600100200")
    # When the edit form sends the same phone typed differently, drops the second and adds a third
    client_update(
        client=client,
        actor=clerk,
        data=ClientData(
            family_name="Nowak",
            phones=["600-100-200", "602 300 400"],
            emails=["Jan@Example.INVALID"],
            identifiers=[IdentifierData(kind=IdentifierKind.PASSPORT, value="AB1234567")],
        ),
        expected_version=client.version,
    )
    # Then the unchanged contacts are the same rows with their labels; only the changes were written
    contacts = {c.value: c for c in client.contacts.all()}
    assert set(contacts) == {"+48600100200", "+48602300400", "jan@example.invalid"}
    assert contacts["+48600100200"].pk == kept_phone.pk
    assert (contacts["+48600100200"].label, contacts["+48600100200"].is_primary) == ("mobile", True)
    assert contacts["jan@example.invalid"].label == "work"
    assert (contacts["+48602300400"].label, contacts["+48602300400"].is_primary) == ("", False)
    assert kept_phone.history.count() == 1  # created once, never rewritten
    client.refresh_from_db()
    assert client.search_phones == "48600100200 48602300400"


def test_update_moves_the_primary_flag_to_the_first_listed_phone(organisation, clerk):
    client = _labelled_client(organisation, clerk)
    client_update(
        client=client,
        actor=clerk,
        data=ClientData(family_name="Nowak", phones=["601200300", "600100200"]),
        expected_version=client.version,
    )
    primary = {c.value: c.is_primary for c in client.contacts.filter(kind="phone")}
    assert primary == {"+48601200300": True, "+48600100200": False}
    assert client.contacts.get(value="+48600100200").label == "mobile"


def test_update_keeps_an_identifiers_issuing_country_and_expiry_unless_new_ones_are_given(organisation, clerk):
    client = _labelled_client(organisation, clerk)
    same_passport = IdentifierData(kind=IdentifierKind.PASSPORT, value="ab 1234567")
    client_update(
        client=client,
        actor=clerk,
        data=ClientData(family_name="Nowak", identifiers=[same_passport]),
        expected_version=client.version,
    )
    passport = client.identifiers.get()
    assert (passport.issuing_country, passport.valid_until) == ("DE", date(2031, 1, 31))
    assert passport.value == "ab 1234567"  # the written form follows what was typed
    client.refresh_from_db()
    client_update(
        client=client,
        actor=clerk,
        data=ClientData(
            family_name="Nowak",
            identifiers=[IdentifierData(kind=IdentifierKind.PASSPORT, value="AB1234567", issuing_country="AT")],
        ),
        expected_version=client.version,
    )
    assert client.identifiers.get().issuing_country == "AT"


def test_update_removes_what_is_no_longer_listed_and_refuses_another_clients_identifier(organisation, clerk):
    other = _register(
        organisation, clerk, family_name="Kowalski", identifiers=[IdentifierData(IdentifierKind.PESEL, "44051401359")]
    )
    client = _register(
        organisation,
        clerk,
        family_name="Nowak",
        phones=["600100200"],
        addresses=[AddressData(street="Długa 1", city="Kraków"), AddressData(street="Krótka 2", kind="billing")],
    )
    home = client.addresses.get(kind="home")
    client_update(
        client=client,
        actor=clerk,
        data=ClientData(family_name="Nowak", addresses=[AddressData(street="Długa 1", city="Kraków")]),
        expected_version=client.version,
    )
    assert not client.contacts.exists()
    assert [a.pk for a in client.addresses.all()] == [home.pk]
    client.refresh_from_db()
    with pytest.raises(ValidationError, match="Another client already has the PESEL"):
        client_update(
            client=client,
            actor=clerk,
            data=ClientData(family_name="Nowak", identifiers=[IdentifierData(IdentifierKind.PESEL, "44051401359")]),
            expected_version=client.version,
        )
    assert other.identifiers.count() == 1 and not client.identifiers.exists()
