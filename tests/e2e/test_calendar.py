"""A clerk books an appointment by clicking a free slot of the calendar, moves it with the Move form, and
drags one to another time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from frontoffice.clients.models import Client
from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services as desk
from frontoffice.desk import services_calendar
from frontoffice.desk.models import Appointment, Resource
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
    page.get_by_role("link", name="Move", exact=True).click()
    page.get_by_label("Time").fill("11:30")
    page.get_by_role("button", name="Move").click()

    # Then the calendar shows it at 11:30 and the history keeps 10:00
    expect(page.get_by_role("link", name="11:30 Ewa Zielińska · Konsultacja")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime.combine(day, time(11, 30), tzinfo=WARSAW)
    assert appointment.history.earliest().starts_at == datetime.combine(day, time(10), tzinfo=WARSAW)


def drag(page: Page, source: Locator, target: Locator) -> None:
    """Drag with the mouse as a person does: press on the source and move a little first, so that the drag
    starts there (Locator.drag_to moves in one step, and Chromium then starts the drag wherever the pointer
    has arrived)."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2 + 5, steps=3)
    target.hover()
    target.hover()  # a second move delivers the dragover that lets the drop happen
    page.mouse.up()


def test_a_clerk_drags_an_appointment_to_another_time_and_a_taken_slot_is_refused(page: Page, clerk, surgery):
    day = surgery
    client = Client.objects.get()
    resource = Resource.objects.get()
    visit_type = resource.visit_types.get()
    starts = datetime.combine(day, time(9), tzinfo=WARSAW)
    booked = services_calendar.appointment_book(
        resource=resource, client=client, visit_type=visit_type, starts_at=starts, actor=clerk
    ).appointment
    other = client_create(
        organisation=client.organisation, actor=clerk, data=ClientData(given_name="Olga", family_name="Brzoza")
    )
    services_calendar.appointment_book(
        resource=resource, client=other, visit_type=visit_type, starts_at=starts.replace(hour=10), actor=clerk
    )
    sign_in(page, clerk)
    page.goto(f"/desk/calendar/?day={day.isoformat()}")
    appointment = page.get_by_role("link", name="09:00 Ewa Zielińska · Konsultacja")
    expect(appointment).to_be_visible()

    # When the clerk drags it onto the free 11:00 cell
    drag(page, appointment, page.locator(".cal-col[data-resource] .cal-cell[data-at='11:00']"))

    # Then it is at 11:00, and 09:00 is free again
    expect(page.get_by_role("link", name="11:00 Ewa Zielińska · Konsultacja")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"Book 09:00 on {day.day}.{day.month:02d} with Dr Ewa Nowicka")
    ).to_be_visible()
    booked.refresh_from_db()
    assert booked.starts_at == datetime.combine(day, time(11), tzinfo=WARSAW)

    # When she drags it onto Olga Brzoza's 10:00 appointment
    drag(
        page,
        page.get_by_role("link", name="11:00 Ewa Zielińska · Konsultacja"),
        page.locator(".cal-col[data-resource] .cal-cell[data-at='10:00']"),
    )

    # Then the move is refused with the reason, and the appointment stays at 11:00
    expect(page.get_by_role("alert").first).to_contain_text("Dr Ewa Nowicka is already booked from 10:00 to 10:30.")
    booked.refresh_from_db()
    assert booked.starts_at == datetime.combine(day, time(11), tzinfo=WARSAW)
