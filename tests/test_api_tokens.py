"""Personal API tokens through the API: list, create (shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontoffice.accounts.models import ApiToken
from frontoffice.accounts.services import api_token_create
from tests.test_api_support import API, assert_problem, bearer_client, field_errors, post_json


def test_clerk_lists_only_own_tokens(login, clerk, agent):
    # given
    api_token_create(user=clerk, name="PBX")
    api_token_create(user=agent, name="Agent's")
    # when
    response = login(clerk).get(f"{API}/tokens")
    # then
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["PBX"]
    assert "token" not in response.json()["items"][0]
    assert "token_hash" not in response.json()["items"][0]


def test_clerk_creates_token_and_uses_it(login, clerk):
    # when
    response = post_json(login(clerk), "/tokens", {"name": "PBX integration"})
    # then the token is in the answer, once
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["name"] == "PBX integration"
    assert created["token"].startswith(created["prefix"])
    assert created["is_usable"] is True
    # and it works
    me = Client(headers={"Authorization": f"Bearer {created['token']}"}).get(f"{API}/me")
    assert me.json()["username"] == "clerk"
    # and is never shown again
    listed = login(clerk).get(f"{API}/tokens").json()["items"]
    assert created["token"] not in str(listed)


def test_token_expiry_is_stored(login, clerk):
    # given
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    # when
    response = post_json(login(clerk), "/tokens", {"name": "Short", "expires_at": expires.isoformat()})
    # then
    assert response.status_code == 201, response.content
    assert ApiToken.objects.get(name="Short").expires_at == expires


@pytest.mark.parametrize("expires_at", ["2001-01-01T00:00:00Z", "yesterday", 12])
def test_token_expiry_must_be_a_future_time(login, clerk, expires_at):
    # when
    response = post_json(login(clerk), "/tokens", {"name": "Old", "expires_at": expires_at})
    # then
    assert "expires_at" in field_errors(assert_problem(response, 422))
    assert not ApiToken.objects.exists()


def test_token_needs_a_name(login, clerk):
    # when
    response = post_json(login(clerk), "/tokens", {"name": "   "})
    # then
    assert field_errors(assert_problem(response, 422)) == {"name": "string_too_short"}


def test_clerk_revokes_own_token(clerk):
    # given
    token, raw = api_token_create(user=clerk, name="Old PBX")
    client = bearer_client(clerk)
    # when
    response = client.post(f"{API}/tokens/{token.pk}/revoke")
    # then
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert response.json()["is_usable"] is False
    assert_problem(Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me"), 401)
    # revoking again changes nothing
    again = client.post(f"{API}/tokens/{token.pk}/revoke")
    assert again.json()["revoked_at"] == response.json()["revoked_at"]


def test_clerk_cannot_revoke_colleagues_token(clerk, agent):
    # given
    token, _raw = api_token_create(user=agent, name="Agent's")
    # when
    response = bearer_client(clerk).post(f"{API}/tokens/{token.pk}/revoke")
    # then
    assert_problem(response, 404)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_outsider_org_cannot_revoke_token(outsider_org, admin):
    # given
    token, _raw = api_token_create(user=admin, name="Admin's")
    # when
    response = bearer_client(outsider_org).post(f"{API}/tokens/{token.pk}/revoke")
    # then
    assert_problem(response, 404)


def test_token_revokes_itself(clerk):
    # given
    client = bearer_client(clerk)
    own = ApiToken.objects.get(user=clerk)
    # when
    response = client.post(f"{API}/tokens/{own.pk}/revoke")
    # then the answer still arrives, and the next request is refused
    assert response.status_code == 200
    assert_problem(client.get(f"{API}/me"), 401)
