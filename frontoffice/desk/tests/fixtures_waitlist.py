"""Waitlist fixtures: clients who may be contacted, and a helper to put one on the list."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose
from frontoffice.clients.services import ClientData, client_create, consent_give
from frontoffice.desk import services, services_calendar, services_waitlist

_PHONES = count(100)


@pytest.fixture(autouse=True)
def waitlist_hook():
    """Another test may have emptied the hooks: the waitlist is always listening here."""
    services_calendar.register_slot_freed(services_waitlist.slot_freed)


def waiting_client(organisation, clerk, branch, name, *, sms=True, email=False, **extra):
    given, family = name.split(" ", 1)
    client = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name=given,
            family_name=family,
            phones=[f"600 300 {next(_PHONES):03d}"],
            emails=[f"{given.lower()}@example.org"],
            **extra,
        ),
        branch=branch,
    )
    if sms:
        consent_give(client=client, actor=clerk, purpose=ConsentPurpose.SMS_REMINDERS, method=ConsentMethod.PAPER)
    if email:
        consent_give(client=client, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS, method=ConsentMethod.PAPER)
    return client


def wait(client, *, branch, clerk, visit_type, until, resource=None, priority=0, channel="sms", current=None):
    return services_waitlist.entry_create(
        branch=branch,
        actor=clerk,
        client=client,
        visit_type=visit_type,
        resource=resource,
        date_from=services.branch_today(branch),
        date_to=until,
        priority=priority,
        channel=channel,
        current_appointment=current,
    )


@pytest.fixture
def anna(organisation, clerk, branch):
    return waiting_client(organisation, clerk, branch, "Anna Wiśniewska")


@pytest.fixture
def marek(organisation, clerk, branch):
    return waiting_client(organisation, clerk, branch, "Marek Lewandowski")


@pytest.fixture
def friday(monday):
    return monday + timedelta(days=4)
