"""The manager's queue report: door-to-counter waits and counter times per service and per hour of arrival.

Read from each ticket's phase timestamps (models/queue.py): the wait is *place in line → first call*
(``queued_at`` → ``called_at``; an appointment's place in line is its slot time, so an early arrival
does not count as waiting), the counter time is *service started → finished* (``started_at`` →
``finished_at``, finished tickets only). Medians and the 90th percentile rather than means: one
forgotten ticket left waiting all afternoon would otherwise move the whole day's figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import Any

from django.utils import timezone

from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_queryset

from .models.queue import Ticket, TicketStatus
from .slots import zone_of

MAX_DAYS = 92  # a quarter: the figures are computed in Python from one row per ticket


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (the value below which ``share`` of the values lie), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil(n * share), at least the first
    return ordered[int(rank) - 1]


@dataclass
class Figures:
    """One line of the report (a service, an hour, or the whole branch); times in seconds."""

    label: str
    issued: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    waits: list[float] = field(default_factory=list, repr=False)
    counter_times: list[float] = field(default_factory=list, repr=False)

    def add(self, status: str, wait: float | None, counter_time: float | None) -> None:
        self.issued += 1
        self.served += status == TicketStatus.DONE
        self.no_shows += status == TicketStatus.NO_SHOW
        self.cancelled += status == TicketStatus.CANCELLED
        if wait is not None:
            self.waits.append(wait)
        if counter_time is not None:
            self.counter_times.append(counter_time)

    @property
    def median_wait(self) -> float | None:
        return median(self.waits) if self.waits else None

    @property
    def wait_p90(self) -> float | None:
        return _percentile(self.waits, 0.9)

    @property
    def longest_wait(self) -> float | None:
        return max(self.waits) if self.waits else None

    @property
    def median_counter_time(self) -> float | None:
        return median(self.counter_times) if self.counter_times else None


@dataclass
class QueueReport:
    branch: Branch
    first_day: date
    last_day: date
    total: Figures
    services: list[Figures]
    hours: list[Figures]  # by the hour the ticket took its place in line, branch time


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def queue_report(*, user: Any, branch: Branch, first_day: date, last_day: date) -> QueueReport:
    """The figures of ``branch``'s tickets from ``first_day`` to ``last_day`` (inclusive); one query."""
    rows = (
        scope_queryset(Ticket.objects.all(), user)
        .filter(branch=branch, day__gte=first_day, day__lte=last_day)
        .order_by()
        .values_list("service__name", "status", "queued_at", "called_at", "started_at", "finished_at")
    )
    zone = zone_of(branch)
    total = Figures(label="")
    services: dict[str, Figures] = {}
    hours: dict[int, Figures] = defaultdict(lambda: Figures(label=""))
    for service_name, status, queued_at, called_at, started_at, finished_at in rows:
        wait = _seconds(queued_at, called_at)
        counter_time = _seconds(started_at, finished_at) if status == TicketStatus.DONE else None
        services.setdefault(service_name, Figures(label=service_name)).add(status, wait, counter_time)
        hour = timezone.localtime(queued_at, zone).hour
        hours[hour].add(status, wait, counter_time)
        total.add(status, wait, counter_time)
    for hour, figures in hours.items():
        figures.label = f"{hour:02d}:00–{hour + 1:02d}:00"
    return QueueReport(
        branch=branch,
        first_day=first_day,
        last_day=last_day,
        total=total,
        services=[services[name] for name in sorted(services)],
        hours=[hours[hour] for hour in sorted(hours)],
    )
