"""Interactions fixtures: clients to match callers and senders to."""

import pytest

from frontoffice.clients.services import ClientData, client_create

from .fixtures_cases import case, office_policy, team  # noqa: F401


@pytest.fixture
def caller(organisation, clerk, branch):
    """A client whose mobile number is on file."""
    return client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Jan", family_name="Wiśniewski", phones=["600 200 300"], emails=["jan.w@example.invalid"]
        ),
        branch=branch,
    )
