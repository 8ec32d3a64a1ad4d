"""The manager's queue report: waits and counter times per service and per hour, for a period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from frontoffice.desk import services_queue
from frontoffice.desk.models.queue import Ticket, TicketStatus
from frontoffice.desk.selectors_queue_report import queue_report
from frontoffice.desk.templatetags.desk_queue import minutes_seconds

WARSAW = ZoneInfo("Europe/Warsaw")
DAY = date(2026, 3, 2)


def _ticket(service, *, at, wait=None, counter=None, status=TicketStatus.DONE, day=DAY):
    """A ticket that took its place in line at ``at`` (branch time on ``day``), was called ``wait`` minutes
    later and spent ``counter`` minutes at the counter."""
    ticket = services_queue.ticket_issue(service=service, actor=None)
    queued = datetime.combine(day, at, tzinfo=WARSAW)
    called = queued + timedelta(minutes=wait) if wait is not None else None
    started = called if counter is not None else None
    finished = started + timedelta(minutes=counter) if counter is not None else None
    Ticket.objects.filter(pk=ticket.pk).update(
        day=day, status=status, queued_at=queued, called_at=called, started_at=started, finished_at=finished
    )
    return ticket


@pytest.fixture
def morning(registration, results):
    """Registration: waits 2, 4, 10, 30 minutes (one of them a no-show); results: one wait of 6 minutes."""
    from datetime import time

    _ticket(registration, at=time(8, 10), wait=2, counter=5)
    _ticket(registration, at=time(8, 40), wait=4, counter=7)
    _ticket(registration, at=time(9, 5), wait=10, counter=3)
    _ticket(registration, at=time(9, 20), wait=30, status=TicketStatus.NO_SHOW)
    _ticket(results, at=time(9, 30), wait=6, counter=2)
    _ticket(results, at=time(9, 45), status=TicketStatus.CANCELLED)
    _ticket(registration, at=time(9, 0), wait=1, counter=1, day=DAY + timedelta(days=1))  # the next day


def test_the_report_computes_waits_and_counter_times_per_service_and_hour(manager, branch, morning):
    report = queue_report(user=manager, branch=branch, first_day=DAY, last_day=DAY)

    results, registration = report.services  # by name
    assert (registration.label, registration.issued, registration.served, registration.no_shows) == (
        "Rejestracja",
        4,
        3,
        1,
    )
    assert registration.median_wait == 7 * 60  # of 2, 4, 10, 30 minutes
    assert registration.wait_p90 == 30 * 60
    assert registration.longest_wait == 30 * 60
    assert registration.median_counter_time == 5 * 60  # of 5, 7, 3: the no-show never reached the counter
    assert (results.issued, results.served, results.cancelled, results.median_wait) == (2, 1, 1, 6 * 60)

    assert (report.total.issued, report.total.served, report.total.median_wait) == (6, 4, 6 * 60)
    assert [(hour.label, hour.issued) for hour in report.hours] == [("08:00–09:00", 2), ("09:00–10:00", 4)]


def test_a_longer_period_takes_in_every_day(manager, branch, morning):
    report = queue_report(user=manager, branch=branch, first_day=DAY, last_day=DAY + timedelta(days=1))
    assert report.total.issued == 7


def test_another_organisations_tickets_never_count(outsider_org, foreign_branch, branch, morning):
    report = queue_report(user=outsider_org, branch=branch, first_day=DAY, last_day=DAY)
    assert report.total.issued == 0


def test_the_page_shows_the_figures_in_minutes_and_seconds(login, manager, branch, morning):
    url = reverse("desk:queue_report") + f"?branch={branch.pk}&first_day={DAY}&last_day={DAY}"
    page = login(manager).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rejestracja" in text and "7:00" in text and "30:00" in text and "08:00–09:00" in text


def test_the_page_reads_the_period_in_a_fixed_number_of_queries(
    login, manager, branch, morning, django_assert_max_num_queries
):
    client = login(manager)
    url = reverse("desk:queue_report") + f"?branch={branch.pk}&first_day={DAY}&last_day={DAY + timedelta(days=1)}"
    client.get(url)  # warm the session and caches
    # Eight to read the session and the signed-in user (no shared cache in tests), the user's branches,
    # and one for every ticket of the period, however many there are.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2026-03-05", "2026-03-01", "The last day cannot come before the first."),
        ("2026-01-01", "2026-06-30", "Choose at most 92 days."),
        ("yesterday", "2026-03-01", "Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_with_a_message_and_keeps_what_was_typed(login, manager, branch, first, last, message):
    url = reverse("desk:queue_report") + f"?branch={branch.pk}&first_day={first}&last_day={last}"
    page = login(manager).get(url)
    assert page.status_code == 400
    text = page.content.decode()
    assert message in text
    assert f'value="{first}"' in text


def test_the_report_is_for_managers(login, clerk, branch):
    assert login(clerk).get(reverse("desk:queue_report")).status_code == 403


def test_a_branch_the_manager_does_not_work_at_is_not_shown(login, manager, branch, other_branch):
    page = login(manager).get(reverse("desk:queue_report") + f"?branch={other_branch.pk}")
    assert page.status_code == 200
    assert page.context["branch"] == branch


@pytest.mark.parametrize(
    ("seconds", "shown"), [(None, "–"), (0, "0:00"), (59.6, "1:00"), (754, "12:34"), (3600 + 65, "1:01:05")]
)
def test_durations_read_as_minutes_and_seconds(seconds, shown):
    assert minutes_seconds(seconds) == shown
