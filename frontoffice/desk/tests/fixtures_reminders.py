"""Reminder fixtures: a client who consented to SMS reminders, an all-day calendar, "soon today" times."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create, consent_give
from frontoffice.desk import services_calendar, slots


@pytest.fixture
def reminded(organisation, clerk, branch):
    """Ewa Wiśniewska, born 1984-03-09: consented to SMS reminders, has a phone and an e-mail, prefers SMS."""
    client = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Ewa",
            family_name="Wiśniewska",
            date_of_birth=datetime(1984, 3, 9).date(),
            preferred_language="en",
            preferred_channel="sms",
            phones=["600 700 800"],
            emails=["ewa.w@example.org"],
        ),
        branch=branch,
    )
    consent_give(client=client, actor=clerk, purpose="sms_reminders", method="paper")
    return client


@pytest.fixture
def all_day(branch, manager, consultation):
    """A room bookable at any time of any day (for appointments "soon, today")."""
    resource = services_calendar.resource_create(
        branch=branch, actor=manager, name="Gabinet zabiegowy", kind="room", visit_types=[consultation]
    )
    services_calendar.working_hours_set(
        resource=resource, actor=manager, ranges=[(weekday, time(0), time(23, 59)) for weekday in range(7)]
    )
    return resource


def soon_today(branch) -> datetime:
    """Five minutes ago, local time: inside the self check-in window and still today (skips near midnight)."""
    zone = slots.zone_of(branch)
    now = timezone.localtime(timezone.now(), zone)
    if now.time() >= time(23, 30) or now.time() < time(0, 10):
        pytest.skip("an appointment 'today, now' cannot be booked this close to midnight")
    return (now - timedelta(minutes=5)).replace(second=0, microsecond=0)


@pytest.fixture
def today_appointment(all_day, reminded, consultation, clerk, branch):
    return services_calendar.appointment_book(
        resource=all_day,
        client=reminded,
        visit_type=consultation,
        starts_at=soon_today(branch),
        actor=clerk,
        allow_past=True,
    ).appointment
