"""The client's appointment link, the lobby kiosk's appointment check-in, the clerk's view and settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from frontoffice.clients.merging import client_merge
from frontoffice.desk import appointment_links, services, services_calendar, services_queue
from frontoffice.desk.models import Appointment, ReminderPolicy, Ticket

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _link(appointment) -> str:
    return reverse("desk:appointment_link", args=[appointment_links.make_token(appointment)])


@pytest.fixture
def later(doctor, reminded, consultation, clerk, monday):
    """Ewa's consultation with Dr Nowak on Monday at 09:00, a week or more ahead."""
    return services_calendar.appointment_book(
        resource=doctor, client=reminded, visit_type=consultation, starts_at=at(monday, 9), actor=clerk
    ).appointment


# --- the client's link ------------------------------------------------------------------------------


def test_the_link_shows_time_place_and_given_name_only_and_is_never_cached(client, later):
    page = client.get(_link(later))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hello Ewa" in html and "Konsultacja internistyczna" in html and "Oddział Północ" in html
    assert "Wiśniewska" not in html and "1984" not in html
    assert later.check_in_code in html and "data:image/svg+xml" in html
    assert "no-store" in page["Cache-Control"]


def test_confirming_through_the_link_is_recorded_and_shown_to_the_clerk(client, later, clerk):
    answer = client.post(_link(later), {"action": "confirm"})
    assert answer.status_code == 302
    later.refresh_from_db()
    assert later.confirmed_at is not None
    assert "you confirmed" in client.get(_link(later)).content.decode()
    # the clerk sees it
    client.force_login(clerk)
    page = client.get(reverse("desk:appointment_detail", args=[later.pk]))
    assert "Confirmed by the client" in page.content.decode() and "not yet" not in page.content.decode()


def test_cancelling_through_the_link_frees_the_slot_at_once_and_the_link_then_says_so(
    client, later, doctor, second_guest, consultation, clerk, monday
):
    freed = []
    services_calendar.register_slot_freed(lambda appointment, starts_at, ends_at: freed.append(appointment.pk))
    answer = client.post(_link(later), {"action": "cancel", "reason": "Choroba"})
    assert answer.status_code == 302
    later.refresh_from_db()
    assert later.status == "cancelled" and "Choroba" in later.cancellation_reason
    assert not later.reminders.filter(status="scheduled").exists()
    # the slot is free again for someone else
    services_calendar.appointment_book(
        resource=doctor, client=second_guest, visit_type=consultation, starts_at=at(monday, 9), actor=clerk
    )
    # a used link gets a friendly page, with no buttons
    html = client.get(_link(later)).content.decode()
    assert "This appointment is cancelled" in html and 'value="cancel"' not in html


def test_checking_in_through_the_link_works_only_near_the_start(client, later):
    answer = client.post(_link(later), {"action": "check_in"})
    assert answer.status_code == 400
    assert "Check-in opens at" in answer.content.decode()
    later.refresh_from_db()
    assert later.status == "booked"


def test_checking_in_through_the_link_on_time(client, today_appointment):
    assert client.post(_link(today_appointment), {"action": "check_in"}).status_code == 302
    today_appointment.refresh_from_db()
    assert today_appointment.status == "arrived"
    assert "You are checked in" in client.get(_link(today_appointment)).content.decode()


def test_a_tampered_link_gets_a_friendly_page(client, later):
    token = appointment_links.make_token(later)
    forged = signing.TimestampSigner(salt="another").sign_object({"a": later.pk, "c": later.client_id})
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        page = client.get(reverse("desk:appointment_link", args=[bad]))
        assert page.status_code == 404
        assert "This link does not work" in page.content.decode()


def test_an_expired_link_gets_a_friendly_page(client, all_day, reminded, consultation, clerk, branch):
    past = services_calendar.appointment_book(
        resource=all_day,
        client=reminded,
        visit_type=consultation,
        # Mid-morning two days ago: "now minus two days" late in the evening would run past midnight,
        # out of the room's hours.
        starts_at=at(services.branch_today(branch) - timedelta(days=2), 10),
        actor=clerk,
        allow_past=True,
    ).appointment
    page = client.get(_link(past))
    assert page.status_code == 410
    assert "This appointment is over" in page.content.decode()


def test_a_merge_retires_the_link(client, later, reminded, second_guest, manager):
    token_link = _link(later)
    client_merge(survivor=second_guest, merged=reminded, actor=manager, field_choices={})
    later.refresh_from_db()
    assert later.client_id == second_guest.pk  # the appointment followed the merge
    assert client.get(token_link).status_code == 404
    assert client.get(_link(later)).status_code == 200  # a new link names the survivor


# --- the lobby kiosk ----------------------------------------------------------------------------------


def _kiosk(kiosk) -> str:
    return reverse("desk:kiosk_appointment", args=[kiosk.token])


def test_the_kiosk_start_screen_offers_appointment_check_in(client, kiosk):
    page = client.get(reverse("desk:kiosk", args=[kiosk.token]))
    assert _kiosk(kiosk) in page.content.decode()
    start = client.get(_kiosk(kiosk))
    assert start.status_code == 200 and "no-store" in start["Cache-Control"]
    assert 'data-idle="30"' in start.content.decode()


def test_a_code_shows_the_read_back_of_two_identifiers_and_the_time(client, kiosk, today_appointment):
    page = client.post(_kiosk(kiosk), {"code": today_appointment.check_in_code.lower()})
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Ewa W." in html and "Wiśniewska" not in html
    assert "9 March 1984" in html or "March 9, 1984" in html
    assert timezone.localtime(today_appointment.starts_at).strftime("%H:%M") in html
    Appointment.objects.get(pk=today_appointment.pk, status="booked")  # nothing done yet


def test_yes_checks_in_and_shows_the_queue_ticket(
    client, kiosk, today_appointment, registration, consultation, manager, branch
):
    services_queue.queue_service_save(
        branch=branch, actor=manager, service=registration, name="Rejestracja", prefix="A", visit_types=[consultation]
    )
    page = client.post(_kiosk(kiosk), {"code": today_appointment.check_in_code, "action": "confirm"})
    html = page.content.decode()
    assert page.status_code == 200 and "You are checked in" in html and "A001" in html
    assert 'data-idle="10"' in html
    ticket = Ticket.objects.get()
    assert (ticket.appointment, ticket.source, ticket.due_at) == (
        today_appointment,
        "appointment",
        today_appointment.starts_at,
    )
    # the same code again: already checked in, nobody's data shown
    again = client.post(_kiosk(kiosk), {"code": today_appointment.check_in_code})
    assert again.status_code == 400 and "already checked in" in again.content.decode()
    assert "Ewa W." not in again.content.decode()  # not "Ewa": a random CSRF token may hold it


def test_a_wrong_code_gets_a_message_and_keeps_what_was_typed(client, kiosk, today_appointment):
    page = client.post(_kiosk(kiosk), {"code": "AAAA3333"})
    assert page.status_code == 400
    assert "could not find an appointment" in page.content.decode() and 'value="AAAA3333"' in page.content.decode()


def test_another_branchs_or_another_days_appointment_is_not_found(
    client, kiosk, other_branch, manager, later, today_appointment
):
    other_kiosk = services_queue.board_screen_create(branch=other_branch, actor=manager, name="Kiosk", kind="kiosk")
    assert client.post(_kiosk(other_kiosk), {"code": today_appointment.check_in_code}).status_code == 400
    assert client.post(_kiosk(kiosk), {"code": later.check_in_code}).status_code == 400  # not today


def test_guessing_is_limited_per_kiosk(client, kiosk, today_appointment, other_branch, manager):
    # found codes do not count
    for _ in range(12):
        assert client.post(_kiosk(kiosk), {"code": today_appointment.check_in_code}).status_code == 200
    for attempt in range(10):
        assert client.post(_kiosk(kiosk), {"code": f"AAAA{attempt:04d}"}).status_code == 400
    blocked = client.post(_kiosk(kiosk), {"code": today_appointment.check_in_code})
    assert blocked.status_code == 429 and "Ewa W." not in blocked.content.decode()
    # another kiosk screen has its own count
    other = services_queue.board_screen_create(branch=other_branch, actor=manager, name="Kiosk B", kind="kiosk")
    assert client.post(_kiosk(other), {"code": "AAAA0000"}).status_code == 400


def test_a_revoked_or_board_screen_does_not_check_in(client, board, kiosk, manager, today_appointment):
    assert client.post(_kiosk(board), {"code": today_appointment.check_in_code}).status_code == 404
    services_queue.board_screen_revoke(screen=kiosk, actor=manager)
    assert client.post(_kiosk(kiosk), {"code": today_appointment.check_in_code}).status_code == 410


# --- the queue: an appointment waits for its slot time ---------------------------------------------------


def test_an_appointment_ticket_is_called_at_its_slot_time_after_earlier_walk_ins(
    clerk, manager, branch, registration, window1, consultation, today_appointment
):
    services_queue.queue_service_save(
        branch=branch, actor=manager, service=registration, name="Rejestracja", prefix="A", visit_types=[consultation]
    )
    slot = today_appointment.starts_at
    earlier = services_queue.ticket_issue(service=registration, actor=clerk)
    later_walk_in = services_queue.ticket_issue(service=registration, actor=clerk)
    Ticket.objects.filter(pk=earlier.pk).update(queued_at=slot - timedelta(minutes=20))
    Ticket.objects.filter(pk=later_walk_in.pk).update(queued_at=slot + timedelta(minutes=1))
    # when: the appointment is checked in at the desk
    services_calendar.appointment_arrive(appointment=today_appointment, actor=clerk)
    # then: the walk-in who came before the slot goes first, then the appointment, then the later walk-in
    called = [services_queue.ticket_call_next(counter=window1, actor=clerk) for _ in range(3)]
    assert called[0].pk == earlier.pk
    assert called[1].appointment_id == today_appointment.pk and called[1].queued_at == slot
    assert called[2].pk == later_walk_in.pk


def test_no_ticket_when_no_service_serves_the_visit_type(clerk, registration, today_appointment):
    services_calendar.appointment_arrive(appointment=today_appointment, actor=clerk)
    assert not Ticket.objects.exists()


# --- the clerk and the manager ------------------------------------------------------------------------


def test_the_clerk_sees_reminders_with_reasons_and_prints_the_confirmation(
    client, clerk, patient, doctor, consultation, monday
):
    appointment = services_calendar.appointment_book(
        resource=doctor, client=patient, visit_type=consultation, starts_at=at(monday, 9), actor=clerk
    ).appointment
    client.force_login(clerk)
    html = client.get(reverse("desk:appointment_detail", args=[appointment.pk])).content.decode()
    assert "no consent for reminders" in html and appointment.check_in_code in html
    printed = client.get(reverse("desk:appointment_print", args=[appointment.pk]))
    assert appointment.check_in_code in printed.content.decode() and "data:image/svg+xml" in printed.content.decode()


def test_the_manager_saves_the_reminder_settings(client, manager, organisation):
    client.force_login(manager)
    assert client.get(reverse("desk:reminder_policy")).status_code == 200
    answer = client.post(
        reverse("desk:reminder_policy"),
        {"is_enabled": "on", "first_lead_hours": "48", "second_lead_hours": "2", "send_confirmation": "on"},
    )
    assert answer.status_code == 302
    policy = ReminderPolicy.objects.get(organisation=organisation)
    assert (policy.first_lead_hours, policy.second_lead_hours) == (48, 2)
    bad = client.post(
        reverse("desk:reminder_policy"),
        {"is_enabled": "on", "first_lead_hours": "2", "second_lead_hours": "24", "version": policy.version},
    )
    assert bad.status_code == 400 and 'value="24"' in bad.content.decode()


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_shows_reminders_and_records_a_confirmation(login, clerk, later, django_assert_max_num_queries):
    api = login(clerk)
    answer = api.post(f"/api/v1/desk/appointments/{later.pk}/confirm", content_type="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["confirmed_at"] and body["check_in_code"] == later.check_in_code
    assert [(item["kind"], item["status"]) for item in body["reminders"]] == [
        ("confirmation", "sent"),
        ("reminder", "scheduled"),
    ]
    with django_assert_max_num_queries(12):
        listed = api.get("/api/v1/desk/appointments").json()
    assert listed["items"][0]["reminders"][1]["due_at"]


def test_the_manager_ticks_the_visit_types_a_queue_service_serves(client, manager, registration, consultation):
    client.force_login(manager)
    form = client.get(reverse("desk:queue_service_edit", args=[registration.pk])).content.decode()
    assert "Konsultacja internistyczna" in form
    answer = client.post(
        reverse("desk:queue_service_edit", args=[registration.pk]),
        {
            "name": "Rejestracja",
            "prefix": "A",
            "minutes_per_client": 5,
            "position": 0,
            "is_active": "on",
            "visit_types": [consultation.pk],
            "branch": registration.branch_id,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert list(registration.visit_types.all()) == [consultation]
