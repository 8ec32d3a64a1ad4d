"""A clerk cancels an appointment in the calendar; the waitlisted client is offered the freed slot by e-mail,
opens the link in another browser and accepts; the clerk sees the client's new appointment in the calendar."""

from __future__ import annotations

import re
import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from frontoffice.clients.choices import ConsentMethod, ConsentPurpose
from frontoffice.clients.services import ClientData, client_create, consent_give
from frontoffice.desk import services as desk
from frontoffice.desk import services_calendar, services_waitlist
from frontoffice.desk.models import Appointment
from tests.e2e.helpers import main_menu, sign_in

pytestmark = pytest.mark.e2e

WARSAW = ZoneInfo("Europe/Warsaw")
LINK = re.compile(r"(/desk/w/[^\s/]+/)")


@pytest.fixture
def surgery(organisation, branch, clerk):
    """Dr Ewa Nowicka works every day 08:00–16:00. Ewa Zielińska is booked tomorrow at 10:00; Anna Wiśniewska
    holds a consultation in four days and waits on the list for an earlier one, offered by e-mail."""
    services_calendar.register_slot_freed(services_waitlist.slot_freed)
    consultation = desk.visit_type_create(
        organisation=organisation, actor=None, name="Konsultacja", vertical="clinic", duration_minutes=30
    )
    resource = services_calendar.resource_create(
        branch=branch, actor=None, name="Dr Ewa Nowicka", kind="practitioner", visit_types=[consultation]
    )
    services_calendar.working_hours_set(
        resource=resource, actor=None, ranges=[(weekday, time(8), time(16)) for weekday in range(7)]
    )
    ewa = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Ewa", family_name="Zielińska", phones=["600 111 222"]),
        branch=branch,
    )
    anna = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            given_name="Anna", family_name="Wiśniewska", emails=["anna.w@example.org"], preferred_language="en"
        ),
        branch=branch,
    )
    consent_give(client=anna, actor=clerk, purpose=ConsentPurpose.EMAIL_REMINDERS, method=ConsentMethod.PAPER)
    day = datetime.now(WARSAW).date() + timedelta(days=1)
    services_calendar.appointment_book(
        resource=resource,
        client=ewa,
        visit_type=consultation,
        starts_at=datetime.combine(day, time(10), tzinfo=WARSAW),
        actor=clerk,
    )
    later = services_calendar.appointment_book(
        resource=resource,
        client=anna,
        visit_type=consultation,
        starts_at=datetime.combine(day + timedelta(days=3), time(10), tzinfo=WARSAW),
        actor=clerk,
    ).appointment
    services_waitlist.entry_create(
        branch=branch,
        actor=clerk,
        client=anna,
        visit_type=consultation,
        date_from=day,
        date_to=day + timedelta(days=2),
        channel="email",
        current_appointment=later,
    )
    return day, anna, later


def _offer_link() -> str:
    """The link of the offer e-mail (delivered by the worker task after the cancellation commits); Anna's
    other mail (the confirmation of her later appointment) carries no offer link."""
    for _attempt in range(100):
        for message in mail.outbox:
            found = LINK.search(message.body) if message.to == ["anna.w@example.org"] else None
            if found:
                return found.group(1)
        clock.sleep(0.1)
    raise AssertionError("no offer e-mail was sent")


def test_a_waitlisted_client_receives_and_accepts_a_freed_slot(page: Page, new_page, clerk, surgery):
    day, anna, later = surgery
    sign_in(page, clerk)
    # Given the clerk opens tomorrow's calendar and Ewa Zielińska's appointment
    main_menu(page).get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="10:00 Ewa Zielińska · Konsultacja").click()

    # When she cancels it with a reason
    page.get_by_label("Why is it cancelled?").fill("Pacjentka chora")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_text("Appointment cancelled.")).to_be_visible()

    # Then Anna is sent the offer, opens its link on her own device and accepts
    path = _offer_link()
    phone = new_page()
    phone.goto(path)
    expect(phone.get_by_role("heading", name="An earlier appointment")).to_be_visible()
    expect(phone.get_by_text("Dr Ewa Nowicka")).to_be_visible()
    phone.get_by_role("button", name="Accept this time").click()
    expect(phone.get_by_text("Booked. See you then!")).to_be_visible()
    expect(phone.get_by_text("Your later appointment has been cancelled.")).to_be_visible()

    # And the clerk sees Anna's new appointment at 10:00 in the calendar
    page.get_by_role("link", name="Back to the calendar").click()
    expect(page.get_by_role("link", name="10:00 Anna Wiśniewska · Konsultacja")).to_be_visible()
    new = Appointment.objects.get(client=anna, status="booked")
    assert new.starts_at == datetime.combine(day, time(10), tzinfo=WARSAW)
    later.refresh_from_db()
    assert later.status == "cancelled"
