"""The calendar pages: the grid, booking from a cell, moving, cancelling, finding a slot, set-up; scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from frontoffice.desk import selectors_calendar, services_calendar
from frontoffice.desk.models import Appointment, Resource

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db


def _calendar(client, branch, day, **extra):
    return client.get(reverse("desk:calendar"), {"branch": branch.pk, "day": day.isoformat(), **extra})


def test_the_day_grid_shows_resources_as_columns_and_the_booking(
    login, clerk, branch, booked, doctor, second_doctor, monday
):
    response = _calendar(login(clerk), branch, monday)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert "Dr Anna Nowak" in body and "Dr Piotr Zieliński" in body
    assert "Jan Kowalski" in body or "Kowalski Jan" in body
    assert "Book 09:30 on" in body and f"Book 09:15 on {monday.day}.{monday.month} with Dr Anna" not in body, (
        "free cells are links with an accessible name"
    )
    assert 'data-move-url="' in body


def test_the_week_view_of_one_resource_has_a_column_a_day(login, agent, branch, booked, doctor, monday):
    response = _calendar(login(agent), branch, monday, view="week", resource=doctor.pk)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="cal-col"') == 7
    assert "Calendar of Dr Anna Nowak" in body


def test_the_grid_page_uses_a_fixed_number_of_queries(
    login, clerk, branch, doctor, second_doctor, patient, consultation, monday, django_assert_max_num_queries
):
    for hour in (8, 9, 10, 11, 13, 14):
        services_calendar.appointment_book(
            resource=second_doctor, client=patient, visit_type=consultation, starts_at=at(monday, hour), actor=clerk
        )
    client = login(clerk)
    with django_assert_max_num_queries(22):
        assert _calendar(client, branch, monday).status_code == 200


def test_polling_an_unchanged_grid_answers_no_content_and_a_change_sends_the_grid(
    login, clerk, branch, booked, doctor, monday
):
    client = login(clerk)
    etag = selectors_calendar.grid_etag(user=clerk, branch=branch, days=[monday])
    unchanged = client.get(
        reverse("desk:calendar"), {"branch": branch.pk, "day": monday.isoformat(), "etag": etag}, HTTP_HX_REQUEST="true"
    )
    assert unchanged.status_code == 204
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Odwołana telefonicznie")
    changed = client.get(
        reverse("desk:calendar"), {"branch": branch.pk, "day": monday.isoformat(), "etag": etag}, HTTP_HX_REQUEST="true"
    )
    assert changed.status_code == 200
    assert 'id="calendar-grid"' in changed.content.decode()
    assert "<h1" not in changed.content.decode()


def test_a_clerk_books_from_a_cell(login, clerk, branch, doctor, patient, consultation, monday):
    response = login(clerk).post(
        reverse("desk:appointment_book"),
        {
            "branch": branch.pk,
            "client": patient.pk,
            "resource": doctor.pk,
            "visit_type": consultation.pk,
            "day": monday.isoformat(),
            "at": "10:00",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.starts_at == at(monday, 10)


def test_a_taken_slot_keeps_the_input_and_offers_alternatives(
    login, clerk, branch, booked, doctor, second_guest, consultation, monday
):
    response = login(clerk).post(
        reverse("desk:appointment_book"),
        {
            "branch": branch.pk,
            "client": second_guest.pk,
            "resource": doctor.pk,
            "visit_type": consultation.pk,
            "day": monday.isoformat(),
            "at": "09:00",
            "note": "Prosi o rano",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "already booked" in body
    assert "Nearest free slots" in body
    assert "Prosi o rano" in body and second_guest.display_name in body
    assert Appointment.objects.count() == 1


def test_clicking_an_alternative_books_it(login, clerk, branch, booked, doctor, second_guest, consultation, monday):
    response = login(clerk).post(
        reverse("desk:appointment_book"),
        {
            "branch": branch.pk,
            "client": second_guest.pk,
            "resource": doctor.pk,
            "visit_type": consultation.pk,
            "day": monday.isoformat(),
            "at": "09:00",
            "alternative": f"{doctor.pk}|{monday.isoformat()}|09:20",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.filter(client=second_guest, starts_at=at(monday, 9, 20)).exists()


def test_booking_without_a_client_keeps_the_rest(login, clerk, branch, doctor, consultation, monday):
    response = login(clerk).post(
        reverse("desk:appointment_book"),
        {
            "branch": branch.pk,
            "resource": doctor.pk,
            "visit_type": consultation.pk,
            "day": monday.isoformat(),
            "at": "10:00",
        },
    )
    assert response.status_code == 400
    assert "Choose the client" in response.content.decode()
    assert 'value="10:00"' in response.content.decode()


def test_the_move_form_moves_and_a_stale_version_is_refused(login, clerk, branch, booked, doctor, monday):
    client = login(clerk)
    url = reverse("desk:appointment_move", kwargs={"pk": booked.pk})
    assert client.get(url).status_code == 200
    moved = client.post(
        url, {"resource": doctor.pk, "day": monday.isoformat(), "at": "11:00", "version": booked.version}
    )
    assert moved.status_code == 302
    stale = client.post(
        url, {"resource": doctor.pk, "day": monday.isoformat(), "at": "11:20", "version": booked.version}
    )
    assert stale.status_code == 400
    assert "changed by" in stale.content.decode()
    booked.refresh_from_db()
    assert booked.starts_at == at(monday, 11)


def test_cancel_and_check_in_from_the_appointment_page(
    login, clerk, booked, doctor, second_guest, consultation, monday
):
    client = login(clerk)
    assert client.get(reverse("desk:appointment_detail", kwargs={"pk": booked.pk})).status_code == 200
    client.post(reverse("desk:appointment_cancel", kwargs={"pk": booked.pk}), {"reason": "Wyjazd"})
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.cancellation_reason == "Wyjazd"
    other = services_calendar.appointment_book(
        resource=doctor, client=second_guest, visit_type=consultation, starts_at=at(monday, 9), actor=clerk
    ).appointment
    client.post(reverse("desk:appointment_arrive", kwargs={"pk": other.pk}))
    other.refresh_from_db()
    assert other.status == "arrived" and other.visit_id is not None


def test_find_a_slot_lists_the_earliest_slots(login, agent, branch, booked, doctor, consultation, monday):
    response = login(agent).get(
        reverse("desk:slot_find"), {"branch": branch.pk, "visit_type": consultation.pk, "day": monday.isoformat()}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dr Anna Nowak" in body and "08:00" in body


def test_a_manager_sets_up_a_resource_with_hours_and_bad_hours_keep_the_input(login, manager, branch, consultation):
    client = login(manager)
    bad = client.post(
        reverse("desk:resource_create"),
        {"branch": branch.pk, "name": "USG", "kind": "equipment", "is_active": "on", "hours-day0": "8-12 rano"},
    )
    assert bad.status_code == 400
    assert "8-12 rano" in bad.content.decode()
    assert not Resource.objects.exists()
    good = client.post(
        reverse("desk:resource_create"),
        {
            "branch": branch.pk,
            "name": "USG",
            "kind": "equipment",
            "is_active": "on",
            "visit_types": [consultation.pk],
            "hours-day0": "08:00-12:00, 13:00-15:30",
        },
    )
    assert good.status_code == 302
    resource = Resource.objects.get()
    assert [(row.starts_at.hour, row.ends_at.minute) for row in resource.working_hours.all()] == [(8, 0), (13, 30)]


def test_a_manager_adds_an_absence_and_a_closure(login, manager, branch, doctor, monday):
    client = login(manager)
    response = client.post(
        reverse("desk:absence_add", kwargs={"pk": doctor.pk}),
        {"starts_at": f"{monday.isoformat()}T08:00", "ends_at": f"{monday.isoformat()}T12:00", "reason": "Kongres"},
    )
    assert response.status_code == 302 and doctor.absences.count() == 1
    closed = client.post(
        reverse("desk:closure_list"), {"branch": branch.pk, "date": (monday + timedelta(days=1)).isoformat()}
    )
    assert closed.status_code == 302 and branch.closures.count() == 1
    again = client.post(
        reverse("desk:closure_list"),
        {"branch": branch.pk, "date": (monday + timedelta(days=1)).isoformat(), "reason": "Drugi raz"},
    )
    assert again.status_code == 400 and "Drugi raz" in again.content.decode()


def test_an_outsider_cannot_see_another_branchs_appointment(login, outsider_branch, booked):
    response = login(outsider_branch).get(reverse("desk:appointment_detail", kwargs={"pk": booked.pk}))
    assert response.status_code == 404


def test_selectors_scope_appointments_to_the_users_branches(booked, clerk, outsider_branch, outsider_org):
    assert list(selectors_calendar.appointment_list(user=clerk)) == [booked]
    assert list(selectors_calendar.appointment_list(user=outsider_branch)) == []
    assert list(selectors_calendar.appointment_list(user=outsider_org)) == []
    assert list(selectors_calendar.resource_list(user=outsider_org)) == []


def test_the_week_view_the_slot_search_and_an_appointment_use_a_fixed_number_of_queries(
    login, clerk, branch, booked, doctor, consultation, monday, django_assert_max_num_queries
):
    client = login(clerk)
    with django_assert_max_num_queries(22):
        assert _calendar(client, branch, monday, view="week", resource=doctor.pk).status_code == 200
    with django_assert_max_num_queries(20):
        found = client.get(
            reverse("desk:slot_find"), {"branch": branch.pk, "visit_type": consultation.pk, "day": monday.isoformat()}
        )
        assert found.status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("desk:appointment_detail", kwargs={"pk": booked.pk})).status_code == 200
