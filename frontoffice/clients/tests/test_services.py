"""Registering and changing clients: validation, normalisation, identifiers, consents."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose, IdentifierKind
from frontoffice.clients.models import Client
from frontoffice.clients.services import (
    ClientData,
    IdentifierData,
    client_create,
    client_update,
    consent_give,
    consent_withdraw,
    has_active_consent,
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
