"""Booking, moving, cancelling appointments; hours, absences, closures, series, statuses and versions."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create
from frontoffice.core.concurrency import StaleEdit
from frontoffice.core.models import AuditEntry
from frontoffice.desk import services_calendar, slots
from frontoffice.desk.models import Appointment
from frontoffice.desk.services_calendar import SeriesConflicts, SlotUnavailable

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db


def _book(resource, client, visit_type, actor, starts_at, **kwargs):
    return services_calendar.appointment_book(
        resource=resource, client=client, visit_type=visit_type, starts_at=starts_at, actor=actor, **kwargs
    )


def test_a_booking_ends_after_the_visit_types_duration_and_is_audited(doctor, patient, consultation, clerk, monday):
    # when
    booking = _book(doctor, patient, consultation, clerk, at(monday, 9))
    # then
    appointment = booking.appointment
    assert appointment.status == "booked"
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=20)
    assert appointment.booked_at is not None and appointment.created_by == clerk
    assert appointment.branch_id == doctor.branch_id
    assert booking.warnings == []
    assert AuditEntry.objects.filter(action="appointment.book").count() == 1


def test_booking_a_taken_slot_is_refused_with_the_reason_and_free_alternatives(
    booked, doctor, second_doctor, second_guest, consultation, clerk, monday
):
    # when
    with pytest.raises(SlotUnavailable) as refused:
        _book(doctor, second_guest, consultation, clerk, at(monday, 9, 10))
    # then
    assert refused.value.refusal.code == "taken"
    assert "09:00" in refused.value.refusal.message
    alternatives = refused.value.alternatives
    assert alternatives, "the clerk is offered other slots"
    assert all(slot.starts_at >= at(monday, 9, 10) for slot in alternatives)
    assert {slot.resource_id for slot in alternatives} == {doctor.pk, second_doctor.pk}
    assert (second_doctor.pk, at(monday, 9, 10)) in {(slot.resource_id, slot.starts_at) for slot in alternatives}
    assert Appointment.objects.count() == 1


def test_back_to_back_appointments_do_not_conflict(booked, doctor, second_guest, consultation, clerk, monday):
    booking = _book(doctor, second_guest, consultation, clerk, at(monday, 9, 20))
    assert booking.appointment.pk


def test_outside_working_hours_and_in_the_lunch_break_are_refused(doctor, patient, consultation, clerk, monday):
    for starts_at in (at(monday, 7, 30), at(monday, 12), at(monday, 11, 50), at(monday + timedelta(days=5), 10)):
        with pytest.raises(SlotUnavailable) as refused:
            _book(doctor, patient, consultation, clerk, starts_at)
        assert refused.value.refusal.code == "outside_hours"
    # the alternative to 11:50 is 11:50's nearest free slot: 13:00 after the break... or earlier ones that day
    assert all(slot.starts_at >= at(monday, 11, 50) for slot in refused.value.alternatives)


def test_a_closed_day_is_refused_and_alternatives_skip_it(
    doctor, patient, consultation, clerk, manager, monday, branch
):
    # given
    services_calendar.closure_add(branch=branch, actor=manager, day=monday, reason="Inwentaryzacja")
    # when
    with pytest.raises(SlotUnavailable) as refused:
        _book(doctor, patient, consultation, clerk, at(monday, 9))
    # then
    assert refused.value.refusal.code == "closed"
    assert "Inwentaryzacja" in refused.value.refusal.message
    assert refused.value.alternatives[0].starts_at == at(monday + timedelta(days=1), 8)


def test_an_absence_is_refused_and_alternatives_start_after_it(doctor, patient, consultation, clerk, manager, monday):
    # given
    services_calendar.absence_add(
        resource=doctor, actor=manager, starts_at=at(monday, 8), ends_at=at(monday, 10, 30), reason="Szkolenie"
    )
    # when
    with pytest.raises(SlotUnavailable) as refused:
        _book(doctor, patient, consultation, clerk, at(monday, 9))
    # then
    assert refused.value.refusal.code == "absent"
    assert refused.value.alternatives[0].starts_at == at(monday, 10, 30)


def test_a_time_in_the_past_is_refused(doctor, patient, consultation, clerk):
    with pytest.raises(SlotUnavailable) as refused:
        _book(doctor, patient, consultation, clerk, timezone.now() - timedelta(days=1))
    assert refused.value.refusal.code == "past"


def test_a_resource_that_does_not_do_the_visit_type_is_refused(doctor, patient, sale, clerk, monday):
    with pytest.raises(SlotUnavailable) as refused:
        _book(doctor, patient, sale, clerk, at(monday, 9))
    assert refused.value.refusal.code == "cannot_perform"


def test_a_client_of_another_organisation_cannot_be_booked(doctor, consultation, clerk, monday, other_organisation):
    stranger = client_create(
        organisation=other_organisation, actor=None, data=ClientData(given_name="Obcy", family_name="Klient")
    )
    with pytest.raises(ValidationError) as refused:
        _book(doctor, stranger, consultation, clerk, at(monday, 9))
    assert "client" in refused.value.message_dict


def test_the_same_client_at_the_same_time_elsewhere_is_a_warning_not_a_refusal(
    booked, second_doctor, patient, consultation, clerk, monday
):
    booking = _book(second_doctor, patient, consultation, clerk, at(monday, 9, 10))
    assert booking.appointment.pk
    assert len(booking.warnings) == 1
    assert "Dr Anna Nowak" in booking.warnings[0]


def test_a_cancelled_slot_can_be_booked_again_and_the_reason_is_kept(
    booked, doctor, second_guest, consultation, clerk, monday
):
    # when
    cancelled = services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Pacjent zadzwonił")
    # then
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert cancelled.cancellation_reason == "Pacjent zadzwonił"
    assert _book(doctor, second_guest, consultation, clerk, at(monday, 9)).appointment.pk


def test_cancelling_needs_a_reason(booked, clerk):
    with pytest.raises(ValidationError) as refused:
        services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="  ")
    assert "reason" in refused.value.message_dict


def test_cancelling_frees_the_slot_for_the_registered_hooks_after_the_commit(
    booked, clerk, django_capture_on_commit_callbacks
):
    freed = []

    def hook(appointment, start, end):
        freed.append((appointment.pk, start))

    services_calendar.register_slot_freed(hook)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")
    finally:
        services_calendar._SLOT_FREED.remove(hook)  # only this test's hook: the waitlist's stays registered
    assert freed == [(booked.pk, booked.starts_at)]


def test_moving_keeps_the_length_and_history_and_frees_the_old_slot(
    booked, doctor, second_doctor, second_guest, consultation, clerk, monday
):
    # when
    moved = services_calendar.appointment_move(
        appointment=booked,
        actor=clerk,
        starts_at=at(monday, 10),
        resource=second_doctor,
        expected_version=booked.version,
    ).appointment
    # then
    assert (moved.resource_id, moved.starts_at, moved.ends_at) == (second_doctor.pk, at(monday, 10), at(monday, 10, 20))
    assert moved.history.count() == 2
    assert moved.history.earliest().starts_at == at(monday, 9)
    assert _book(doctor, second_guest, consultation, clerk, at(monday, 9)).appointment.pk


def test_moving_onto_a_taken_slot_is_refused_and_leaves_the_appointment(
    booked, doctor, second_guest, consultation, clerk, monday
):
    other = _book(doctor, second_guest, consultation, clerk, at(monday, 10)).appointment
    with pytest.raises(SlotUnavailable):
        services_calendar.appointment_move(appointment=booked, actor=clerk, starts_at=at(monday, 10, 10))
    booked.refresh_from_db()
    assert booked.starts_at == at(monday, 9) and other.starts_at == at(monday, 10)


def test_moving_a_little_later_overlapping_its_own_old_time_is_allowed(booked, clerk, monday):
    moved = services_calendar.appointment_move(appointment=booked, actor=clerk, starts_at=at(monday, 9, 10))
    assert moved.appointment.starts_at == at(monday, 9, 10)


def test_a_stale_move_is_refused_with_who_changed_it(booked, clerk, manager, monday):
    version = booked.version
    services_calendar.appointment_update(appointment=booked, actor=manager, note="Na czczo", expected_version=version)
    with pytest.raises(StaleEdit) as refused:
        services_calendar.appointment_move(
            appointment=booked, actor=clerk, starts_at=at(monday, 10), expected_version=version
        )
    assert "changed by" in refused.value.messages[0]


def test_arrival_opens_a_clinic_visit_through_the_desk_and_stamps_the_time(booked, clerk):
    # when
    arrived = services_calendar.appointment_arrive(appointment=booked, actor=clerk)
    # then
    assert arrived.status == "arrived" and arrived.arrived_at is not None
    assert arrived.visit is not None
    assert arrived.visit.status == "arrived"
    assert arrived.visit.client_id == booked.client_id and arrived.visit.scheduled_at == booked.starts_at
    # and then it is fulfilled
    fulfilled = services_calendar.appointment_fulfil(appointment=arrived, actor=clerk)
    assert fulfilled.status == "fulfilled" and fulfilled.fulfilled_at is not None


def test_a_no_show_is_marked_only_after_the_start(booked, doctor, second_guest, consultation, clerk, monday):
    with pytest.raises(ValidationError):
        services_calendar.appointment_mark_noshow(appointment=booked, actor=clerk)
    # A Monday 7–13 days ago, within the doctor's hours whatever the time of day the test runs.
    started = at(monday - timedelta(days=21), 9)
    past = _book(doctor, second_guest, consultation, clerk, started, allow_past=True).appointment
    marked = services_calendar.appointment_mark_noshow(appointment=past, actor=clerk)
    assert marked.status == "noshow" and marked.noshow_at is not None


def test_a_cancelled_appointment_cannot_arrive_or_be_moved(booked, clerk, monday):
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Odwołana")
    with pytest.raises(ValidationError):
        services_calendar.appointment_arrive(appointment=booked, actor=clerk)
    with pytest.raises(ValidationError):
        services_calendar.appointment_move(appointment=booked, actor=clerk, starts_at=at(monday, 11))


def test_working_hours_must_not_overlap_within_a_day(doctor, manager):
    with pytest.raises(ValidationError):
        services_calendar.working_hours_set(
            resource=doctor, actor=manager, ranges=[(0, time(8), time(12)), (0, time(11), time(14))]
        )
    assert doctor.working_hours.count() == 10, "the old hours stay"


def test_a_weekly_series_books_real_occurrences_that_change_on_their_own(doctor, patient, consultation, clerk, monday):
    # when
    result = services_calendar.series_book(
        resource=doctor, client=patient, visit_type=consultation, starts_at=at(monday, 11), actor=clerk, count=4
    )
    # then
    starts = [item.starts_at for item in result.appointments]
    assert starts == [at(monday + timedelta(weeks=week), 11) for week in range(4)]
    assert {item.series_id for item in result.appointments} == {result.series.pk}
    # cancelling one leaves the others
    services_calendar.appointment_cancel(appointment=result.appointments[1], actor=clerk, reason="Urlop pacjenta")
    statuses = list(
        Appointment.objects.filter(series=result.series).order_by("starts_at").values_list("status", flat=True)
    )
    assert statuses == ["booked", "cancelled", "booked", "booked"]


def test_a_series_with_a_conflict_is_reported_not_silently_skipped(
    doctor, patient, second_guest, consultation, clerk, monday
):
    # given: the third Monday is taken
    _book(doctor, second_guest, consultation, clerk, at(monday + timedelta(weeks=2), 11))
    # when
    with pytest.raises(SeriesConflicts) as refused:
        services_calendar.series_book(
            resource=doctor, client=patient, visit_type=consultation, starts_at=at(monday, 11), actor=clerk, count=4
        )
    # then nothing is booked and the conflict is named
    assert len(refused.value.conflicts) == 1
    assert Appointment.objects.filter(client=patient).count() == 0
    # when the clerk accepts skipping it
    result = services_calendar.series_book(
        resource=doctor,
        client=patient,
        visit_type=consultation,
        starts_at=at(monday, 11),
        actor=clerk,
        count=4,
        skip_conflicts=True,
    )
    assert len(result.appointments) == 3 and len(result.skipped) == 1
    assert result.series.skipped[0]["starts_at"] == at(monday + timedelta(weeks=2), 11).isoformat()


def test_a_series_every_three_days_until_a_date(doctor, patient, consultation, clerk, monday):
    result = services_calendar.series_book(
        resource=doctor,
        client=patient,
        visit_type=consultation,
        starts_at=at(monday, 8),
        actor=clerk,
        rule="daily",
        interval=2,
        until=monday + timedelta(days=4),
    )
    assert [item.starts_at.date() for item in result.appointments] == [
        monday,
        monday + timedelta(days=2),
        monday + timedelta(days=4),
    ]


def test_this_and_following_occurrences_can_be_cancelled(doctor, patient, consultation, clerk, monday):
    result = services_calendar.series_book(
        resource=doctor, client=patient, visit_type=consultation, starts_at=at(monday, 11), actor=clerk, count=4
    )
    cancelled = services_calendar.series_cancel_following(
        appointment=result.appointments[2], actor=clerk, reason="Koniec rehabilitacji"
    )
    assert len(cancelled) == 2
    assert Appointment.objects.filter(series=result.series, status="booked").count() == 2


def test_slot_search_finds_the_earliest_slots_across_resources(
    booked, doctor, second_doctor, consultation, branch, monday
):
    found = slots.find_slots(branch=branch, visit_type=consultation, after=at(monday, 9), count=3)
    assert [(slot.resource_id, slot.starts_at) for slot in found] == [
        (second_doctor.pk, at(monday, 9)),
        (doctor.pk, at(monday, 9, 20)),
        (second_doctor.pk, at(monday, 9, 20)),
    ]


def test_slot_search_for_one_resource_skips_the_break_absences_and_closures(
    doctor, consultation, branch, manager, monday
):
    services_calendar.closure_add(branch=branch, actor=manager, day=monday + timedelta(days=1), reason="Święto")
    services_calendar.absence_add(
        resource=doctor, actor=manager, starts_at=at(monday, 13), ends_at=at(monday, 23), reason="Urlop"
    )
    found = slots.find_slots(branch=branch, visit_type=consultation, resource=doctor, after=at(monday, 11, 30), count=2)
    assert [slot.starts_at for slot in found] == [at(monday, 11, 30), at(monday + timedelta(days=2), 8)]


def test_slot_search_uses_a_bounded_number_of_queries(
    doctor, second_doctor, consultation, branch, monday, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        slots.find_slots(branch=branch, visit_type=consultation, after=at(monday, 8), count=50, days=90)
