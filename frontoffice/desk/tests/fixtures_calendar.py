"""Calendar fixtures: Dr Nowak (practitioner) and the ultrasound room at ``branch``, working Monday to Friday
08:00–12:00 and 13:00–16:00 (a lunch break), and a Monday at least a week ahead to book on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontoffice.desk import services, services_calendar

WARSAW = ZoneInfo("Europe/Warsaw")
WEEK = [(weekday, time(8), time(12)) for weekday in range(5)] + [(weekday, time(13), time(16)) for weekday in range(5)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local (Warsaw) time on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW)


@pytest.fixture
def monday(branch) -> date:
    today = services.branch_today(branch)
    return today + timedelta(days=7 - today.weekday() + 7)


@pytest.fixture
def doctor(branch, manager, consultation):
    resource = services_calendar.resource_create(
        branch=branch, actor=manager, name="Dr Anna Nowak", kind="practitioner", visit_types=[consultation]
    )
    services_calendar.working_hours_set(resource=resource, actor=manager, ranges=WEEK)
    return resource


@pytest.fixture
def second_doctor(branch, manager, consultation):
    resource = services_calendar.resource_create(
        branch=branch, actor=manager, name="Dr Piotr Zieliński", kind="practitioner", visit_types=[consultation]
    )
    services_calendar.working_hours_set(resource=resource, actor=manager, ranges=WEEK)
    return resource


@pytest.fixture
def booked(doctor, patient, consultation, clerk, monday):
    """The patient's consultation with Dr Nowak on Monday at 09:00 (20 minutes)."""
    return services_calendar.appointment_book(
        resource=doctor, client=patient, visit_type=consultation, starts_at=at(monday, 9), actor=clerk
    ).appointment
