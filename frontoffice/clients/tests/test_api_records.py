"""Client records through the API: match, create (idempotent, duplicate-aware), read, versioned update, consents."""

from __future__ import annotations

import json
from datetime import date

import pytest

from frontoffice.clients.choices import IdentifierKind
from frontoffice.clients.models import Client
from frontoffice.clients.services import ClientData, IdentifierData, client_create
from frontoffice.core.models import AuditEntry
from tests.test_api_support import API, assert_problem, bearer_client, field_errors, post_json

JAN_PESEL = "80030412350"


@pytest.fixture
def jan(organisation, clerk):
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


def _put(client, path, data):
    return client.put(API + path, data=json.dumps(data), content_type="application/json")


# --- match ---------------------------------------------------------------------------------------------


def test_match_explains_each_candidate(clerk, jan):
    # when
    response = post_json(
        bearer_client(clerk),
        "/clients/match",
        {"given_name": "Jan", "family_name": "Kowalsky", "date_of_birth": "1980-03-04"},
    )
    # then
    assert response.status_code == 200, response.content
    (candidate,) = response.json()["candidates"]
    assert candidate["id"] == jan.pk and candidate["level"] == "probable" and candidate["score"] >= 16
    reasons = {reason["code"]: reason for reason in candidate["reasons"]}
    assert reasons["family_name"]["text"] == "family name kowalsky ≈ kowalski"
    assert reasons["birth_date"] == {"code": "birth_date", "text": "same date of birth", "weight": 8.0}


def test_match_on_a_shared_identifier_is_exact_and_pesel_disagreements_are_warned(clerk, jan):
    response = post_json(
        bearer_client(clerk),
        "/clients/match",
        {"family_name": "Nowak", "date_of_birth": "1990-01-01", "identifiers": [{"kind": "pesel", "value": JAN_PESEL}]},
    )
    body = response.json()
    assert body["candidates"][0]["level"] == "exact"
    assert any("04.03.1980" in warning for warning in body["pesel_warnings"])


def test_match_answers_in_polish_for_a_polish_user(clerk, jan):
    clerk.language = "pl"
    clerk.save(update_fields=["language"])
    response = post_json(bearer_client(clerk), "/clients/match", {"given_name": "Jan", "family_name": "Kowalski"})
    assert response.status_code == 200
    assert response.json()["candidates"][0]["reasons"]


# --- create --------------------------------------------------------------------------------------------


def test_clerk_creates_a_client_and_a_replay_returns_the_same_one(clerk):
    api = bearer_client(clerk)
    body = {
        "given_name": "Anna",
        "family_name": "Nowak",
        "phones": ["600 700 800"],
        "emails": ["anna@example.invalid"],
        "identifiers": [{"kind": "other", "other_kind": "Ukrainian RNOKPP", "value": "12-34"}],
        "addresses": [{"street": "Długa 1", "city": "Gdańsk"}],
    }
    # when
    first = post_json(api, "/clients", body, headers={"Idempotency-Key": "anna-1"})
    again = post_json(api, "/clients", body, headers={"Idempotency-Key": "anna-1"})
    # then
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["phones"] == ["+48600700800"]
    assert created["identifiers"][0]["other_kind"] == "Ukrainian RNOKPP"
    assert created["addresses"][0]["city"] == "Gdańsk"
    assert created["replaced_by"] is None
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == created["id"]
    assert Client.objects.count() == 1


def test_a_shared_identifier_is_a_conflict_naming_the_existing_client(clerk, jan):
    response = post_json(
        bearer_client(clerk),
        "/clients",
        {"given_name": "Janek", "family_name": "Kowal", "identifiers": [{"kind": "pesel", "value": JAN_PESEL}]},
    )
    body = assert_problem(response, 409, type="urn:frontoffice:problem:conflict")
    assert body["client_id"] == jan.pk
    assert field_errors(body) == {"identifiers": "unique"}
    assert Client.objects.count() == 1


def test_a_probable_match_needs_create_anyway_with_a_reason(clerk, jan):
    api = bearer_client(clerk)
    person = {"given_name": "Jan", "family_name": "Kowalsky", "date_of_birth": "1980-03-04"}
    # when
    refused = post_json(api, "/clients", person)
    no_reason = post_json(api, "/clients", {**person, "create_anyway": True})
    created = post_json(api, "/clients", {**person, "create_anyway": True, "create_anyway_reason": "Namesake"})
    # then
    body = assert_problem(refused, 422, type="urn:frontoffice:problem:validation-error")
    assert field_errors(body) == {"create_anyway_reason": "required"}
    assert body["candidates"][0]["id"] == jan.pk
    assert_problem(no_reason, 422)
    assert created.status_code == 201, created.content
    assert created.json()["needs_review"] is True
    assert AuditEntry.objects.get(action="client.create_anyway").data["reason"] == "Namesake"


def test_bad_phone_email_and_pesel_are_reported_per_field(clerk):
    response = post_json(
        bearer_client(clerk),
        "/clients",
        {
            "family_name": "Nowak",
            "phones": ["12"],
            "emails": ["nope"],
            "identifiers": [{"kind": "pesel", "value": "44051401358"}],
        },
    )
    body = assert_problem(response, 422)
    assert set(field_errors(body)) == {"phones", "emails", "identifiers"}


def test_a_pesel_contradicting_the_birth_date_needs_confirmation(clerk):
    api = bearer_client(clerk)
    person = {
        "family_name": "Nowak",
        "date_of_birth": "1950-01-01",
        "identifiers": [{"kind": "pesel", "value": "44051401359"}],
    }
    assert field_errors(assert_problem(post_json(api, "/clients", person), 422)) == {
        "confirm_pesel_mismatch": "pesel_mismatch"
    }
    assert post_json(api, "/clients", {**person, "confirm_pesel_mismatch": True}).status_code == 201


def test_unknown_fields_are_refused(clerk):
    response = post_json(bearer_client(clerk), "/clients", {"family_name": "Nowak", "nickname": "Nowy"})
    assert_problem(response, 422)


# --- read ------------------------------------------------------------------------------------------------


def test_read_a_client(agent, jan):
    body = bearer_client(agent).get(f"{API}/clients/{jan.pk}").json()
    assert body["display_name"] == "Jan Kowalski"
    assert body["identifiers"][0]["value"] == JAN_PESEL
    assert body["replaced_by"] is None


def test_a_merged_away_id_answers_with_the_survivor(clerk, jan, organisation):
    old = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Kowalski"))
    Client.objects.filter(pk=old.pk).update(replaced_by=jan)
    body = bearer_client(clerk).get(f"{API}/clients/{old.pk}").json()
    assert body["id"] == jan.pk
    assert body["replaced_by"] == jan.pk


def test_another_organisation_gets_404(outsider_org, jan):
    assert_problem(bearer_client(outsider_org).get(f"{API}/clients/{jan.pk}"), 404)


# --- update --------------------------------------------------------------------------------------------


def test_update_with_the_current_version_and_a_stale_one(clerk, agent, jan):
    body = {"given_name": "Jan", "family_name": "Kowalski", "notes": "VIP guest", "version": jan.version}
    # when
    saved = _put(bearer_client(agent), f"/clients/{jan.pk}", body)
    stale = _put(bearer_client(clerk), f"/clients/{jan.pk}", {**body, "notes": "Other note"})
    # then
    assert saved.status_code == 200, saved.content
    assert saved.json()["notes"] == "VIP guest"
    assert saved.json()["version"] == jan.version + 1
    problem = assert_problem(stale, 409, type="urn:frontoffice:problem:stale-edit")
    assert "changed by" in problem["detail"]
    jan.refresh_from_db()
    assert jan.notes == "VIP guest"


# --- consents -------------------------------------------------------------------------------------------


def test_give_and_withdraw_a_consent(clerk, jan):
    api = bearer_client(clerk)
    given = post_json(api, f"/clients/{jan.pk}/consents", {"purpose": "sms_reminders", "method": "verbal"})
    assert given.status_code == 201, given.content
    assert given.json()["recorded_by"] == clerk.username
    withdrawn = api.post(f"{API}/clients/{jan.pk}/consents/sms_reminders/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    assert_problem(api.post(f"{API}/clients/{jan.pk}/consents/sms_reminders/withdraw"), 404)


def test_executive_may_read_but_not_record_consents(executive, jan):
    response = post_json(
        bearer_client(executive), f"/clients/{jan.pk}/consents", {"purpose": "marketing", "method": "paper"}
    )
    assert_problem(response, 403)
