"""The organisation and its branches through the API, scoped to the user."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontoffice.core.models import AuditEntry, Branch
from tests.factories import BranchFactory
from tests.test_api_support import API, assert_problem, bearer_client, post_json

# --- organisation -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["clerk", "agent", "guard", "manager", "executive", "admin"])
def test_every_role_reads_its_organisation(request, persona, organisation):
    # given
    user = request.getfixturevalue(persona)
    # when
    response = bearer_client(user).get(f"{API}/organisation")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == organisation.pk
    assert response.json()["name"] == "Przychodnia Testowa"


def test_outsider_reads_only_their_own_organisation(outsider_org, other_organisation):
    # when
    response = bearer_client(outsider_org).get(f"{API}/organisation")
    # then
    assert response.json()["id"] == other_organisation.pk


# --- branch list and detail -----------------------------------------------------


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_clerk_lists_only_own_branch(clerk, branch, other_branch, foreign_branch):
    # when
    response = bearer_client(clerk).get(f"{API}/branches")
    # then
    assert _ids(response) == {branch.pk}
    assert response.json()["count"] == 1


def test_executive_lists_every_branch_of_the_organisation(executive, branch, other_branch, foreign_branch):
    # when
    response = bearer_client(executive).get(f"{API}/branches")
    # then
    assert _ids(response) == {branch.pk, other_branch.pk}


def test_outsider_org_lists_only_foreign_branch(outsider_org, branch, foreign_branch):
    # when
    response = bearer_client(outsider_org).get(f"{API}/branches")
    # then
    assert _ids(response) == {foreign_branch.pk}


def test_branch_search_matches_name_city_and_code(executive, organisation, branch, other_branch):
    # given
    BranchFactory(organisation=organisation, name="Filia", city="Gdańsk", code="gdn")
    client = bearer_client(executive)
    # when / then
    assert {item["code"] for item in client.get(f"{API}/branches?search=gdań").json()["items"]} == {"gdn"}
    assert {item["code"] for item in client.get(f"{API}/branches?search=GDN").json()["items"]} == {"gdn"}
    assert {item["code"] for item in client.get(f"{API}/branches?search=Północ").json()["items"]} == {"north"}


def test_inactive_branches_are_listed_only_on_request(executive, organisation, branch):
    # given
    closed = BranchFactory(organisation=organisation, is_active=False)
    client = bearer_client(executive)
    # when / then
    assert closed.pk not in _ids(client.get(f"{API}/branches"))
    assert closed.pk in _ids(client.get(f"{API}/branches?include_inactive=true"))


def test_clerk_reads_own_branch(clerk, branch):
    # when
    response = bearer_client(clerk).get(f"{API}/branches/{branch.pk}")
    # then
    assert response.status_code == 200
    assert response.json() | {"id": branch.pk, "code": "north", "is_active": True} == response.json()


def test_clerk_cannot_see_other_branch(clerk, other_branch):
    # when
    response = bearer_client(clerk).get(f"{API}/branches/{other_branch.pk}")
    # then
    assert_problem(response, 404)


def test_outsider_branch_cannot_see_branch(outsider_branch, branch):
    # when
    response = bearer_client(outsider_branch).get(f"{API}/branches/{branch.pk}")
    # then
    assert_problem(response, 404)


def test_outsider_org_cannot_see_branch(outsider_org, branch):
    # when
    response = bearer_client(outsider_org).get(f"{API}/branches/{branch.pk}")
    # then
    assert_problem(response, 404)


def test_admin_of_other_organisation_cannot_see_branch_even_as_admin(outsider_org, other_branch):
    # when
    response = bearer_client(outsider_org).get(f"{API}/branches/{other_branch.pk}")
    # then
    assert_problem(response, 404)


def test_executive_sees_other_branch(executive, other_branch):
    # when
    response = bearer_client(executive).get(f"{API}/branches/{other_branch.pk}")
    # then
    assert response.status_code == 200


# --- creating a branch -------------------------------------------------------------


def test_admin_creates_branch(admin, organisation):
    # when
    response = post_json(
        bearer_client(admin),
        "/branches",
        {
            "name": "  Oddział Zachód ",
            "code": "west",
            "street": "Piotrkowska 1",
            "postal_code": "90-001",
            "city": "Łódź",
            "email": "zachod@example.invalid",
            "time_zone": "Europe/Warsaw",
        },
    )
    # then
    assert response.status_code == 201, response.content
    branch = Branch.objects.get(code="west")
    assert branch.organisation == organisation
    assert branch.name == "Oddział Zachód"  # stripped, like the form does
    assert response.json()["id"] == branch.pk
    assert response.json()["address"] == "Piotrkowska 1, 90-001 Łódź"
    assert AuditEntry.objects.filter(action="branch.create", target_id=str(branch.pk), actor=admin).exists()


def test_outsider_admin_creates_branch_in_own_organisation(outsider_org, other_organisation):
    # when
    response = post_json(bearer_client(outsider_org), "/branches", {"name": "Nowy", "code": "north"})
    # then the code may repeat another organisation's
    assert response.status_code == 201, response.content
    assert Branch.objects.get(pk=response.json()["id"]).organisation == other_organisation


def test_manager_cannot_create_branch(manager):
    # when
    response = post_json(bearer_client(manager), "/branches", {"name": "X", "code": "x"})
    # then
    assert_problem(response, 403)
    assert not Branch.objects.filter(code="x").exists()


# --- queries do not grow with rows ----------------------------------------------------


def test_branch_list_query_count_does_not_grow_with_rows(login, executive, organisation, django_assert_max_num_queries):
    # given three branches
    client = login(executive)
    BranchFactory.create_batch(3, organisation=organisation)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/branches").json()["count"] == 3
    # when there are thirty
    BranchFactory.create_batch(27, organisation=organisation)
    # then the list takes no more queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{API}/branches").json()["count"] == 30
