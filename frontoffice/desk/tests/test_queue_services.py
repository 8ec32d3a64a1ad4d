"""The walk-in queue's services: numbering, calling order, race-safe call next, transfer, hold, no-show, phases."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from frontoffice.core.models import AuditEntry, OutboundMessage
from frontoffice.desk import selectors_queue, services_queue
from frontoffice.desk.models import Ticket
from frontoffice.desk.models.queue import TicketStatus
from frontoffice.desk.services import branch_today


def issue(service, actor, **kwargs):
    return services_queue.ticket_issue(service=service, actor=actor, **kwargs)


def test_tickets_are_numbered_one_after_another_with_the_service_prefix(registration, clerk):
    # when
    first, second = issue(registration, clerk), issue(registration, clerk)
    # then
    assert (first.code, second.code) == ("A001", "A002")
    assert first.day == branch_today(registration.branch)


def test_each_service_counts_its_own_numbers(registration, results, clerk):
    issue(registration, clerk)
    assert issue(results, clerk).code == "B001"


def test_numbers_start_again_at_one_on_a_new_local_day(registration, clerk):
    # given: yesterday's numbers went up to 41
    yesterday = issue(registration, clerk).day - timedelta(days=1)
    Ticket.objects.update(day=yesterday, number=41, code="A041")
    registration.refresh_from_db()
    registration.last_number, registration.last_number_on = 41, yesterday
    registration.save()
    # when
    ticket = issue(registration, clerk)
    # then
    assert ticket.code == "A001"


def test_a_rolled_back_issue_gives_its_number_back(registration, clerk, django_capture_on_commit_callbacks):
    # given: an issue that fails after taking the number
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        from django.db import transaction

        with transaction.atomic():
            issue(registration, clerk)
            raise RuntimeError
    # then: the next ticket has number 1
    assert issue(registration, clerk).code == "A001"


def test_an_inactive_service_takes_no_tickets(registration, clerk, manager):
    services_queue.queue_service_save(
        branch=registration.branch, actor=manager, name="Rejestracja", prefix="A", is_active=False, service=registration
    )
    with pytest.raises(ValidationError):
        issue(registration, clerk)


def test_two_services_of_a_branch_cannot_share_a_prefix(registration, branch, manager):
    with pytest.raises(ValidationError) as error:
        services_queue.queue_service_save(branch=branch, actor=manager, name="Druga", prefix="a")
    assert "prefix" in error.value.message_dict


def test_call_next_takes_priority_first_then_the_earliest_arrival(registration, window2, clerk):
    # given
    first = issue(registration, clerk)
    issue(registration, clerk)
    pregnant = issue(registration, clerk, category="pregnant")
    # when / then
    assert services_queue.ticket_call_next(counter=window2, actor=clerk) == pregnant
    assert services_queue.ticket_call_next(counter=window2, actor=clerk) == first


def test_call_next_records_the_call_and_ends_the_previous_ticket_at_the_counter(registration, window2, clerk):
    # given
    first, second = issue(registration, clerk), issue(registration, clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    # when
    called = services_queue.ticket_call_next(counter=window2, actor=clerk)
    # then
    first.refresh_from_db()
    assert called == second
    assert (called.status, called.counter, called.served_by) == (TicketStatus.CALLED, window2, clerk)
    assert called.called_at is not None
    assert first.status == TicketStatus.DONE and first.finished_at is not None


def test_call_next_only_takes_the_counters_services(registration, results, window2, clerk):
    issue(results, clerk)
    assert services_queue.ticket_call_next(counter=window2, actor=clerk) is None


def test_call_next_with_nobody_waiting_returns_nothing(window1, clerk):
    assert services_queue.ticket_call_next(counter=window1, actor=clerk) is None


def test_an_appointment_check_in_queues_at_its_slot_time(registration, window2, clerk):
    # given: a walk-in now, and an appointment whose slot was ten minutes ago
    walk_in = issue(registration, clerk)
    booked = issue(registration, clerk, source="appointment", due_at=timezone.now() - timedelta(minutes=10))
    # then: the appointment goes first
    assert booked.queued_at < walk_in.queued_at
    assert services_queue.ticket_call_next(counter=window2, actor=clerk) == booked


@pytest.mark.django_db(transaction=True)
def test_two_counters_calling_at_once_never_get_the_same_ticket(registration, window1, window2, clerk, agent):
    # given: two tickets waiting
    issue(registration, clerk)
    issue(registration, clerk)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def call(counter, user):
        try:
            barrier.wait()
            results.append(services_queue.ticket_call_next(counter=counter, actor=user))
        finally:
            connection.close()  # this thread's own connection

    # when: both counters call next at the same moment
    threads = [threading.Thread(target=call, args=args) for args in ((window1, clerk), (window2, agent))]
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("SQLite in memory cannot be shared between threads; runs on PostgreSQL and file SQLite")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    called = [ticket.pk for ticket in results if ticket is not None]
    assert len(called) == 2 and len(set(called)) == 2
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 2


def test_call_next_skips_a_ticket_another_counter_took_in_the_same_instant(registration, window2, clerk, monkeypatch):
    # given: the first candidate is taken by someone else between the read and the update
    first, second = issue(registration, clerk), issue(registration, clerk)
    real_filter = Ticket.objects.filter
    taken = {"done": False}

    def racing_filter(*args, **kwargs):
        if kwargs.get("pk") == first.pk and kwargs.get("status") == TicketStatus.WAITING and not taken["done"]:
            taken["done"] = True
            real_filter(pk=first.pk).update(status=TicketStatus.CALLED)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Ticket.objects, "filter", racing_filter)
    # when
    called = services_queue.ticket_call_next(counter=window2, actor=clerk)
    # then
    assert called == second


def test_transfer_keeps_the_place_in_time_and_joins_the_other_line(registration, results, window1, window2, clerk):
    # given: A001 arrived before B001; A001 is at window 2
    a1 = issue(registration, clerk)
    b1 = issue(results, clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    # when
    moved = services_queue.ticket_transfer(ticket=a1, service=results, actor=clerk)
    # then: it waits in results' line, ahead of B001, with its number kept
    assert (moved.status, moved.service, moved.code, moved.transferred_from) == (
        TicketStatus.WAITING,
        results,
        "A001",
        registration,
    )
    assert moved.counter is None and moved.transfer_count == 1
    assert services_queue.ticket_call_next(counter=window1, actor=clerk) == a1
    assert services_queue.ticket_call_next(counter=window1, actor=clerk) == b1


def test_transfer_to_the_same_service_is_refused(registration, clerk):
    ticket = issue(registration, clerk)
    with pytest.raises(ValidationError):
        services_queue.ticket_transfer(ticket=ticket, service=registration, actor=clerk)


def test_transfer_to_another_branchs_service_is_refused(registration, other_branch, manager, clerk):
    elsewhere = services_queue.queue_service_save(branch=other_branch, actor=manager, name="Kasa", prefix="K")
    ticket = issue(registration, clerk)
    with pytest.raises(ValidationError):
        services_queue.ticket_transfer(ticket=ticket, service=elsewhere, actor=clerk)


def test_a_ticket_on_hold_is_skipped_and_resumes_at_its_place(registration, window2, clerk):
    # given
    first, second = issue(registration, clerk), issue(registration, clerk)
    services_queue.ticket_hold(ticket=first, actor=clerk)
    # then: call next skips it
    assert services_queue.ticket_call_next(counter=window2, actor=clerk) == second
    # when: it comes back, it is first again
    services_queue.ticket_resume(ticket=first, actor=clerk)
    third = issue(registration, clerk)
    assert services_queue.ticket_call_next(counter=window2, actor=clerk) == first
    assert third.status == TicketStatus.WAITING


def test_a_called_ticket_can_be_marked_a_no_show_and_not_started_afterwards(registration, window2, clerk):
    ticket = issue(registration, clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    gone = services_queue.ticket_no_show(ticket=ticket, actor=clerk)
    assert gone.status == TicketStatus.NO_SHOW
    with pytest.raises(ValidationError):
        services_queue.ticket_start(ticket=ticket, actor=clerk)


def test_recall_counts_the_calls_of_a_called_ticket_only(registration, window2, clerk):
    ticket = issue(registration, clerk)
    with pytest.raises(ValidationError):
        services_queue.ticket_recall(ticket=ticket, actor=clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    assert services_queue.ticket_recall(ticket=ticket, actor=clerk).recall_count == 1


def test_every_phase_is_timestamped_and_the_waits_are_measured(registration, window2, clerk, branch):
    # given
    ticket = issue(registration, clerk)
    Ticket.objects.filter(pk=ticket.pk).update(
        issued_at=timezone.now() - timedelta(minutes=10), queued_at=timezone.now() - timedelta(minutes=10)
    )
    # when
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    services_queue.ticket_start(ticket=ticket, actor=clerk)
    Ticket.objects.filter(pk=ticket.pk).update(started_at=timezone.now() - timedelta(minutes=4))
    done = services_queue.ticket_finish(ticket=ticket, actor=clerk)
    # then
    assert done.status == TicketStatus.DONE
    assert done.issued_at <= done.called_at and done.started_at <= done.finished_at
    times = selectors_queue.phase_times(user=clerk, branch=branch, day=done.day)
    assert (times.tickets, times.called, times.finished) == (1, 1, 1)
    assert 9 * 60 < times.mean_wait < 11 * 60
    assert 3 * 60 < times.mean_service < 5 * 60


def test_every_ticket_change_is_audited(registration, window2, clerk):
    ticket = issue(registration, clerk)
    services_queue.ticket_call_next(counter=window2, actor=clerk)
    services_queue.ticket_finish(ticket=ticket, actor=clerk)
    actions = list(AuditEntry.objects.filter(target_id=str(ticket.pk)).values_list("action", flat=True))
    assert {"queue.ticket_issue", "queue.ticket_call", "queue.ticket_finish"} <= set(actions)


def test_the_position_counts_who_is_ahead_and_estimates_the_wait(registration, window2, clerk):
    # given: three waiting, one counter, five minutes per client
    tickets = [issue(registration, clerk) for _ in range(3)]
    # when
    position = selectors_queue.ticket_position(ticket=tickets[2])
    # then
    assert position == selectors_queue.Position(place=3, minutes=10)
    assert selectors_queue.ticket_position(ticket=tickets[0]).place == 1


def test_a_client_with_the_link_is_told_once_when_they_are_next(registration, window2, clerk, patient):
    # given: the client holds the second ticket and was sent the link by SMS
    issue(registration, clerk)
    theirs = issue(registration, clerk, client=patient)
    services_queue.ticket_position_link_send(ticket=theirs, actor=clerk, url="https://example.test/q/x", channel="sms")
    assert OutboundMessage.objects.count() == 1
    # when: the first ticket is called, twice over (a recall does not repeat it)
    first = services_queue.ticket_call_next(counter=window2, actor=clerk)
    services_queue.ticket_recall(ticket=first, actor=clerk)
    # then
    messages = list(OutboundMessage.objects.order_by("pk").values_list("body", flat=True))
    assert len(messages) == 2
    assert theirs.code in messages[1] and "jest następny" in messages[1]  # in the client's language (Polish)
