"""Cases fixtures: an office-hours SLA policy, a team with routing, a case to work on."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import Channel
from frontoffice.interactions.models import SlaPolicyRecord, Team

WARSAW = ZoneInfo("Europe/Warsaw")
OFFICE_HOURS = {str(day): [["08:00", "16:00"]] for day in range(5)}


def warsaw(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW)


@pytest.fixture
def office_policy(organisation):
    """Monday–Friday 08:00–16:00 in Warsaw: first response 4 h, next response 2 h, resolution 8 h."""
    return SlaPolicyRecord.objects.create(
        organisation=organisation,
        name="Biuro",
        order=100,
        first_response_minutes=240,
        next_response_minutes=120,
        resolution_minutes=480,
        weekly_hours=OFFICE_HOURS,
    )


@pytest.fixture
def line_team(organisation, branch, agent, clerk):
    """The phone line's team (no lead), agent and clerk in it."""
    team = Team.objects.create(organisation=organisation, branch=branch, name="Infolinia")
    team.members.set([agent, clerk])
    return team


@pytest.fixture
def case(branch, agent, caller):
    return case_services.case_create(
        branch=branch, subject="Faktura do poprawy", actor=agent, channel=Channel.EMAIL, client=caller
    )
