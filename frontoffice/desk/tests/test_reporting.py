"""Reporting events of the desk: a visit over (clinic visit finished, sale paid), a queue ticket served."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from frontoffice.core.models import ReportingEvent
from frontoffice.core.reporting import EventKind
from frontoffice.desk import reporting, services, services_queue
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import Ticket
from frontoffice.desk.money import services as money

pytestmark = pytest.mark.django_db


def _events(kind):
    return list(ReportingEvent.objects.filter(kind=kind).order_by("pk"))


def test_a_finished_clinic_visit_records_one_visit_finished(clinic_visit, clerk, patient):
    for status in (S.ARRIVED, S.IN_PROGRESS):
        services.visit_transition(visit=clinic_visit, to_status=status, actor=clerk)
    assert not _events(EventKind.VISIT_FINISHED)

    services.visit_transition(visit=clinic_visit, to_status=S.FINISHED, actor=clerk)

    [finished] = _events(EventKind.VISIT_FINISHED)
    assert (finished.subject_type, finished.subject_id) == ("visit", clinic_visit.pk)
    assert finished.client_id == patient.pk and finished.agent_id == clerk.pk
    assert finished.data["vertical"] == "clinic" and finished.data["visit_type"] == clinic_visit.visit_type_id


def test_a_sale_counts_when_paid_not_again_when_fulfilled(shop_sale, clerk):
    services.visit_line_add(
        visit=shop_sale, actor=clerk, description="Farba", quantity=Decimal("2"), unit_price=Decimal("49.99")
    )
    money.payment_take(visit=shop_sale, actor=clerk, method="card", amount=Decimal("99.98"), terminal_receipt="T-0001")
    services.visit_transition(visit=shop_sale, to_status=S.PAID, actor=clerk)
    services.visit_transition(visit=shop_sale, to_status=S.FULFILLED, actor=clerk)

    [finished] = _events(EventKind.VISIT_FINISHED)
    assert finished.data["vertical"] == "retail" and finished.data["status"] == "paid"


def test_a_cancelled_visit_or_a_rolled_back_finish_records_nothing(clinic_visit, clerk):
    services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    services.visit_transition(visit=clinic_visit, to_status=S.IN_PROGRESS, actor=clerk)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.visit_transition(visit=clinic_visit, to_status=S.FINISHED, actor=clerk)
        raise RuntimeError("the request failed after the write")

    assert not _events(EventKind.VISIT_FINISHED)


def test_a_served_ticket_records_its_service_time_and_its_waits(registration, window2, clerk):
    ticket = services_queue.ticket_issue(service=registration, actor=clerk)
    ten_ago = timezone.now() - timedelta(minutes=10)
    Ticket.objects.filter(pk=ticket.pk).update(issued_at=ten_ago, queued_at=ten_ago)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    services_queue.ticket_start(ticket=ticket, actor=clerk)
    Ticket.objects.filter(pk=ticket.pk).update(started_at=timezone.now() - timedelta(minutes=4))

    services_queue.ticket_finish(ticket=ticket, actor=clerk)

    [served] = _events(EventKind.QUEUE_SERVED)
    done = Ticket.objects.get(pk=ticket.pk)
    assert served.subject_id == ticket.pk and served.agent_id == clerk.pk
    assert served.value == int((done.finished_at - done.started_at).total_seconds())
    assert 3 * 60 < served.value < 5 * 60
    assert served.data["wait"] == int((done.called_at - done.queued_at).total_seconds())
    assert served.data["service"] == registration.pk and served.data["counter"] == window2.pk


def test_calling_the_next_ticket_serves_the_one_at_the_counter_once(registration, window2, clerk):
    first = services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)

    services_queue.ticket_call_next(counter=window2, actor=clerk)  # ends the first
    services_queue.ticket_call_next(counter=window2, actor=clerk)  # ends the second; nobody waits

    assert _events(EventKind.QUEUE_SERVED)[0].subject_id == first.pk
    assert len(_events(EventKind.QUEUE_SERVED)) == 2


def test_backfill_derives_the_desk_events_once(clinic_visit, clerk, registration, window2, organisation):
    for status in (S.ARRIVED, S.IN_PROGRESS, S.FINISHED):
        services.visit_transition(visit=clinic_visit, to_status=status, actor=clerk)
    ticket = services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    services_queue.ticket_finish(ticket=ticket, actor=clerk)
    live = [(e.kind, e.subject_id, e.value, e.data, e.agent_id) for e in ReportingEvent.objects.order_by("kind")]
    ReportingEvent.objects.all().delete()

    assert reporting.backfill(organisation=organisation) == 2
    assert reporting.backfill(organisation=organisation) == 0
    derived = [(e.kind, e.subject_id, e.value, e.data, e.agent_id) for e in ReportingEvent.objects.order_by("kind")]
    assert derived == live
