"""Interactions fixtures: clients to match callers and senders to."""

import pytest

from frontoffice.clients.services import ClientData, client_create

from .fixtures_cases import case, line_team, office_policy  # noqa: F401
from .fixtures_chat import _fresh_rate_limits, waiting_chat, widget  # noqa: F401
from .fixtures_contacts import call, call_back, team, topic  # noqa: F401 - contacts fixtures
from .fixtures_mail import dovecot, live_mailbox, mailbox, smtp_server  # noqa: F401
from .fixtures_phone import cti_post, cti_token  # noqa: F401


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
