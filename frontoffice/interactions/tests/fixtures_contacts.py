"""Contacts fixtures: a topic list, a team, and a logged call with a follow-up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from frontoffice.interactions import services
from frontoffice.interactions.choices import Channel, Outcome
from frontoffice.interactions.contacts import services as contact_services


@pytest.fixture
def topic(organisation, manager):
    return contact_services.topic_create(
        organisation=organisation, actor=manager, name="Appointment", name_pl="Wizyta", position=1
    )


@pytest.fixture
def team(branch, manager, clerk, agent):
    return contact_services.team_create(
        branch=branch, actor=manager, name="Rejestracja", lead=manager, members=[clerk, agent]
    )


@pytest.fixture
def call(branch, clerk, caller, topic):
    """Jan Wiśniewski rang the clerk about his appointment."""
    return services.interaction_record(
        branch=branch,
        channel=Channel.PHONE,
        actor=clerk,
        staff=clerk,
        contact_address="600 200 300",
        topic=topic,
        outcome=Outcome.INFORMATION,
        summary="Pytał o godzinę wizyty.",
    )


@pytest.fixture
def call_back(call, clerk):
    """The clerk promised to call Jan back tomorrow."""
    return services.follow_up_create(
        owner=clerk,
        due_at=timezone.now() + timedelta(days=1),
        note="Oddzwonić z wynikami",
        actor=clerk,
        interaction=call,
    )
