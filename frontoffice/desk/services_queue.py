"""Writes of the walk-in queue: set-up (services, counters, screens) and the life of a ticket.

Tickets: issue (desk, kiosk, API, or an appointment check-in with its slot time), call
next to a counter (priority first, then oldest; two counters calling at once never get
the same ticket), recall, start service, finish, put on hold / resume, mark a no-show,
transfer to another service (keeping the place in line), cancel. Every change is audited
in its transaction and published, after commit, on the branch's queue channel
(``queue_channel``) for the boards and integrators' streams.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version
from frontoffice.core.events import channel, publish
from frontoffice.core.models import Branch
from frontoffice.core.notifications import email_queue, sms_queue

from . import reporting
from .models.queue import (
    AT_COUNTER_STATUSES,
    BoardScreen,
    Counter,
    QueueService,
    ScreenKind,
    Ticket,
    TicketCategory,
    TicketSource,
    TicketStatus,
    category_priority,
    new_screen_token,
)
from .services import branch_today

CALL_ATTEMPTS = 20  # tickets skipped because another counter took them in the same instant


def queue_channel(branch: Branch | Any) -> str:
    """The live channel of a branch's queue: boards and integrators' streams listen on it."""
    return channel(branch.organisation_id, "queue", branch.pk)


# --- Set-up ---------------------------------------------------------------------------


def _check_branch(branch: Branch, items: Iterable[Any], field: str, message: str) -> None:
    if any(item.branch_id != branch.pk for item in items):
        raise ValidationError({field: message})


@transaction.atomic
def queue_service_save(
    *,
    branch: Branch,
    actor: Any,
    name: str,
    prefix: str,
    minutes_per_client: int = 5,
    position: int = 0,
    is_active: bool = True,
    service: QueueService | None = None,
    visit_types: Iterable[Any] | None = None,
) -> QueueService:
    """Create a service at ``branch`` (``service`` None) or change ``service``.

    ``visit_types``: checked-in appointments of these visit types get a ticket of this service
    (None keeps what the service had).
    """
    creating = service is None
    chosen = list(visit_types) if visit_types is not None else None
    if chosen and any(item.organisation_id != branch.organisation_id for item in chosen):
        raise ValidationError({"visit_types": _("Choose visit types of this organisation.")})
    if service is None:
        service = QueueService(organisation_id=branch.organisation_id, branch=branch)
    elif service.branch_id != branch.pk:
        raise ValidationError(_("A service stays at its branch."))
    service.name = name.strip()
    service.prefix = prefix.strip().upper()
    service.minutes_per_client = minutes_per_client
    service.position = position
    service.is_active = is_active
    if QueueService.objects.filter(branch=branch, prefix=service.prefix).exclude(pk=service.pk).exists():
        raise ValidationError({"prefix": _("Another service of this branch already uses this prefix.")})
    if creating:
        service.updated_by = signed_in_user(actor)
    else:
        bump_version(service, user=actor)
    service.full_clean()
    service.save()
    if chosen is not None:
        service.visit_types.set(chosen)
    audit(
        actor=actor,
        action="queue.service_create" if creating else "queue.service_update",
        target=service,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Queue service saved: %(name)s") % {"name": service.name},
    )
    return service


@transaction.atomic
def counter_save(
    *,
    branch: Branch,
    actor: Any,
    name: str,
    services: Iterable[QueueService],
    is_active: bool = True,
    counter: Counter | None = None,
) -> Counter:
    """Create a counter at ``branch`` (``counter`` None) or change ``counter``; it serves ``services``."""
    services = list(services)
    _check_branch(branch, services, "services", _("Choose services of the counter's branch."))
    creating = counter is None
    if counter is None:
        counter = Counter(organisation_id=branch.organisation_id, branch=branch)
    elif counter.branch_id != branch.pk:
        raise ValidationError(_("A counter stays at its branch."))
    counter.name = name.strip()
    counter.is_active = is_active
    if Counter.objects.filter(branch=branch, name=counter.name).exclude(pk=counter.pk).exists():
        raise ValidationError({"name": _("Another counter of this branch already has this name.")})
    if creating:
        counter.updated_by = signed_in_user(actor)
    else:
        bump_version(counter, user=actor)
    counter.full_clean()
    counter.save()
    counter.services.set(services)
    audit(
        actor=actor,
        action="queue.counter_save",
        target=counter,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Counter saved: %(name)s") % {"name": counter.name},
        data={"services": [service.pk for service in services]},
    )
    return counter


@transaction.atomic
def board_screen_create(
    *,
    branch: Branch,
    actor: Any,
    name: str,
    kind: str = ScreenKind.BOARD,
    services: Iterable[QueueService] = (),
    chime: bool = True,
) -> BoardScreen:
    """A new board or kiosk with its own secret URL."""
    services = list(services)
    _check_branch(branch, services, "services", _("Choose services of the screen's branch."))
    screen = BoardScreen(
        organisation_id=branch.organisation_id,
        branch=branch,
        name=name.strip(),
        kind=kind,
        chime=chime,
        updated_by=signed_in_user(actor),
    )
    screen.full_clean()
    screen.save()
    screen.services.set(services)
    audit(
        actor=actor,
        action="queue.screen_create",
        target=screen,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Screen set up: %(name)s") % {"name": screen.name},
    )
    return screen


@transaction.atomic
def board_screen_revoke(*, screen: BoardScreen, actor: Any) -> BoardScreen:
    """The screen's URL stops working at once (an open board stops at its next reconnect). Repeating is harmless."""
    screen = BoardScreen.objects.select_for_update().get(pk=screen.pk)
    if screen.revoked_at is not None:
        return screen
    screen.revoked_at = timezone.now()
    bump_version(screen, user=actor)
    screen.save()
    audit(
        actor=actor,
        action="queue.screen_revoke",
        target=screen,
        organisation=screen.organisation,
        branch=screen.branch,
        summary=_("Screen URL revoked: %(name)s") % {"name": screen.name},
    )
    publish(queue_channel(screen.branch), {"type": "screen.revoked", "screen": screen.pk})
    return screen


@transaction.atomic
def board_screen_renew(*, screen: BoardScreen, actor: Any) -> BoardScreen:
    """A new secret URL for the screen (the old one stops working); also brings a revoked screen back."""
    screen = BoardScreen.objects.select_for_update().get(pk=screen.pk)
    screen.token = new_screen_token()
    screen.revoked_at = None
    bump_version(screen, user=actor)
    screen.save()
    audit(
        actor=actor,
        action="queue.screen_renew",
        target=screen,
        organisation=screen.organisation,
        branch=screen.branch,
        summary=_("Screen given a new URL: %(name)s") % {"name": screen.name},
    )
    publish(queue_channel(screen.branch), {"type": "screen.revoked", "screen": screen.pk})
    return screen


# --- Tickets ----------------------------------------------------------------------------


def ticket_event(ticket: Ticket, kind: str) -> dict[str, Any]:
    """What boards and integrators are told: never the client, only the ticket, its service and counter."""
    waiting = dict(
        Ticket.objects.filter(branch_id=ticket.branch_id, day=ticket.day, status=TicketStatus.WAITING)
        .values_list("service_id")
        .annotate(n=Count("pk"))
        .values_list("service_id", "n")
    )
    return {
        "type": kind,
        "ticket": {
            "id": ticket.pk,
            "code": ticket.code,
            "service_id": ticket.service_id,
            "service": ticket.service.name,
            "status": ticket.status,
            "counter_id": ticket.counter_id,
            "counter": ticket.counter.name if ticket.counter is not None else "",
            "recalls": ticket.recall_count,
        },
        "waiting": {str(service_id): count for service_id, count in waiting.items()},
        "at": timezone.now().isoformat(),
    }


def _announce(ticket: Ticket, kind: str) -> None:
    publish(queue_channel(ticket.branch), ticket_event(ticket, kind))


def _audit_ticket(ticket: Ticket, *, actor: Any, action: str, summary: str, data: dict[str, Any] | None = None) -> None:
    audit(
        actor=actor,
        action=f"queue.{action}",
        target=ticket,
        organisation=ticket.organisation,
        branch=ticket.branch,
        summary=summary % {"code": ticket.code},
        data=data,
    )


@transaction.atomic
def ticket_issue(
    *,
    service: QueueService,
    actor: Any,
    category: str = TicketCategory.NORMAL,
    client: Client | None = None,
    due_at: datetime | None = None,
    source: str = TicketSource.DESK,
    appointment: Any = None,
) -> Ticket:
    """A new ticket in ``service``'s line with the day's next number (gap-free; starts at 1 every local day).

    ``due_at`` is an appointment's slot time: the person queues at that time rather than at
    their arrival (the appointment check-in calls this with ``source="appointment"``).
    """
    # The service row is the day's number counter: locking it queues concurrent issues.
    service = QueueService.objects.select_for_update().select_related("branch__organisation").get(pk=service.pk)
    if not service.is_active:
        raise ValidationError({"service": _("This service is not taking tickets now.")})
    if category not in TicketCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    if source not in TicketSource.values:
        raise ValidationError({"source": _("Unknown ticket source.")})
    if appointment is not None and appointment.branch_id != service.branch_id:
        raise ValidationError({"appointment": _("Choose an appointment of the service's branch.")})
    if client is not None and (client.organisation_id != service.organisation_id or not client.is_active_record):
        raise ValidationError({"client": _("This client cannot be given a ticket (merged, erased or not yours).")})
    today = branch_today(service.branch)
    if service.last_number_on != today:
        service.last_number, service.last_number_on = 0, today
    service.last_number += 1
    service.save(update_fields=["last_number", "last_number_on"])
    now = timezone.now()
    ticket = Ticket(
        organisation_id=service.organisation_id,
        branch=service.branch,
        service=service,
        day=today,
        number=service.last_number,
        code=f"{service.prefix}{service.last_number:03d}",
        category=category,
        priority=category_priority(category),
        source=source,
        client=client,
        due_at=due_at,
        appointment=appointment,
        issued_at=now,
        queued_at=due_at or now,
        issued_by=signed_in_user(actor),
    )
    ticket.full_clean()
    ticket.save()
    _audit_ticket(ticket, actor=actor, action="ticket_issue", summary=_("Ticket %(code)s issued"))
    _announce(ticket, "ticket.issued")
    return ticket


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("service", "counter", "branch__organisation", "organisation")
        .get(pk=ticket.pk)
    )


def _refuse(ticket: Ticket, allowed: Iterable[str], message: str) -> None:
    if ticket.status not in allowed:
        raise ValidationError(message % {"code": ticket.code, "status": ticket.get_status_display()})


def _close_counter(counter: Counter, *, actor: Any, now: datetime) -> None:
    """Calling the next ticket ends the one still at the counter: served if started, else finished unstarted."""
    for current in Ticket.objects.select_for_update().filter(counter=counter, status__in=AT_COUNTER_STATUSES):
        current.status = TicketStatus.DONE
        current.started_at = current.started_at or current.called_at
        current.finished_at = now
        current.save(update_fields=["status", "started_at", "finished_at"])
        reporting.queue_served(current)
        _audit_ticket(current, actor=actor, action="ticket_finish", summary=_("Ticket %(code)s finished"))


@transaction.atomic
def ticket_call_next(*, counter: Counter, actor: Any) -> Ticket | None:
    """Call the next waiting ticket of the counter's services to ``counter``; None when nobody waits.

    Priority categories first, then the earliest place in line. Race-safe: on PostgreSQL
    the candidate row is taken with ``FOR UPDATE SKIP LOCKED`` (another counter's pick is
    skipped, not waited for); everywhere the status change is a conditional UPDATE
    (still waiting?) that only one caller can win, so a loser moves on to the next ticket.
    """
    counter = Counter.objects.select_related("branch__organisation").get(pk=counter.pk)
    if not counter.is_active:
        raise ValidationError(_("This counter is closed."))
    now = timezone.now()
    _close_counter(counter, actor=actor, now=now)
    line = Ticket.objects.filter(
        service__in=counter.services.filter(is_active=True),
        day=branch_today(counter.branch),
        status=TicketStatus.WAITING,
    ).order_by("-priority", "queued_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        line = line.select_for_update(skip_locked=True, of=("self",))
    user = signed_in_user(actor)
    skipped: list[int] = []
    for _attempt in range(CALL_ATTEMPTS):
        candidate = line.exclude(pk__in=skipped).values_list("pk", flat=True).first()
        if candidate is None:
            return None
        won = Ticket.objects.filter(pk=candidate, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED, called_at=now, counter=counter, served_by=user
        )
        if won:
            ticket = _lock(Ticket(pk=candidate))
            _audit_ticket(
                ticket,
                actor=actor,
                action="ticket_call",
                summary=_("Ticket %(code)s called"),
                data={"counter": counter.pk},
            )
            _announce(ticket, "ticket.called")
            _notify_next_in_line(ticket.service_id)
            return ticket
        skipped.append(candidate)
    return None


@transaction.atomic
def ticket_call(*, ticket: Ticket, counter: Counter, actor: Any) -> Ticket:
    """Call one chosen ticket (e.g. back from hold) to ``counter``, out of turn."""
    ticket = _lock(ticket)
    _refuse(
        ticket, (TicketStatus.WAITING, TicketStatus.ON_HOLD), _("Ticket %(code)s is %(status)s; it cannot be called.")
    )
    if counter.branch_id != ticket.branch_id:
        raise ValidationError({"counter": _("Choose a counter of the ticket's branch.")})
    now = timezone.now()
    _close_counter(counter, actor=actor, now=now)
    ticket.status, ticket.called_at, ticket.counter, ticket.served_by = (
        TicketStatus.CALLED,
        now,
        counter,
        signed_in_user(actor),
    )
    ticket.held_at = None
    ticket.save(update_fields=["status", "called_at", "counter", "served_by", "held_at"])
    _audit_ticket(ticket, actor=actor, action="ticket_call", summary=_("Ticket %(code)s called"))
    _announce(ticket, "ticket.called")
    return ticket


@transaction.atomic
def ticket_recall(*, ticket: Ticket, actor: Any) -> Ticket:
    """Call the same ticket again (the person did not come up yet): the board shows it again."""
    ticket = _lock(ticket)
    _refuse(ticket, (TicketStatus.CALLED,), _("Ticket %(code)s is %(status)s; only a called ticket can be recalled."))
    ticket.recall_count += 1
    ticket.save(update_fields=["recall_count"])
    _audit_ticket(ticket, actor=actor, action="ticket_recall", summary=_("Ticket %(code)s called again"))
    _announce(ticket, "ticket.recalled")
    return ticket


@transaction.atomic
def ticket_start(*, ticket: Ticket, actor: Any) -> Ticket:
    """The person reached the counter: the counter time starts."""
    ticket = _lock(ticket)
    _refuse(ticket, (TicketStatus.CALLED,), _("Ticket %(code)s is %(status)s; service starts only after a call."))
    ticket.status, ticket.started_at = TicketStatus.SERVING, timezone.now()
    ticket.save(update_fields=["status", "started_at"])
    _audit_ticket(ticket, actor=actor, action="ticket_start", summary=_("Service of ticket %(code)s started"))
    _announce(ticket, "ticket.started")
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, actor: Any) -> Ticket:
    """The service is over (a called ticket finished without a start counts from its call)."""
    ticket = _lock(ticket)
    _refuse(ticket, AT_COUNTER_STATUSES, _("Ticket %(code)s is %(status)s; only a ticket at a counter can finish."))
    now = timezone.now()
    ticket.status, ticket.started_at, ticket.finished_at = TicketStatus.DONE, ticket.started_at or ticket.called_at, now
    ticket.save(update_fields=["status", "started_at", "finished_at"])
    reporting.queue_served(ticket)
    _audit_ticket(ticket, actor=actor, action="ticket_finish", summary=_("Ticket %(code)s finished"))
    _announce(ticket, "ticket.finished")
    return ticket


@transaction.atomic
def ticket_hold(*, ticket: Ticket, actor: Any) -> Ticket:
    """Set the ticket aside (e.g. the person went to fetch a document); it keeps its place for ``ticket_resume``."""
    ticket = _lock(ticket)
    _refuse(
        ticket,
        (TicketStatus.WAITING, *AT_COUNTER_STATUSES),
        _("Ticket %(code)s is %(status)s; it cannot be put on hold."),
    )
    ticket.status, ticket.held_at, ticket.counter = TicketStatus.ON_HOLD, timezone.now(), None
    ticket.save(update_fields=["status", "held_at", "counter"])
    _audit_ticket(ticket, actor=actor, action="ticket_hold", summary=_("Ticket %(code)s put on hold"))
    _announce(ticket, "ticket.held")
    return ticket


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor: Any) -> Ticket:
    """Back into the line at its original place (its arrival time is kept)."""
    ticket = _lock(ticket)
    _refuse(ticket, (TicketStatus.ON_HOLD,), _("Ticket %(code)s is %(status)s; only a ticket on hold can resume."))
    ticket.status, ticket.held_at = TicketStatus.WAITING, None
    ticket.save(update_fields=["status", "held_at"])
    _audit_ticket(ticket, actor=actor, action="ticket_resume", summary=_("Ticket %(code)s back in line"))
    _announce(ticket, "ticket.resumed")
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, actor: Any) -> Ticket:
    """The person did not come up when called (or is gone from the line)."""
    ticket = _lock(ticket)
    _refuse(
        ticket,
        (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.ON_HOLD),
        _("Ticket %(code)s is %(status)s; it cannot be marked a no-show."),
    )
    ticket.status, ticket.finished_at = TicketStatus.NO_SHOW, timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    _audit_ticket(ticket, actor=actor, action="ticket_no_show", summary=_("Ticket %(code)s marked a no-show"))
    _announce(ticket, "ticket.no_show")
    _notify_next_in_line(ticket.service_id)
    return ticket


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, actor: Any) -> Ticket:
    """The person left or the ticket was issued by mistake."""
    ticket = _lock(ticket)
    _refuse(
        ticket,
        (TicketStatus.WAITING, TicketStatus.ON_HOLD),
        _("Ticket %(code)s is %(status)s; it cannot be cancelled."),
    )
    ticket.status, ticket.finished_at = TicketStatus.CANCELLED, timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    _audit_ticket(ticket, actor=actor, action="ticket_cancel", summary=_("Ticket %(code)s cancelled"))
    _announce(ticket, "ticket.cancelled")
    _notify_next_in_line(ticket.service_id)
    return ticket


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, service: QueueService, actor: Any) -> Ticket:
    """Send the ticket to another service's line; it keeps its number and its original place in time."""
    ticket = _lock(ticket)
    _refuse(
        ticket,
        (TicketStatus.WAITING, TicketStatus.ON_HOLD, *AT_COUNTER_STATUSES),
        _("Ticket %(code)s is %(status)s; it cannot be transferred."),
    )
    if service.branch_id != ticket.branch_id:
        raise ValidationError({"service": _("Choose a service of the ticket's branch.")})
    if service.pk == ticket.service_id:
        raise ValidationError({"service": _("The ticket is already in this service's line.")})
    if not service.is_active:
        raise ValidationError({"service": _("This service is not taking tickets now.")})
    previous = ticket.service
    ticket.transferred_from = previous
    ticket.service = service
    ticket.transfer_count += 1
    ticket.status = TicketStatus.WAITING
    ticket.counter, ticket.held_at, ticket.next_notified_at = None, None, None
    ticket.save(
        update_fields=[
            "transferred_from",
            "service",
            "transfer_count",
            "status",
            "counter",
            "held_at",
            "next_notified_at",
        ]
    )
    _audit_ticket(
        ticket,
        actor=actor,
        action="ticket_transfer",
        summary=_("Ticket %(code)s transferred"),
        data={"from": previous.pk, "to": service.pk},
    )
    _announce(ticket, "ticket.transferred")
    _notify_next_in_line(previous.pk)
    _notify_next_in_line(service.pk)
    return ticket


def _notify_next_in_line(service_id: int) -> None:
    """Tell the first waiting person of the line, once, that they are next (see ``queue_position``)."""
    from .queue_position import notify_if_next

    notify_if_next(service_id=service_id)


@transaction.atomic
def ticket_position_link_send(*, ticket: Ticket, actor: Any, url: str, channel: str) -> str:
    """Send the client the link to follow their place in line (``email`` or ``sms``); they will also be told,
    once, when they are next. Returns the recipient."""
    from .queue_position import contact_for

    ticket = _lock(ticket)
    _refuse(
        ticket, (TicketStatus.WAITING, TicketStatus.ON_HOLD), _("Ticket %(code)s is %(status)s; it is not in line.")
    )
    if channel not in ("email", "sms"):
        raise ValidationError({"channel": _("Choose e-mail or SMS.")})
    if ticket.client is None:
        raise ValidationError(_("Choose the client of this ticket first: the link goes to their phone or e-mail."))
    recipient = contact_for(ticket, channel)
    if not recipient:
        raise ValidationError(
            _("The client has no e-mail address on file.")
            if channel == "email"
            else _("The client has no phone number on file.")
        )
    language = ticket.client.preferred_language or ticket.organisation.default_language
    with translation.override(language):
        text = _(
            "%(organisation)s: your ticket %(code)s. Follow your place in line here: %(url)s "
            "We will let you know when you are next."
        ) % {"organisation": ticket.organisation.name, "code": ticket.code, "url": url}
        subject = _("Your place in line")
    if channel == "email":
        email_queue(to=recipient, subject=subject, body=text, organisation=ticket.organisation)
    else:
        sms_queue(to=recipient, text=text, organisation=ticket.organisation)
    ticket.notify_channel = channel
    ticket.save(update_fields=["notify_channel"])
    _audit_ticket(
        ticket,
        actor=actor,
        action="ticket_position_link",
        summary=_("Ticket %(code)s: place-in-line link sent"),
        data={"channel": channel},
    )
    _notify_next_in_line(ticket.service_id)
    return recipient
