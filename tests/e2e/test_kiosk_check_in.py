"""The lobby kiosk checks a client in for their appointment: code → read-back → "Yes" → ticket → start again."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services, services_calendar, services_queue, slots
from frontoffice.desk.models import Appointment

pytestmark = pytest.mark.e2e


@pytest.fixture
def kiosk_with_appointment(make_user, branch, organisation):
    """A kiosk at ``branch``, a registration line that serves consultations, and Ewa's consultation right now."""
    manager = make_user("manager")
    consultation = services.visit_type_create(
        organisation=organisation, actor=manager, name="Consultation", vertical="clinic", duration_minutes=20
    )
    room = services_calendar.resource_create(
        branch=branch, actor=manager, name="Room 1", kind="room", visit_types=[consultation]
    )
    services_calendar.working_hours_set(
        resource=room, actor=manager, ranges=[(weekday, time(0), time(23, 59)) for weekday in range(7)]
    )
    services_queue.queue_service_save(
        branch=branch, actor=manager, name="Registration", prefix="A", visit_types=[consultation]
    )
    kiosk = services_queue.board_screen_create(branch=branch, actor=manager, name="Lobby", kind="kiosk")
    ewa = client_create(
        organisation=organisation,
        actor=manager,
        data=ClientData(given_name="Ewa", family_name="Wiśniewska", date_of_birth=date(1984, 3, 9)),
        branch=branch,
    )
    now = timezone.localtime(timezone.now(), slots.zone_of(branch))
    if now.time() >= time(23, 30) or now.time() < time(0, 10):
        pytest.skip("an appointment 'today, now' cannot be booked this close to midnight")
    appointment = services_calendar.appointment_book(
        resource=room,
        client=ewa,
        visit_type=consultation,
        starts_at=(now - timedelta(minutes=5)).replace(second=0, microsecond=0),
        actor=manager,
        allow_past=True,
    ).appointment
    return kiosk, appointment


def test_a_client_checks_in_at_the_kiosk_with_their_code(page, kiosk_with_appointment):
    kiosk, appointment = kiosk_with_appointment
    start = f"/desk/kiosk/{kiosk.token}/"
    # given: the kiosk's start screen
    page.goto(start)
    expect(page.get_by_role("heading", name="Take a ticket")).to_be_visible()
    # when: the client says they have an appointment and types a wrong code first
    page.get_by_role("link", name="I have an appointment").click()
    code = page.get_by_label("Scan the QR code of your confirmation, or type your check-in code")
    code.fill("AAAA3333")
    code.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("could not find an appointment")
    # when: then their own code (a scanner types it and presses Enter)
    code = page.get_by_label("Scan the QR code of your confirmation, or type your check-in code")
    code.fill(appointment.check_in_code.lower())
    code.press("Enter")
    # then: the read-back of two identifiers and the time, no full family name
    expect(page.get_by_role("heading", name="Is this you?")).to_be_visible()
    expect(page.get_by_text("Ewa W.")).to_be_visible()
    expect(page.get_by_text("9 March 1984")).to_be_visible()
    expect(page.get_by_text("Wiśniewska")).to_have_count(0)
    # when: it is them
    page.get_by_role("button", name="Yes, that's me").click()
    # then: checked in, with their ticket in the registration line
    expect(page.get_by_role("heading", name="You are checked in")).to_be_visible()
    expect(page.get_by_text("A001")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.status == "arrived"
    assert Appointment.objects.get(pk=appointment.pk).tickets.get().code == "A001"
    # then: left alone, the kiosk goes back to its start screen and shows nobody's data
    expect(page).to_have_url(re.compile(re.escape(start) + "$"), timeout=20_000)
    expect(page.get_by_role("heading", name="Take a ticket")).to_be_visible()
    expect(page.get_by_text("Ewa")).to_have_count(0)
