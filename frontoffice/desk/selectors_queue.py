"""Reads of the walk-in queue, scoped to the user's branches; boards and kiosks read through their screen.

Besides lists, this holds the figures the pages and reports need: the place in line and
its time estimate, and the wait per phase (door to counter, counter time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import mean
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_queryset

from .models.queue import AT_COUNTER_STATUSES, BoardScreen, Counter, QueueService, ScreenKind, Ticket, TicketStatus
from .services import branch_today

RECENT_CALLS = 6
ESTIMATE_SAMPLE = 20  # the latest finished tickets of a service used for its average counter time


def service_list(*, user: Any, branch: Branch | None = None, active_only: bool = False) -> QuerySet[QueueService]:
    services = scope_queryset(QueueService.objects.all(), user).select_related("branch")
    if branch is not None:
        services = services.filter(branch=branch)
    if active_only:
        services = services.filter(is_active=True)
    return services.order_by("branch__name", "position", "name")


def service_get(*, user: Any, pk: int) -> QueueService:
    try:
        return service_list(user=user).get(pk=pk)
    except (QueueService.DoesNotExist, ValueError):
        raise Http404 from None


def counter_list(*, user: Any, branch: Branch | None = None, active_only: bool = False) -> QuerySet[Counter]:
    counters = (
        scope_queryset(Counter.objects.all(), user)
        .select_related("branch")
        .prefetch_related(Prefetch("services", queryset=QueueService.objects.order_by("position", "name")))
    )
    if branch is not None:
        counters = counters.filter(branch=branch)
    if active_only:
        counters = counters.filter(is_active=True)
    return counters.order_by("branch__name", "name")


def counter_get(*, user: Any, pk: int) -> Counter:
    try:
        return counter_list(user=user).get(pk=pk)
    except (Counter.DoesNotExist, ValueError):
        raise Http404 from None


def screen_list(*, user: Any, branch: Branch | None = None) -> QuerySet[BoardScreen]:
    screens = scope_queryset(BoardScreen.objects.all(), user).select_related("branch").prefetch_related("services")
    if branch is not None:
        screens = screens.filter(branch=branch)
    return screens.order_by("branch__name", "name")


def screen_get(*, user: Any, pk: int) -> BoardScreen:
    try:
        return screen_list(user=user).get(pk=pk)
    except (BoardScreen.DoesNotExist, ValueError):
        raise Http404 from None


class ScreenRevoked(Exception):
    """The secret URL was genuine but a manager revoked it."""


def screen_by_token(token: str, *, kind: str = ScreenKind.BOARD) -> BoardScreen:
    """The board or kiosk a secret URL opens: ``Http404`` for an unknown one, ``ScreenRevoked`` for a revoked one."""
    if not token or len(token) > 64:
        raise Http404
    try:
        screen = (
            BoardScreen.objects.select_related("branch", "organisation")
            .prefetch_related(Prefetch("services", queryset=QueueService.objects.order_by("position", "name")))
            .get(token=token, kind=kind)
        )
    except BoardScreen.DoesNotExist:
        raise Http404 from None
    if screen.is_revoked:
        raise ScreenRevoked
    return screen


def screen_services(screen: BoardScreen) -> list[QueueService]:
    chosen = [service for service in screen.services.all() if service.is_active]
    if chosen or screen.services.all():
        return chosen
    return list(QueueService.objects.filter(branch_id=screen.branch_id, is_active=True).order_by("position", "name"))


def ticket_queryset(*, user: Any) -> QuerySet[Ticket]:
    return scope_queryset(Ticket.objects.all(), user).select_related("service", "counter", "client", "branch")


def ticket_get(*, user: Any, pk: int) -> Ticket:
    try:
        return ticket_queryset(user=user).get(pk=pk)
    except (Ticket.DoesNotExist, ValueError):
        raise Http404 from None


def ticket_list(
    *, user: Any, branch: Branch | None = None, day: date | None = None, status: str = "", service_id: int | None = None
) -> QuerySet[Ticket]:
    tickets = ticket_queryset(user=user)
    if branch is not None:
        tickets = tickets.filter(branch=branch)
    if day is not None:
        tickets = tickets.filter(day=day)
    if status:
        tickets = tickets.filter(status=status)
    if service_id:
        tickets = tickets.filter(service_id=service_id)
    return tickets.order_by("-day", "-priority", "queued_at", "pk")


@dataclass
class BranchQueue:
    """What the clerk's queue page shows for one branch today."""

    services: list[QueueService]
    waiting: list[Ticket]  # in calling order
    on_hold: list[Ticket]
    at_counters: list[Ticket]
    waiting_by_service: dict[int, int]


def branch_queue(*, user: Any, branch: Branch) -> BranchQueue:
    """Today's line at ``branch``: waiting (in the order "call next" takes them), on hold and at counters."""
    today = branch_today(branch)
    services = list(service_list(user=user, branch=branch, active_only=True))
    open_tickets = list(
        ticket_list(user=user, branch=branch, day=today).filter(
            status__in=(TicketStatus.WAITING, TicketStatus.ON_HOLD, *AT_COUNTER_STATUSES)
        )
    )
    waiting = [ticket for ticket in open_tickets if ticket.status == TicketStatus.WAITING]
    counts: dict[int, int] = {}
    for ticket in waiting:
        counts[ticket.service_id] = counts.get(ticket.service_id, 0) + 1
    return BranchQueue(
        services=services,
        waiting=waiting,
        on_hold=[ticket for ticket in open_tickets if ticket.status == TicketStatus.ON_HOLD],
        at_counters=[ticket for ticket in open_tickets if ticket.status in AT_COUNTER_STATUSES],
        waiting_by_service=counts,
    )


def counter_current(*, counter: Counter) -> Ticket | None:
    """The ticket called to (or being served at) ``counter``; the counter was already scoped by its selector."""
    return (
        Ticket.objects.filter(counter=counter, status__in=AT_COUNTER_STATUSES)
        .select_related("service", "client", "counter")
        .order_by("-called_at")
        .first()
    )


def board_state(*, screen: BoardScreen) -> dict[str, Any]:
    """What a board shows: the latest calls (with counters) and the number waiting per service. No client data."""
    services = screen_services(screen)
    service_ids = [service.pk for service in services]
    today = branch_today(screen.branch)
    recent = list(
        Ticket.objects.filter(
            branch_id=screen.branch_id, day=today, service_id__in=service_ids, called_at__isnull=False
        )
        .filter(status__in=AT_COUNTER_STATUSES)
        .select_related("counter")
        .order_by("-called_at", "-pk")[:RECENT_CALLS]
    )
    waiting = dict(
        Ticket.objects.filter(branch_id=screen.branch_id, day=today, status=TicketStatus.WAITING)
        .filter(service_id__in=service_ids)
        .values_list("service_id")
        .annotate(n=Count("pk"))
        .values_list("service_id", "n")
    )
    return {
        "calls": [{"code": ticket.code, "counter": ticket.counter.name if ticket.counter else ""} for ticket in recent],
        "services": [
            {"id": service.pk, "name": service.name, "waiting": waiting.get(service.pk, 0)} for service in services
        ],
    }


@dataclass(frozen=True)
class Position:
    place: int  # 1: next
    minutes: int  # estimated wait


def average_service_minutes(service: QueueService) -> float:
    """Mean counter time of the service's latest finished tickets, or the service's set-up figure."""
    recent = list(
        Ticket.objects.filter(service=service, status=TicketStatus.DONE, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:ESTIMATE_SAMPLE]
    )
    seconds = [(finished - started).total_seconds() for started, finished in recent if finished and started]
    if len(seconds) >= 3:
        return max(mean(seconds) / 60, 0.5)
    return float(service.minutes_per_client)


def ticket_position(*, ticket: Ticket) -> Position | None:
    """The ticket's place in its line (1 = next) and the estimated wait; None once it is not waiting."""
    if ticket.status != TicketStatus.WAITING:
        return None
    ahead = (
        Ticket.objects.filter(service_id=ticket.service_id, day=ticket.day, status=TicketStatus.WAITING)
        .filter(
            Q(priority__gt=ticket.priority)
            | Q(priority=ticket.priority, queued_at__lt=ticket.queued_at)
            | Q(priority=ticket.priority, queued_at=ticket.queued_at, pk__lt=ticket.pk)
        )
        .count()
    )
    counters = max(Counter.objects.filter(services=ticket.service_id, is_active=True).count(), 1)
    minutes = round(ahead * average_service_minutes(ticket.service) / counters)
    return Position(place=ahead + 1, minutes=minutes)


@dataclass(frozen=True)
class PhaseTimes:
    """Waits per phase over a set of tickets, in seconds (None when no ticket reached that phase)."""

    tickets: int
    called: int
    finished: int
    mean_wait: float | None  # door to counter
    mean_service: float | None  # counter time
    max_wait: float | None


def phase_times(*, user: Any, branch: Branch, day: date, service_id: int | None = None) -> PhaseTimes:
    """Door-to-counter and counter times of ``branch``'s tickets on ``day`` (the manager reports read this)."""
    rows = list(
        ticket_list(user=user, branch=branch, day=day, service_id=service_id).values_list(
            "queued_at", "called_at", "started_at", "finished_at", "status"
        )
    )
    waits = [(called - queued).total_seconds() for queued, called, *_rest in rows if called is not None]
    services = [
        (finished - started).total_seconds()
        for _queued, _called, started, finished, status in rows
        if status == TicketStatus.DONE and started is not None and finished is not None
    ]
    return PhaseTimes(
        tickets=len(rows),
        called=len(waits),
        finished=len(services),
        mean_wait=max(mean(waits), 0.0) if waits else None,
        mean_service=mean(services) if services else None,
        max_wait=max(waits) if waits else None,
    )
