"""Two clicks on "Accept" arriving at the same moment (two tabs, a double tap): one appointment.

Needs PostgreSQL: SQLite runs writing transactions one after another, so there is no race to lose there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from frontoffice.desk import services_calendar, services_waitlist
from frontoffice.desk.models import Appointment
from frontoffice.desk.models.waitlist import OfferStatus, WaitlistOffer

from .fixtures_waitlist import wait, waitlist_hook  # noqa: F401 - the autouse hook

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_accepts_at_once_book_one_appointment(booked, anna, branch, clerk, consultation, friday):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs writing transactions one after another; the race needs PostgreSQL")
    wait(anna, branch=branch, clerk=clerk, visit_type=consultation, until=friday)
    services_calendar.appointment_cancel(appointment=booked, actor=clerk, reason="Choroba")  # commits: offered
    offer = WaitlistOffer.objects.get(entry__client=anna)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[object] = []

    def accept() -> None:
        try:
            barrier.wait()
            outcomes.append(services_waitlist.offer_accept(offer=offer))
        except Exception as error:  # the outcome is what the test inspects
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    closed = [item for item in outcomes if isinstance(item, services_waitlist.OfferClosed)]
    assert len(closed) == 1 and closed[0].reason == OfferStatus.ACCEPTED, outcomes
    assert Appointment.objects.filter(client=anna, status="booked").count() == 1
