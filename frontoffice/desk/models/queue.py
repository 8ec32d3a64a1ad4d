"""The walk-in queue: services with their ticket numbers, counters that serve them, tickets, board screens.

A ``QueueService`` (e.g. "Registration", prefix ``A``) hands out numbers that start again
at 1 every local day of its branch (``last_number`` / ``last_number_on`` are the counter,
locked while a ticket is issued, so numbers are gap-free). A ``Counter`` (a desk or window)
serves one or more services. A ``Ticket`` moves through timestamped phases: issued
(arrival), called, service started, finished; it may also be put on hold, marked a no-show
or cancelled. A transferred ticket waits again in another service's queue, keeping its
place in time (``queued_at``). A ``BoardScreen`` is a waiting-room TV or a lobby kiosk
opened by a secret URL instead of a login.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..permissions import QueuePermission

PREFIX_VALIDATOR = RegexValidator(r"^[A-Z]{1,3}$", _("Use one to three capital letters, e.g. A."))


class TicketCategory(models.TextChoices):
    """Who is called first: every priority category goes before ``normal``, oldest first within a rank."""

    NORMAL = "normal", _("Normal")
    ELDERLY = "elderly", _("Priority: elderly")
    DISABLED = "disabled", _("Priority: disability")
    PREGNANT = "pregnant", _("Priority: pregnant")
    WITH_CHILD = "with_child", _("Priority: with a small child")


# Rank used by "call next": higher goes first.
CATEGORY_PRIORITY = {TicketCategory.NORMAL: 0}


def category_priority(category: str) -> int:
    return CATEGORY_PRIORITY.get(TicketCategory(category), 1)


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Finished")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD)
AT_COUNTER_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)


class TicketSource(models.TextChoices):
    DESK = "desk", _("Desk")
    KIOSK = "kiosk", _("Kiosk")
    APPOINTMENT = "appointment", _("Appointment check-in")
    API = "api", _("API")


class QueueService(TimeStampedModel):
    """One line people queue in at a branch, with its own ticket prefix and daily numbers."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="queue_services"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("As shown on the board and the kiosk."))
    prefix = models.CharField(
        _("ticket prefix"), max_length=3, validators=[PREFIX_VALIDATOR], help_text=_("E.g. A gives A-001, A-002…")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    minutes_per_client = models.PositiveSmallIntegerField(
        _("minutes per client"),
        default=5,
        help_text=_("Used to estimate waiting times until there is enough history of today's service times."),
    )
    visit_types = models.ManyToManyField(
        "desk.VisitType",
        verbose_name=_("appointments served"),
        blank=True,
        related_name="queue_services",
        help_text=_("A checked-in appointment of one of these visit types is given a ticket of this service."),
    )
    last_number = models.PositiveIntegerField(_("last number issued"), default=0, editable=False)
    last_number_on = models.DateField(_("day of the last number"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("queue service")
        verbose_name_plural = _("queue services")
        ordering = ["branch", "position", "name"]
        permissions = QueuePermission.choices
        constraints = [
            models.UniqueConstraint(fields=["branch", "prefix"], name="queue_service_prefix_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Counter(TimeStampedModel):
    """A desk or window where tickets are called to; it serves one or more services."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="counters")
    name = models.CharField(_("name"), max_length=60, help_text=_("As called on the board, e.g. Window 3."))
    services = models.ManyToManyField(
        QueueService, verbose_name=_("services served"), related_name="counters", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="counter_name_unique")]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """A person's place in a service's line, with every phase timestamped."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="tickets")
    service = models.ForeignKey(
        QueueService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="tickets"
    )
    day = models.DateField(_("day"), help_text=_("The branch's local day the number belongs to."))
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("ticket"), max_length=12)
    category = models.CharField(
        _("category"), max_length=20, choices=TicketCategory.choices, default=TicketCategory.NORMAL
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    source = models.CharField(_("issued at"), max_length=20, choices=TicketSource.choices, default=TicketSource.DESK)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    due_at = models.DateTimeField(
        _("appointment time"), null=True, blank=True, help_text=_("For appointment check-ins: the booked slot.")
    )
    appointment = models.ForeignKey(
        "desk.Appointment",
        verbose_name=_("appointment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    issued_at = models.DateTimeField(_("arrived at"))
    queued_at = models.DateTimeField(
        _("place in line"), help_text=_("Arrival, or the appointment's slot time; kept on transfer.")
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    held_at = models.DateTimeField(_("put on hold at"), null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField(_("recalls"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("transfers"), default=0)
    transferred_from = models.ForeignKey(
        QueueService,
        verbose_name=_("transferred from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notify_channel = models.CharField(
        _("tell them they are next by"),
        max_length=10,
        choices=[("email", _("E-mail")), ("sms", _("SMS"))],
        blank=True,
        help_text=_("Set when the client was sent the link to follow their place in line."),
    )
    next_notified_at = models.DateTimeField(_("told they are next at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-day", "-priority", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "day", "code"], name="ticket_code_unique_per_day"),
        ]
        indexes = [
            # "Call next": the waiting line of a service, priority first, then oldest.
            models.Index(
                fields=["service", "-priority", "queued_at"],
                condition=Q(status="waiting"),
                name="ticket_waiting_line_idx",
            ),
            models.Index(fields=["branch", "day", "status"], name="ticket_branch_day_idx"),
            models.Index(fields=["counter", "status"], name="ticket_counter_status_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def wait_seconds(self) -> float | None:
        """Door to counter: from the place in line to the first call."""
        if self.called_at is None:
            return None
        return max((self.called_at - self.queued_at).total_seconds(), 0.0)

    @property
    def service_seconds(self) -> float | None:
        """Counter time: from the start of service to its end."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max((self.finished_at - self.started_at).total_seconds(), 0.0)


def new_screen_token() -> str:
    return secrets.token_urlsafe(24)


class ScreenKind(models.TextChoices):
    BOARD = "board", _("Waiting-room board")
    KIOSK = "kiosk", _("Ticket kiosk")


class BoardScreen(TimeStampedModel):
    """A waiting-room TV or a lobby kiosk: opened by a secret URL, no login; revocable."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="board_screens")
    kind = models.CharField(_("kind"), max_length=10, choices=ScreenKind.choices, default=ScreenKind.BOARD)
    name = models.CharField(_("name"), max_length=100, help_text=_("Where it hangs, e.g. Waiting room, ground floor."))
    token = models.CharField(_("secret"), max_length=64, unique=True, default=new_screen_token, editable=False)
    services = models.ManyToManyField(
        QueueService,
        verbose_name=_("services shown"),
        blank=True,
        related_name="screens",
        help_text=_("None chosen: every service of the branch."),
    )
    chime = models.BooleanField(_("chime on a call"), default=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("board screen")
        verbose_name_plural = _("board screens")
        ordering = ["branch", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
