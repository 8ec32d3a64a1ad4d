"""Demo walk-in queue: per branch two services, two counters, a waiting-room board and a kiosk; today's tickets.

Everything goes through the services (as a clerk would), so numbers, phases and audit entries
are real. Idempotent: an organisation that already has queue services is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from frontoffice.core.choices import BusinessKind
from frontoffice.core.models import Branch, Organisation

from . import services_queue
from .models.queue import QueueService, Ticket

SERVICES: dict[str, tuple[tuple[str, str], ...]] = {
    BusinessKind.CLINIC: (("Rejestracja", "A"), ("Odbiór wyników", "B")),
    BusinessKind.HOTEL: (("Zameldowanie", "A"), ("Wymeldowanie i rachunki", "B")),
    BusinessKind.RETAIL: (("Kasa", "A"), ("Zwroty i reklamacje", "R")),
    BusinessKind.OFFICE: (("Biuro podawcze", "A"), ("Sprawy klientów", "B")),
}


def load(organisations: list[Organisation]) -> None:
    for seed, organisation in enumerate(organisations, start=1):
        if QueueService.objects.filter(organisation=organisation).exists():
            continue
        rng = random.Random(seed * 31)  # noqa: S311 - invented demo data
        for branch in Branch.objects.filter(organisation=organisation, is_active=True).order_by("pk"):
            _branch(branch, SERVICES.get(organisation.kind, SERVICES[BusinessKind.OFFICE]), rng)


def _branch(branch: Branch, specs: tuple[tuple[str, str], ...], rng: random.Random) -> None:
    first, second = (
        services_queue.queue_service_save(branch=branch, actor=None, name=name, prefix=prefix, position=position)
        for position, (name, prefix) in enumerate(specs)
    )
    window1 = services_queue.counter_save(branch=branch, actor=None, name="Okienko 1", services=[first, second])
    services_queue.counter_save(branch=branch, actor=None, name="Okienko 2", services=[first])
    services_queue.board_screen_create(branch=branch, actor=None, name="Poczekalnia, parter")
    services_queue.board_screen_create(branch=branch, actor=None, name="Kiosk przy wejściu", kind="kiosk")
    # This morning: a dozen tickets, most served, two waiting, one at window 1.
    now = timezone.now()
    for index in range(12):
        service = first if rng.random() < 0.7 else second
        category = "elderly" if rng.random() < 0.15 else "normal"
        ticket = services_queue.ticket_issue(service=service, actor=None, category=category)
        arrived = now - timedelta(minutes=(12 - index) * 9)
        Ticket.objects.filter(pk=ticket.pk).update(issued_at=arrived, queued_at=arrived)
    for _served in range(9):
        ticket = services_queue.ticket_call_next(counter=window1, actor=None)
        if ticket is None:
            break
        services_queue.ticket_start(ticket=ticket, actor=None)
        services_queue.ticket_finish(ticket=ticket, actor=None)
        # Spread the phases over the morning so the waits and counter times read as real ones.
        called = ticket.queued_at + timedelta(minutes=rng.randint(3, 15))
        Ticket.objects.filter(pk=ticket.pk).update(
            called_at=called,
            started_at=called + timedelta(minutes=1),
            finished_at=called + timedelta(minutes=rng.randint(3, 8)),
        )
    services_queue.ticket_call_next(counter=window1, actor=None)
