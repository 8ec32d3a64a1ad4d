"""Who may call the API: sessions with CSRF, bearer tokens, staff membership, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontoffice.accounts.models import ApiToken
from frontoffice.accounts.services import api_token_revoke
from frontoffice.core.apikit import CSRF_FAILED, NOT_A_STAFF_MEMBER
from frontoffice.core.models import AuditEntry, Branch
from tests.factories import BranchFactory, OrganisationFactory, StaffFactory, UserFactory
from tests.test_api_support import API, assert_problem, bearer_client, post_json, raw_token

NEW_BRANCH = {"name": "Oddział Zachód", "code": "west", "city": "Łódź"}


# --- anonymous ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/me", "/organisation", "/branches", "/staff", "/tokens"])
def test_anonymous_cannot_read(client, db, path):
    # when
    response = client.get(API + path)
    # then
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in body["detail"]


def test_anonymous_cannot_create_branch(db):
    # given a client that enforces CSRF, as browsers do
    client = Client(enforce_csrf_checks=True)
    # when
    response = post_json(client, "/branches", NEW_BRANCH)
    # then it is told to authenticate, not that CSRF failed
    assert_problem(response, 401)
    assert not Branch.objects.filter(code="west").exists()


# --- bearer tokens --------------------------------------------------------


def test_clerk_reads_me_with_bearer_token(clerk):
    # given
    client = bearer_client(clerk)
    # when
    response = client.get(f"{API}/me")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "clerk"


def test_bearer_token_records_last_use(clerk):
    # given
    raw = raw_token(clerk)
    # when
    Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me")
    # then
    assert ApiToken.objects.get(user=clerk).last_used_at is not None


def test_revoked_token_is_refused(clerk):
    # given
    raw = raw_token(clerk)
    api_token_revoke(token=ApiToken.objects.get(user=clerk), actor=clerk)
    # when
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me")
    # then
    assert_problem(response, 401)


def test_expired_token_is_refused(clerk):
    # given
    raw = raw_token(clerk, expires_at=timezone.now() - timedelta(minutes=1))
    # when
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me")
    # then
    assert_problem(response, 401)


@pytest.mark.parametrize("header", ["Bearer fo_not-a-real-token", "Bearer ", "Bearer nonsense", "bearer fo_x"])
def test_unknown_token_is_refused(db, header):
    # when
    response = Client(headers={"Authorization": header}).get(f"{API}/me")
    # then
    assert_problem(response, 401)


def test_token_of_deactivated_user_is_refused(clerk):
    # given
    raw = raw_token(clerk)
    clerk.is_active = False
    clerk.save()
    # when
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me")
    # then
    assert_problem(response, 401)


def test_wrong_token_does_not_fall_back_to_the_session(login, clerk):
    # given a signed-in browser that also sends a bad token
    client = login(clerk)
    # when
    response = client.get(f"{API}/me", headers={"Authorization": "Bearer fo_wrong"})
    # then the token decides
    assert_problem(response, 401)


def test_admin_creates_branch_with_bearer_token_without_csrf(admin):
    # given a client that enforces CSRF: a token request must not need it
    client = bearer_client(admin, enforce_csrf_checks=True)
    # when
    response = post_json(client, "/branches", NEW_BRANCH)
    # then
    assert response.status_code == 201, response.content
    branch = Branch.objects.get(code="west")
    # the token's user is request.user, so the audit entry and the history name the admin
    assert AuditEntry.objects.get(action="branch.create").actor == admin
    assert branch.history.get().history_user == admin


# --- sessions and CSRF ----------------------------------------------------


def _csrf_session(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(f"{API}/docs")  # the docs page hands out the CSRF cookie, as Swagger UI uses it
    return client, client.cookies["csrftoken"].value


def test_admin_creates_branch_with_session_and_csrf_token(admin):
    # given
    client, csrf = _csrf_session(admin)
    # when
    response = post_json(client, "/branches", NEW_BRANCH, headers={"X-CSRFToken": csrf})
    # then
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "west"


def test_session_post_without_csrf_token_is_refused(admin):
    # given
    client, _csrf = _csrf_session(admin)
    # when
    response = post_json(client, "/branches", NEW_BRANCH)
    # then
    assert_problem(response, 403, type=CSRF_FAILED)
    assert not Branch.objects.filter(code="west").exists()


def test_session_get_needs_no_csrf_token(admin):
    # given
    client, _csrf = _csrf_session(admin)
    # when
    response = client.get(f"{API}/me")
    # then
    assert response.status_code == 200


# --- staff membership and permissions ---------------------------------------


def test_user_without_staff_member_is_forbidden(login, db):
    # given a user who belongs to no organisation
    user = UserFactory()
    # when
    response = login(user).get(f"{API}/me")
    # then
    body = assert_problem(response, 403, type=NOT_A_STAFF_MEMBER)
    assert body["detail"] == "Your account is not an active staff member of any organisation."


def test_superuser_without_staff_member_is_forbidden(db):
    # given a superuser holds every permission, but works for no organisation
    user = UserFactory(is_superuser=True, is_staff=True)
    # when
    response = bearer_client(user).get(f"{API}/branches")
    # then
    assert_problem(response, 403, type=NOT_A_STAFF_MEMBER)


def test_inactive_staff_member_is_forbidden(login, organisation, branch):
    # given
    user = StaffFactory(organisation=organisation, roles=["clerk"], branches=[branch], is_active=False).user
    # when
    response = login(user).get(f"{API}/me")
    # then
    assert_problem(response, 403)


@pytest.mark.parametrize("persona", ["clerk", "agent", "guard", "manager", "executive"])
def test_only_admin_may_create_branch(request, persona):
    # given
    user = request.getfixturevalue(persona)
    # when
    response = post_json(bearer_client(user), "/branches", NEW_BRANCH)
    # then
    assert_problem(response, 403)
    assert not Branch.objects.filter(code="west").exists()


def test_clerk_cannot_create_branch(clerk):
    # when
    response = post_json(bearer_client(clerk), "/branches", NEW_BRANCH)
    # then
    body = assert_problem(response, 403)
    assert body["type"] == "about:blank"


@pytest.mark.parametrize("persona", ["clerk", "agent", "guard"])
def test_front_line_staff_cannot_list_staff(request, persona):
    # given
    user = request.getfixturevalue(persona)
    # when
    response = bearer_client(user).get(f"{API}/staff")
    # then
    assert_problem(response, 403)


def test_manager_who_owes_second_factor_uses_api_token(login, db):
    # given a manager of an organisation that requires MFA, without a second factor yet
    organisation = OrganisationFactory(require_mfa=True)
    branch = BranchFactory(organisation=organisation)
    manager = StaffFactory(organisation=organisation, roles=["manager"], branches=[branch]).user
    # when the browser session calls the API, it is stopped until the second factor
    session_response = login(manager).get(f"{API}/me")
    # then
    assert_problem(session_response, 403)
    # but a personal token works
    assert bearer_client(manager).get(f"{API}/me").status_code == 200
