"""The shared cast of tests: one organisation with two branches, and an outsider organisation.

``conftest.py`` hands these out one fixture at a time; the permission matrix builds them all at once
(``build_personas``) inside its module-wide transaction.
"""

from __future__ import annotations

from typing import Any

from tests.factories import BranchFactory, OrganisationFactory, StaffFactory


def staff_user(organisation, roles, branches, username):
    return StaffFactory(organisation=organisation, roles=roles, branches=branches, user__username=username).user


def build_personas() -> dict[str, Any]:
    """Everything the persona fixtures of ``conftest.py`` give, with the same names and values."""
    organisation = OrganisationFactory(name="Przychodnia Testowa", slug="testowa")
    branch = BranchFactory(organisation=organisation, name="Oddział Północ", code="north")
    other_branch = BranchFactory(organisation=organisation, name="Oddział Południe", code="south")
    other_organisation = OrganisationFactory(name="Hotel Obcy", slug="obcy")
    foreign_branch = BranchFactory(organisation=other_organisation, name="Oddział Obcy", code="foreign")
    return {
        "organisation": organisation,
        "branch": branch,
        "other_branch": other_branch,
        "other_organisation": other_organisation,
        "foreign_branch": foreign_branch,
        "clerk": staff_user(organisation, ["clerk"], [branch], "clerk"),
        "agent": staff_user(organisation, ["agent"], [branch], "agent"),
        "guard": staff_user(organisation, ["security"], [branch], "guard"),
        "manager": staff_user(organisation, ["manager"], [branch], "manager"),
        "executive": staff_user(organisation, ["executive"], [], "executive"),
        "admin": staff_user(organisation, ["admin"], [], "admin"),
        "outsider_branch": staff_user(organisation, ["manager"], [other_branch], "outsider_branch"),
        "outsider_org": staff_user(other_organisation, ["admin"], [foreign_branch], "outsider_org"),
    }
