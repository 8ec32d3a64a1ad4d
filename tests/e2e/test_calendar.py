"""A clerk books an appointment by clicking a free slot of the calendar, then moves it with the Move form."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services as desk
from frontoffice.desk import services_calendar
from frontoffice.desk.models import Appointment
from tests.e2e.helpers import assert_page_shell, main_menu, sign_in

pytestmark = pytest.mark.e2e

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def surgery(organisation, branch, clerk):
    """Dr Ewa Nowicka works every day 08:00–16:00; Ewa Zielińska is a client; the day is tomorrow."""
    consultation = desk.visit_type_create(
        organisation=organisation, actor=None, name="Konsultacja", vertical="clinic", duration_minutes=30
    )
    resource = services_calendar.resource_create(
        branch=branch, actor=None, name="Dr Ewa Nowicka", kind="practitioner", visit_types=[consultation]
    )
    services_calendar.working_hours_set(
        resource=resource, actor=None, ranges=[(weekday, time(8), time(16)) for weekday in range(7)]
    )
    client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Ewa", family_name="Zielińska", phones=["600 111 222"]),
        branch=branch,
    )
    return datetime.now(WARSAW).date() + timedelta(days=1)


def test_a_clerk_books_a_free_slot_and_moves_it(page: Page, clerk, surgery):
    day = surgery
    sign_in(page, clerk)
    # Given the clerk opens tomorrow's calendar
    main_menu(page).get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    assert_page_shell(page)
    expect(page.get_by_role("heading", name="Dr Ewa Nowicka")).to_be_visible()

    # When she clicks the free 10:00 slot and books Ewa Zielińska
    page.get_by_role("link", name=f"Book 10:00 on {day.day}.{day.month:02d} with Dr Ewa Nowicka").click()
    dialog = page.locator("#calendar-dialog")
    expect(dialog.get_by_role("heading", name="Book an appointment")).to_be_visible()
    dialog.get_by_label("Client", exact=True).fill("zielinska")
    dialog.get_by_role("button", name="Ewa Zielińska").click()
    confirm = dialog.get_by_role("button", name="Yes, Ewa Zielińska")
    if confirm.count():
        confirm.click()
    expect(dialog.get_by_role("button", name="Choose another client")).to_be_visible()
    dialog.get_by_label("Visit type").select_option(label="Konsultacja")
    dialog.get_by_role("button", name="Book", exact=True).click()

    # Then the calendar shows the appointment at 10:00
    appointment_link = page.get_by_role("link", name="10:00 Ewa Zielińska · Konsultacja")
    expect(appointment_link).to_be_visible()
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime.combine(day, time(10), tzinfo=WARSAW)

    # When she opens it and moves it to 11:30 with the Move form
    appointment_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment of Ewa Zielińska")
    page.get_by_role("link", name="Move").click()
    page.get_by_label("Time").fill("11:30")
    page.get_by_role("button", name="Move").click()

    # Then the calendar shows it at 11:30 and the history keeps 10:00
    expect(page.get_by_role("link", name="11:30 Ewa Zielińska · Konsultacja")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime.combine(day, time(11, 30), tzinfo=WARSAW)
    assert appointment.history.earliest().starts_at == datetime.combine(day, time(10), tzinfo=WARSAW)
