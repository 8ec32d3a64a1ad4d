"""Every error is RFC 7807 problem+json, and bad input is never a 500."""

from __future__ import annotations

import pytest

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import INVALID_BODY, VALIDATION_ERROR
from frontoffice.core.models import Branch
from tests.factories import BranchFactory
from tests.test_api_support import API, assert_problem, bearer_client, field_errors, post_json

VALID = {"name": "Oddział Zachód", "code": "west"}


@pytest.fixture
def admin_api(admin):
    return bearer_client(admin)


# --- malformed and mistyped input ---------------------------------------------


@pytest.mark.parametrize("body", ['{"name": ', "not json at all", b"\xff\xfe\x00garbage", "{'name': 'x'}"])
def test_malformed_json_is_400(admin_api, body):
    # when
    response = post_json(admin_api, "/branches", body)
    # then
    assert_problem(response, 400, type=INVALID_BODY)


def test_empty_body_lists_required_fields(admin_api):
    # when
    response = admin_api.post(f"{API}/branches", content_type="application/json")
    # then
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    assert body["errors"]


@pytest.mark.parametrize("body", ["null", "[]", "42", '"a branch"', "true"])
def test_body_that_is_not_an_object_is_422(admin_api, body):
    # when
    response = post_json(admin_api, "/branches", body)
    # then
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    assert body["errors"][0]["field"] is None


def test_wrong_types_are_listed_per_field(admin_api):
    # when
    response = post_json(admin_api, "/branches", {"name": 12, "code": ["a"], "city": {"x": 1}})
    # then
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    assert field_errors(body) == {"name": "string_type", "code": "string_type", "city": "string_type"}
    assert all(error["message"] for error in body["errors"])


def test_missing_field_is_named(admin_api):
    # when
    response = post_json(admin_api, "/branches", {"name": "Bez kodu"})
    # then
    assert field_errors(assert_problem(response, 422)) == {"code": "missing"}


def test_unknown_field_is_refused_not_dropped(admin_api):
    # when
    response = post_json(admin_api, "/branches", {**VALID, "colour": "blue"})
    # then
    assert field_errors(assert_problem(response, 422)) == {"colour": "extra_forbidden"}
    assert not Branch.objects.filter(code="west").exists()


def test_too_long_text_is_refused(admin_api):
    # when
    response = post_json(admin_api, "/branches", {**VALID, "name": "x" * 201})
    # then
    assert field_errors(assert_problem(response, 422)) == {"name": "string_too_long"}


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "big"}])
def test_too_large_body_is_413(admin_api, settings, headers):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # when
    response = post_json(admin_api, "/branches", {**VALID, "street": "x" * 2000}, headers=headers)
    # then
    assert_problem(response, 413)
    assert not Branch.objects.exists()


# --- NUL characters (PostgreSQL cannot store them) -------------------------------


def test_nul_in_json_string_is_422(admin_api):
    # when
    response = post_json(admin_api, "/branches", {**VALID, "name": "Oddział\u0000"})
    # then
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    assert field_errors(body) == {"name": "nul_character"}
    assert not Branch.objects.exists()


@pytest.mark.parametrize("path", ["/branches?search=a%00b", "/staff?search=%00", "/staff?role=%00"])
def test_nul_in_query_string_is_422(admin_api, path):
    # when
    response = admin_api.get(API + path)
    # then
    body = assert_problem(response, 422)
    assert body["errors"]


def test_nul_in_token_name_is_422(admin_api):
    # when
    response = post_json(admin_api, "/tokens", {"name": "\x00"})
    # then
    assert field_errors(assert_problem(response, 422)) == {"name": "nul_character"}


# --- ids and query parameters -------------------------------------------------------


@pytest.mark.parametrize("branch_id", ["abc", "0", "-1", "1.5", str(2**63), "99999999999999999999999"])
def test_impossible_id_is_422(admin_api, branch_id):
    # when
    response = admin_api.get(f"{API}/branches/{branch_id}")
    # then
    assert field_errors(assert_problem(response, 422)) == {"branch_id": response.json()["errors"][0]["code"]}


def test_largest_possible_id_is_a_plain_404(admin_api):
    # when
    response = admin_api.get(f"{API}/branches/{2**63 - 1}")
    # then
    assert_problem(response, 404)


@pytest.mark.parametrize("query", ["include_inactive=maybe", "limit=ten", "offset=1e999", "role=janitor", "branch=x"])
def test_bad_query_parameter_is_422(admin_api, query):
    # when
    response = admin_api.get(f"{API}/staff?{query}")
    # then
    assert_problem(response, 422)


# --- errors raised by services ---------------------------------------------------------


def test_duplicate_branch_code_is_422_from_the_model(admin_api, organisation):
    # given
    BranchFactory(organisation=organisation, code="west")
    # when
    response = post_json(admin_api, "/branches", VALID)
    # then
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    assert len(body["errors"]) == 1
    assert body["errors"][0]["field"] in {None, "code"}
    assert Branch.objects.filter(code="west").count() == 1


def test_model_validation_names_the_field(admin_api):
    # when
    response = post_json(admin_api, "/branches", {**VALID, "time_zone": "Mars/Olympus", "code": "not a slug"})
    # then
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    assert set(field_errors(body)) == {"time_zone", "code"}


# --- routing ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/nothing-here", "/branches/1/nothing", "/me/"])
def test_unknown_address_is_problem_404(admin_api, path):
    # when
    response = admin_api.get(API + path)
    # then
    assert_problem(response, 404)


def test_wrong_method_is_problem_405(admin_api):
    # when
    response = admin_api.delete(f"{API}/branches")
    # then
    assert_problem(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_unexpected_failure_is_problem_500_and_logged(admin, monkeypatch, caplog):
    # given a bug deep inside an endpoint
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(core_selectors, "branch_list", broken)
    client = bearer_client(admin, raise_request_exception=False)
    # when
    response = client.get(f"{API}/branches")
    # then the client gets problem+json, and the traceback goes to the log
    body = assert_problem(response, 500)
    assert "boom" not in body["detail"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_error_titles_follow_the_users_language(clerk):
    # given a clerk who reads Polish
    clerk.language = "pl"
    clerk.save()
    # when
    response = bearer_client(clerk).get(f"{API}/branches/0")
    # then the answer is marked as Polish (the text is translated where the catalogue has it)
    assert_problem(response, 422)
    assert response["Content-Language"] == "pl"
