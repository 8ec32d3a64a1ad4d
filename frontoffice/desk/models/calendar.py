"""Resources, their calendars and appointments.

A ``Resource`` is whatever an appointment occupies: a practitioner, another staff member,
a room or a piece of equipment, at one branch. Its weekly ``WorkingHours`` (local time of
the branch, several ranges a day: the gaps are breaks) minus its ``ResourceAbsence``s and
the branch's ``BranchClosure``s are when it can be booked.

An ``Appointment`` holds its resource from ``starts_at`` to ``ends_at`` (UTC) while its
status is one of ``SLOT_HOLDING``. No double booking: ``services_calendar`` re-checks
inside the transaction with the resource row locked, and on PostgreSQL an exclusion
constraint (``appointment_no_double_booking``, created by migration 0008 with btree_gist)
refuses an overlapping row whatever the code path. Statuses follow FHIR Appointment;
each transition stamps its own time.

Hooks for the parts built on top (keep these names stable): reminders and self check-in
read ``Appointment.status``/``starts_at`` and call ``services_calendar.appointment_arrive``;
the waitlist uses the ``waitlist`` status and ``slots.find_slots``; a cancellation calls
the hooks registered with ``services_calendar.register_slot_freed``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.accounts.models import StaffMember
from frontoffice.clients.models import Client
from frontoffice.core.choices import Weekday
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import AppointmentStatus, RepeatRule, ResourceKind
from ..permissions import CalendarPermission
from .visits import Room, Visit, VisitType

# Statuses in which an appointment occupies its resource (the database constraint uses the complement).
SLOT_FREEING = (AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW, AppointmentStatus.WAITLIST)
SLOT_HOLDING = tuple(status for status in AppointmentStatus if status not in SLOT_FREEING)


class Resource(TimeStampedModel):
    """A practitioner, staff member, room or piece of equipment that appointments are booked on."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="resources"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices, default=ResourceKind.PRACTITIONER)
    name = models.CharField(_("name"), max_length=120)
    staff_member = models.ForeignKey(
        StaffMember,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        help_text=_("The staff member this calendar belongs to, if any."),
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        help_text=_("The room this calendar belongs to, if any."),
    )
    visit_types = models.ManyToManyField(
        VisitType,
        verbose_name=_("visit types"),
        blank=True,
        related_name="resources",
        help_text=_("What can be booked on it; none chosen: every visit type."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["branch", "name", "pk"]
        permissions = CalendarPermission.choices
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                name="resource_name_unique_in_branch",
                violation_error_message=_("This branch already has a resource with this name."),
                violation_error_code="unique",
            ),
        ]
        indexes = [models.Index(fields=["branch", "is_active", "name"], name="resource_branch_active_idx")]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One working range of a resource on a weekday, in the branch's local time; gaps between ranges are breaks."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["resource", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="working_hours_end_after_start",
                violation_error_message=_("A working range must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class ResourceAbsence(models.Model):
    """A resource is away (leave, training, service of a device) from ``starts_at`` to ``ends_at``."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["resource", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="resource_absence_end_after_start",
                violation_error_message=_("An absence must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["resource", "ends_at", "starts_at"], name="absence_resource_when_idx")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class BranchClosure(models.Model):
    """A day the whole branch is closed (a public holiday, stocktaking): nothing is booked."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("branch closure")
        verbose_name_plural = _("branch closures")
        ordering = ["branch", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "date"],
                name="branch_closure_unique_day",
                violation_error_message=_("The branch is already closed on this day."),
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.date}"


class AppointmentSeries(TimeStampedModel):
    """A recurring series: each occurrence is a real ``Appointment`` pointing here, changed on its own."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("repeats"), max_length=8, choices=RepeatRule.choices, default=RepeatRule.WEEKLY)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    count = models.PositiveSmallIntegerField(_("occurrences"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    skipped = models.JSONField(
        _("skipped occurrences"),
        default=list,
        blank=True,
        help_text=_("Occurrences not booked because their slot was not free, with the reason."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("appointment series")
        verbose_name_plural = _("appointment series")
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="appointment_series_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} ×{self.interval}"


class Appointment(TimeStampedModel):
    """A client's booking of a resource for a visit type, from ``starts_at`` to ``ends_at`` (UTC)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="appointments"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="appointments")
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="appointments"
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="appointments")
    visit_type = models.ForeignKey(
        VisitType, verbose_name=_("visit type"), on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED, editable=False
    )
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True, editable=False)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True, editable=False)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    noshow_at = models.DateTimeField(_("marked no-show at"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed by the client at"), null=True, blank=True, editable=False)
    check_in_code = models.CharField(
        _("check-in code"),
        max_length=12,
        blank=True,
        editable=False,
        help_text=_("Random; typed or scanned at the lobby kiosk. Not derived from personal data."),
    )
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    series = models.ForeignKey(
        AppointmentSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    visit = models.OneToOneField(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        help_text=_("The desk visit opened when the client arrived."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appointment_end_after_start",
                violation_error_message=_("An appointment must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "check_in_code"],
                condition=~Q(check_in_code=""),
                name="appointment_check_in_code_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="appointment_resource_when_idx"),
            models.Index(fields=["branch", "starts_at"], name="appointment_branch_when_idx"),
            models.Index(fields=["client", "starts_at"], name="appointment_client_when_idx"),
            models.Index(fields=["organisation", "status", "starts_at"], name="appointment_org_status_idx"),
            models.Index(fields=["series", "starts_at"], name="appointment_series_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.resource_id}"

    @property
    def holds_slot(self) -> bool:
        return self.status in SLOT_HOLDING
