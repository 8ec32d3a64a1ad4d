"""Idempotency-Key: a retried create returns the first answer instead of creating twice."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from frontoffice.accounts.models import ApiToken
from frontoffice.accounts.roles import sync_roles
from frontoffice.core import services as core_services
from frontoffice.core.apikit import (
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_REUSED,
    REPLAYED_HEADER,
    idempotency_records_purge,
)
from frontoffice.core.models import Branch, IdempotencyRecord
from tests.factories import BranchFactory, OrganisationFactory, StaffFactory
from tests.test_api_support import API, assert_problem, bearer_client, post_json

WEST = {"name": "Oddział Zachód", "code": "west"}


@pytest.fixture
def admin_api(admin):
    return bearer_client(admin)


def _create(client, body, key="key-1", path="/branches"):
    return post_json(client, path, body, headers={"Idempotency-Key": key})


def test_same_key_and_body_returns_the_first_answer(admin_api):
    # given
    first = _create(admin_api, WEST)
    # when the client retries
    second = _create(admin_api, WEST)
    # then
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second[REPLAYED_HEADER] == "true"
    assert not first.has_header(REPLAYED_HEADER)
    assert Branch.objects.filter(code="west").count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_retry_matches_however_the_json_is_formatted(admin_api):
    # given
    _create(admin_api, WEST)
    # when the same object arrives with other spacing and key order
    retry = _create(admin_api, '{ "code" : "west",\n "name": "Oddział Zachód" }')
    # then
    assert retry.status_code == 201
    assert retry[REPLAYED_HEADER] == "true"
    assert Branch.objects.count() == 1


def test_same_key_with_other_body_is_422(admin_api):
    # given
    _create(admin_api, WEST)
    # when
    response = _create(admin_api, {"name": "Oddział Wschód", "code": "east"})
    # then
    body = assert_problem(response, 422, type=IDEMPOTENCY_KEY_REUSED)
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert not Branch.objects.filter(code="east").exists()


def test_same_key_on_another_endpoint_is_422(admin_api):
    # given
    _create(admin_api, WEST)
    # when
    response = _create(admin_api, {"name": "PBX"}, path="/tokens")
    # then
    assert_problem(response, 422, type=IDEMPOTENCY_KEY_REUSED)


def test_keys_belong_to_one_user(admin_api, outsider_org):
    # given
    _create(admin_api, WEST)
    # when another user happens to send the same key
    response = _create(bearer_client(outsider_org), WEST)
    # then it is a request of its own
    assert response.status_code == 201
    assert not response.has_header(REPLAYED_HEADER)
    assert Branch.objects.filter(code="west").count() == 2


def test_session_and_token_of_one_user_share_keys(login, admin, admin_api):
    # given
    _create(admin_api, WEST)
    # when the same person retries from the browser
    response = _create(login(admin), WEST)
    # then
    assert response[REPLAYED_HEADER] == "true"
    assert Branch.objects.count() == 1


def test_without_key_each_post_creates(admin_api):
    # when
    post_json(admin_api, "/branches", WEST)
    second = post_json(admin_api, "/branches", {"name": "Oddział Wschód", "code": "east"})
    # then
    assert second.status_code == 201
    assert Branch.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_failed_request_leaves_the_key_free(admin_api):
    # given a request the service refuses
    failed = _create(admin_api, {**WEST, "time_zone": "Mars/Olympus"})
    assert_problem(failed, 422)
    # when the client corrects it and sends it with the same key
    fixed = _create(admin_api, WEST)
    # then
    assert fixed.status_code == 201
    assert not fixed.has_header(REPLAYED_HEADER)
    assert IdempotencyRecord.objects.count() == 1


def test_forbidden_request_stores_nothing(clerk):
    # when
    response = _create(bearer_client(clerk), WEST)
    # then
    assert_problem(response, 403)
    assert not IdempotencyRecord.objects.exists()


def test_key_older_than_ttl_is_forgotten(admin_api, settings):
    # given an answer stored longer ago than the time to live
    _create(admin_api, WEST)
    IdempotencyRecord.objects.update(created_at=timezone.now() - settings.IDEMPOTENCY_KEY_TTL - timedelta(minutes=1))
    # when the key comes back with a new request
    response = _create(admin_api, {"name": "Oddział Wschód", "code": "east"})
    # then it runs
    assert response.status_code == 201
    assert not response.has_header(REPLAYED_HEADER)
    assert Branch.objects.filter(code="east").exists()
    assert IdempotencyRecord.objects.count() == 1


def test_purge_deletes_only_expired_records(admin_api, settings):
    # given
    _create(admin_api, WEST, key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - settings.IDEMPOTENCY_KEY_TTL - timedelta(minutes=1))
    _create(admin_api, {"name": "Oddział Wschód", "code": "east"}, key="new")
    # when
    purged = idempotency_records_purge()
    # then
    assert purged == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize("key", ["", "x" * 201, "zażółć", "two words"])
def test_invalid_key_is_422(admin_api, key):
    # when
    response = _create(admin_api, WEST, key=key)
    # then
    assert_problem(response, 422, type=IDEMPOTENCY_KEY_INVALID)
    assert not Branch.objects.exists()


def test_retried_token_create_does_not_store_or_repeat_the_secret(clerk):
    # given
    client = bearer_client(clerk)
    first = _create(client, {"name": "PBX"}, path="/tokens")
    # when
    retry = _create(client, {"name": "PBX"}, path="/tokens")
    # then one token, whose secret was shown once and is not kept in the idempotency record
    assert first.status_code == retry.status_code == 201
    assert first.json()["token"]
    assert retry.json() == {**first.json(), "token": None}
    assert ApiToken.objects.filter(name="PBX").count() == 1
    assert first.json()["token"].encode() not in bytes(IdempotencyRecord.objects.get().response_body)


def test_replay_is_stored_as_sent(admin_api):
    # given
    first = _create(admin_api, WEST)
    # then
    record = IdempotencyRecord.objects.get()
    assert (record.method, record.path, record.status_code) == ("POST", f"{API}/branches", 201)
    assert json.loads(bytes(record.response_body)) == first.json()
    assert record.content_type.startswith("application/json")


@pytest.fixture
def _roles(transactional_db):
    """Role groups come from a data migration, which flushing after transactional tests wipes."""
    sync_roles()


def test_racing_requests_with_one_key_create_one_branch(_roles, monkeypatch):
    """Two requests with one key at the same moment: one runs, the other gets its answer.

    On PostgreSQL the second request's INSERT of the key waits on the first one's
    uncommitted row and then replays it. SQLite runs write transactions one after the
    other (IMMEDIATE), and its shared in-memory test database cannot show the race.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent write transactions (PostgreSQL)")
    # given an administrator and a service slow enough for the requests to overlap
    organisation = OrganisationFactory()
    admin = StaffFactory(
        organisation=organisation, roles=["admin"], branches=[BranchFactory(organisation=organisation)]
    ).user
    started = threading.Event()
    original = core_services.branch_create

    def slow_branch_create(**kwargs):
        started.set()
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(core_services, "branch_create", slow_branch_create)
    responses = []

    def send():
        try:
            client = Client()
            client.force_login(admin)
            responses.append(_create(client, WEST, key="race"))
        finally:
            connection.close()

    # when
    first = threading.Thread(target=send)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=send)
    second.start()
    first.join(20)
    second.join(20)
    # then
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sum(r.has_header(REPLAYED_HEADER) for r in responses) == 1
    assert Branch.objects.filter(code="west").count() == 1
