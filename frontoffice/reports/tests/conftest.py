"""Reports fixtures: two more agents, and the golden scenario recorded as reporting events."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.personas import staff_user

from .scenario import Cast, events, record

# After every scenario day's FCR window (7 days + 2) has passed.
LATER = dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def agent2(organisation, branch):
    return staff_user(organisation, ["agent"], [branch], "agent2")


@pytest.fixture
def agent3(organisation, other_branch):
    return staff_user(organisation, ["agent"], [other_branch], "agent3")


@pytest.fixture
def cast(organisation, branch, other_branch, agent, agent2, agent3):
    return Cast(organisation=organisation, north=branch, south=other_branch, a1=agent, a2=agent2, a3=agent3)


@pytest.fixture
def scenario(cast):
    """The golden scenario's events, recorded (not rolled up)."""
    rows = events(cast)
    record(cast, rows)
    return rows
