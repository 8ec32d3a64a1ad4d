"""The signed-in user and the staff directory through the API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import StaffFactory
from tests.test_api_support import API, assert_problem, bearer_client

# --- /me -----------------------------------------------------------------------


def test_clerk_reads_own_profile(clerk, organisation, branch):
    # when
    response = bearer_client(clerk).get(f"{API}/me")
    # then
    assert response.status_code == 200
    me = response.json()
    assert me["id"] == clerk.pk
    assert me["username"] == "clerk"
    assert me["full_name"] == clerk.get_full_name()
    assert me["email"] == clerk.email
    assert me["organisation"] == {"id": organisation.pk, "name": "Przychodnia Testowa"}
    assert me["staff_id"] == clerk.staff.pk
    assert me["roles"] == ["clerk"]
    assert me["branch_ids"] == [branch.pk]
    assert me["sees_all_branches"] is False
    assert "core.view_organisation_settings" in me["permissions"]
    assert "core.manage_organisation" not in me["permissions"]
    assert {"language", "time_zone"} <= me.keys()


def test_admin_profile_shows_organisation_wide_scope(login, admin):
    # when (through the browser session this time)
    me = login(admin).get(f"{API}/me").json()
    # then
    assert me["roles"] == ["admin"]
    assert me["sees_all_branches"] is True
    assert "core.manage_organisation" in me["permissions"]


# --- /staff ------------------------------------------------------------------------


def _usernames(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["username"] for item in response.json()["items"]}


def test_manager_lists_staff_of_own_branch(manager, clerk, guard, outsider_branch, outsider_org):
    # when
    response = bearer_client(manager).get(f"{API}/staff")
    # then
    assert _usernames(response) == {"manager", "clerk", "guard"}


def test_executive_lists_staff_of_every_branch_but_not_other_organisations(
    executive, manager, outsider_branch, outsider_org
):
    # when
    response = bearer_client(executive).get(f"{API}/staff")
    # then
    assert {"executive", "manager", "outsider_branch"} <= _usernames(response)
    assert "outsider_org" not in _usernames(response)


def test_staff_filters_by_role_branch_and_search(executive, manager, clerk, guard, outsider_branch, other_branch):
    # given
    client = bearer_client(executive)
    # when / then
    assert _usernames(client.get(f"{API}/staff?role=security")) == {"guard"}
    assert _usernames(client.get(f"{API}/staff?branch={other_branch.pk}")) == {"outsider_branch"}
    assert _usernames(client.get(f"{API}/staff?search=outsider")) == {"outsider_branch"}
    assert "guard" in _usernames(client.get(f"{API}/staff?role=&branch="))  # empty filters mean any


def test_staff_item_shows_roles_and_branches(manager, clerk, branch):
    # when
    items = bearer_client(manager).get(f"{API}/staff?search=clerk").json()["items"]
    # then
    assert len(items) == 1
    assert items[0]["roles"] == ["clerk"]
    assert items[0]["branch_ids"] == [branch.pk]
    assert items[0]["employer_kind"] == "in_house"
    assert items[0]["contractor"] is None


def test_manager_reads_colleague(manager, clerk):
    # when
    response = bearer_client(manager).get(f"{API}/staff/{clerk.staff.pk}")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "clerk"


def test_manager_cannot_see_staff_of_other_branch(manager, outsider_branch):
    # when
    response = bearer_client(manager).get(f"{API}/staff/{outsider_branch.staff.pk}")
    # then
    assert_problem(response, 404)


def test_outsider_org_cannot_see_staff(outsider_org, clerk):
    # when
    response = bearer_client(outsider_org).get(f"{API}/staff/{clerk.staff.pk}")
    # then
    assert_problem(response, 404)


def test_clerk_cannot_read_staff_member(clerk, manager):
    # when
    response = bearer_client(clerk).get(f"{API}/staff/{manager.staff.pk}")
    # then
    assert_problem(response, 403)


def test_stable_pages_when_names_repeat(executive, organisation, branch):
    # given many staff with one surname: the directory's order alone would not be stable
    StaffFactory.create_batch(
        12,
        organisation=organisation,
        roles=["clerk"],
        branches=[branch],
        user__first_name="Anna",
        user__last_name="Nowak",
    )
    client = bearer_client(executive)
    # when
    seen: list[int] = []
    for offset in range(0, 13, 4):
        seen += [item["id"] for item in client.get(f"{API}/staff?limit=4&offset={offset}").json()["items"]]
    # then
    assert len(seen) == len(set(seen)) == 13


def test_staff_list_query_count_does_not_grow_with_rows(
    login, admin, organisation, branch, other_branch, django_assert_max_num_queries
):
    # given three staff members with roles and branches
    client = login(admin)

    def add(count: int) -> None:
        StaffFactory.create_batch(
            count, organisation=organisation, roles=["clerk", "agent"], branches=[branch, other_branch]
        )

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/staff").json()["count"] == 3
    # when there are thirty
    add(27)
    # then the list takes no more queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{API}/staff")
    items = [item for item in response.json()["items"] if item["username"] != "admin"]
    assert len(items) == 29
    assert all(item["roles"] == ["agent", "clerk"] and len(item["branch_ids"]) == 2 for item in items)
