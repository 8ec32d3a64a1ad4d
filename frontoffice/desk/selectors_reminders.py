"""Reads for reminders and self check-in: an appointment's reminders, the kiosk's look-up by code."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from . import slots
from .models import Appointment, Reminder, Ticket


def reminder_list(*, appointment: Appointment) -> QuerySet[Reminder]:
    """The appointment's confirmation and reminders, oldest first (the caller already scoped the appointment)."""
    return Reminder.objects.filter(appointment=appointment).order_by("due_at", "pk")


def appointment_ticket(*, appointment: Appointment) -> Ticket | None:
    return appointment.tickets.select_related("service").order_by("-pk").first()


def kiosk_appointment(*, screen: Any, code: str, now: datetime) -> Appointment | None:
    """Today's appointment of the kiosk's branch with this check-in code, or None (any other branch's, any
    other day's, or an unknown code alike)."""
    if not code:
        return None
    zone = slots.zone_of(screen.branch)
    today = timezone.localdate(now, zone)
    start = datetime.combine(today, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return (
        Appointment.objects.select_related("client", "visit_type", "branch", "organisation")
        .filter(
            organisation_id=screen.organisation_id,
            branch_id=screen.branch_id,
            check_in_code=code,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .first()
    )
