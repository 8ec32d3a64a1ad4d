"""Two clerks booking the last slot at the same moment: exactly one gets it, the other gets alternatives.

These need PostgreSQL: SQLite runs writing transactions one after another (IMMEDIATE), so there
is no race to lose there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from frontoffice.desk import services_calendar, slots
from frontoffice.desk.models import Appointment
from frontoffice.desk.services_calendar import SlotUnavailable

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db(transaction=True)


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs writing transactions one after another; the race needs PostgreSQL")


def _race(doctor, consultation, clients_and_clerks, starts_at):
    barrier = threading.Barrier(len(clients_and_clerks), timeout=30)
    outcomes: dict[str, object] = {}

    def book(name, client, clerk):
        try:
            barrier.wait()
            outcomes[name] = services_calendar.appointment_book(
                resource=doctor, client=client, visit_type=consultation, starts_at=starts_at, actor=clerk
            )
        except Exception as error:  # the outcome is what the test inspects
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=item) for item in clients_and_clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_clerks_booking_the_last_slot_at_once_one_wins(
    doctor, consultation, patient, second_guest, clerk, agent, monday
):
    _needs_postgresql()
    # when both book Monday 9:00 with Dr Nowak at the same moment
    outcomes = _race(doctor, consultation, [("a", patient, clerk), ("b", second_guest, agent)], at(monday, 9))
    # then one booking exists and the other clerk is offered alternatives
    booked = [o for o in outcomes.values() if isinstance(o, services_calendar.Booking)]
    refused = [o for o in outcomes.values() if isinstance(o, SlotUnavailable)]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert refused[0].refusal.code == "taken"
    assert refused[0].alternatives
    assert Appointment.objects.filter(resource=doctor).count() == 1


def test_the_database_refuses_a_double_booking_the_service_did_not_see(
    doctor, consultation, patient, second_guest, clerk, agent, monday, monkeypatch
):
    _needs_postgresql()
    # given both services' checks pass before either writes (no row lock, both checks see a free slot)
    barrier = threading.Barrier(2, timeout=30)
    real_check = slots.refusal_for
    local = threading.local()

    def check_then_wait(**kwargs):
        found = real_check(**kwargs)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return found

    monkeypatch.setattr(slots, "refusal_for", check_then_wait)
    monkeypatch.setattr(services_calendar, "_locked_resource", lambda resource: resource)
    # when both write
    outcomes = _race(doctor, consultation, [("a", patient, clerk), ("b", second_guest, agent)], at(monday, 9))
    # then the exclusion constraint let one through; the other gets the same friendly refusal
    booked = [o for o in outcomes.values() if isinstance(o, services_calendar.Booking)]
    refused = [o for o in outcomes.values() if isinstance(o, SlotUnavailable)]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert Appointment.objects.filter(resource=doctor).count() == 1


def test_the_exclusion_constraint_ignores_cancelled_appointments(booked, doctor, second_guest, consultation):
    _needs_postgresql()
    overlapping = {
        "organisation_id": booked.organisation_id,
        "branch_id": booked.branch_id,
        "resource": doctor,
        "client": second_guest,
        "visit_type": consultation,
        "starts_at": booked.starts_at,
        "ends_at": booked.ends_at,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(**overlapping)
    Appointment.objects.create(**overlapping, status="cancelled")
    assert Appointment.objects.count() == 2
