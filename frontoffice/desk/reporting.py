"""Reporting events of the desk (``core.reporting``): a visit, stay or sale over, a queue ticket served.

``visit.finished`` is recorded by ``services.visit_transition`` when a visit reaches its vertical's end
(``ENDS``: the same moments that may ask for a survey); ``queue.served`` by the queue services when a
ticket that reached a counter is done. Subjects are ``("visit", id)`` and ``("ticket", id)``.
``backfill`` derives the same events from existing visits (their status history) and tickets.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Organisation, ReportingEvent
from frontoffice.core.reporting import EventKind, record_event

from .choices import VisitStatus
from .models import Visit, VisitStatusChange
from .models.queue import Ticket, TicketStatus

# The transition that ends a visit of each vertical: a clinic visit finished, a hotel check-out, a sale paid
# (a paid sale is fulfilled later, or returned, but the purchase happened when it was paid).
ENDS: dict[str, str] = {
    BusinessKind.CLINIC: VisitStatus.FINISHED,
    BusinessKind.HOTEL: VisitStatus.CHECKED_OUT,
    BusinessKind.RETAIL: VisitStatus.PAID,
    BusinessKind.OFFICE: VisitStatus.PAID,
}


def _seconds(start: datetime.datetime | None, end: datetime.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def is_end(vertical: str, to_status: str) -> bool:
    return ENDS.get(vertical) == to_status


def _visit_fields(visit: Visit) -> dict[str, Any]:
    data: dict[str, Any] = {"vertical": visit.vertical, "visit_type": visit.visit_type_id, "status": visit.status}
    if visit.early_departure:
        data["early_departure"] = True
    return data


def visit_finished(visit: Visit, *, at: datetime.datetime, agent: Any) -> ReportingEvent:
    """visit.finished: no value; data: vertical, visit_type (id), status (finished, checked_out or paid),
    early_departure (a hotel stay left before its departure date); agent = who moved it on."""
    return record_event(
        organisation=visit.organisation_id,
        branch=visit.branch_id,
        kind=EventKind.VISIT_FINISHED,
        occurred_at=at,
        subject=("visit", visit.pk),
        channel="in_person",
        agent=agent if getattr(agent, "is_authenticated", False) else None,
        client_id=visit.client_id,
        data=_visit_fields(visit),
    )


def _ticket_fields(ticket: Ticket) -> dict[str, Any]:
    """Waits per phase (seconds): in line (queued → called), walk to the counter (called → started), from
    arrival (issued → called, including the lines before a transfer)."""
    return {
        "service": ticket.service_id,
        "counter": ticket.counter_id,
        "category": ticket.category,
        "source": ticket.source,
        "wait": _seconds(ticket.queued_at, ticket.called_at),
        "walk": _seconds(ticket.called_at, ticket.started_at),
        "since_arrival": _seconds(ticket.issued_at, ticket.called_at),
        "transfers": ticket.transfer_count,
        "recalls": ticket.recall_count,
    }


def queue_served(ticket: Ticket) -> ReportingEvent:
    """queue.served: value = service seconds (started → finished); data: the waits per phase
    (``_ticket_fields``), service, counter, category, source, transfers, recalls; agent = who served."""
    assert ticket.finished_at is not None
    return record_event(
        organisation=ticket.organisation_id,
        branch=ticket.branch_id,
        kind=EventKind.QUEUE_SERVED,
        occurred_at=ticket.finished_at,
        subject=("ticket", ticket.pk),
        channel="in_person",
        agent=ticket.served_by_id,
        client_id=ticket.client_id,
        value=_seconds(ticket.started_at, ticket.finished_at),
        data=_ticket_fields(ticket),
    )


@transaction.atomic
def backfill(*, organisation: Organisation, since: datetime.datetime | None = None) -> int:
    """visit.finished from the visits' status history and queue.served from served tickets (at or after
    ``since``), skipping subjects that have the event already; how many were written."""
    done = set(
        ReportingEvent.objects.filter(
            organisation=organisation, kind__in=[EventKind.VISIT_FINISHED, EventKind.QUEUE_SERVED]
        ).values_list("kind", "subject_id")
    )
    rows: list[ReportingEvent] = []
    ends = (
        VisitStatusChange.objects.filter(visit__organisation=organisation)
        .select_related("visit")
        .order_by("visit_id", "at", "pk")
    )
    seen: set[int] = set()
    for change in ends.iterator(chunk_size=2000):
        visit = change.visit
        if not is_end(visit.vertical, change.to_status) or visit.pk in seen:
            continue
        seen.add(visit.pk)
        if (EventKind.VISIT_FINISHED, visit.pk) in done or (since is not None and change.at < since):
            continue
        data = _visit_fields(visit)
        data["status"] = change.to_status
        rows.append(
            ReportingEvent(
                organisation=organisation,
                branch_id=visit.branch_id,
                kind=EventKind.VISIT_FINISHED,
                occurred_at=change.at,
                subject_type="visit",
                subject_id=visit.pk,
                channel="in_person",
                agent_id=change.by_id,
                client_id=visit.client_id,
                data=data,
            )
        )
    tickets = Ticket.objects.filter(
        organisation=organisation, status=TicketStatus.DONE, finished_at__isnull=False, called_at__isnull=False
    ).order_by("pk")
    for ticket in tickets.iterator(chunk_size=2000):
        assert ticket.finished_at is not None
        if (EventKind.QUEUE_SERVED, ticket.pk) in done or (since is not None and ticket.finished_at < since):
            continue
        rows.append(
            ReportingEvent(
                organisation=organisation,
                branch_id=ticket.branch_id,
                kind=EventKind.QUEUE_SERVED,
                occurred_at=ticket.finished_at,
                subject_type="ticket",
                subject_id=ticket.pk,
                channel="in_person",
                agent_id=ticket.served_by_id,
                client_id=ticket.client_id,
                value=_seconds(ticket.started_at, ticket.finished_at),
                data=_ticket_fields(ticket),
            )
        )
    ReportingEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
