"""Personas shared by every test: one organisation with two branches, and an outsider organisation.

- ``clerk``, ``agent``, ``guard``, ``manager``: branch-bound, working in ``branch``;
- ``executive``, ``admin``: organisation-wide;
- ``outsider_branch``: a manager of the same organisation in ``other_branch`` only;
- ``outsider_org``: an administrator of ``other_organisation``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import fast_flush
from tests.factories import PASSWORD, BranchFactory, OrganisationFactory
from tests.personas import staff_user

fast_flush.install()


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with the tests under ``tests/demo/`` as one group, sent to one worker, so that the
    demo is loaded once. (xdist's ``xdist_group`` marker does not group anything under pytest 9: xdist writes
    the group into ``item._nodeid``, which pytest no longer reads.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class _Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "demo" if nodeid.startswith("tests/demo/") else super()._split_scope(nodeid)

    return _Scheduling(config, log)


@pytest.fixture(autouse=True)
def _english_and_fresh_caches(settings):
    """Tests read English text unless they switch; scope caches live on user objects only."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Przychodnia Testowa", slug="testowa")


@pytest.fixture
def branch(organisation):
    return BranchFactory(organisation=organisation, name="Oddział Północ", code="north")


@pytest.fixture
def other_branch(organisation):
    return BranchFactory(organisation=organisation, name="Oddział Południe", code="south")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Hotel Obcy", slug="obcy")


@pytest.fixture
def foreign_branch(other_organisation):
    return BranchFactory(organisation=other_organisation, name="Oddział Obcy", code="foreign")


@pytest.fixture
def clerk(organisation, branch):
    return staff_user(organisation, ["clerk"], [branch], "clerk")


@pytest.fixture
def agent(organisation, branch):
    return staff_user(organisation, ["agent"], [branch], "agent")


@pytest.fixture
def guard(organisation, branch):
    return staff_user(organisation, ["security"], [branch], "guard")


@pytest.fixture
def manager(organisation, branch):
    return staff_user(organisation, ["manager"], [branch], "manager")


@pytest.fixture
def executive(organisation):
    return staff_user(organisation, ["executive"], [], "executive")


@pytest.fixture
def admin(organisation):
    return staff_user(organisation, ["admin"], [], "admin")


@pytest.fixture
def outsider_branch(organisation, other_branch):
    return staff_user(organisation, ["manager"], [other_branch], "outsider_branch")


@pytest.fixture
def outsider_org(other_organisation, foreign_branch):
    return staff_user(other_organisation, ["admin"], [foreign_branch], "outsider_org")


PERSONAS = ("clerk", "agent", "guard", "manager", "executive", "admin", "outsider_branch", "outsider_org")


@pytest.fixture
def login(client: Client):
    """``login(user)`` signs ``user`` in on the test client and returns the client."""

    def _login(user) -> Client:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password() -> str:
    return PASSWORD
