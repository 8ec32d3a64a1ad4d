"""Organisations, branches, departments, numbering, audit and outgoing messages."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import BusinessKind, Channel, DepartmentKind, Language, MessageStatus, Weekday
from .permissions import CorePermission


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_currency(value: str) -> None:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValidationError(_("Use a three-letter ISO 4217 code, e.g. PLN."))


class TimeStampedModel(models.Model):
    """Creation and last-change times, plus a version for optimistic locking.

    ``version`` goes up by one on every save through a service; an edit form
    carries the version it was loaded with, and a stale save is refused
    (see ``core.concurrency``) instead of silently overwriting a colleague.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    """A business that uses Front Office: the outer boundary of all data."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("business kind"), max_length=16, choices=BusinessKind.choices)
    default_language = models.CharField(
        _("default language"), max_length=5, choices=Language.choices, default=Language.POLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Warsaw", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="PLN", validators=[validate_currency])
    require_mfa = models.BooleanField(
        _("require two-factor sign-in for managers, executives and administrators"), default=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        permissions = CorePermission.choices

    def __str__(self) -> str:
        return self.name


class Branch(TimeStampedModel):
    """A place where the organisation serves the public."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="branches"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=20, help_text=_("Short code used in numbers and reports."))
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="PL")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Warsaw", validators=[validate_time_zone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="branch_code_unique_in_organisation",
                violation_error_message=_("Another branch already uses this code."),
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postal_code} {self.city}".strip()) if part)


class OpeningHours(models.Model):
    """One opening period of a branch on a weekday; a day may have several."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["branch", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="opening_hours_close_after_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Department(TimeStampedModel):
    """A department or an area inside a branch (reception, ward, lobby, storeroom)."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices, default=DepartmentKind.DEPARTMENT)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department or area")
        verbose_name_plural = _("departments and areas")
        ordering = ["branch", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                name="department_name_unique_in_branch",
                violation_error_message=_("This branch already has a department or area with this name."),
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NumberSequence(models.Model):
    """The last number handed out for one kind of record, per organisation and year.

    Numbers are taken inside the transaction that creates the record, so a
    rolled-back record gives its number back: the sequence stays gap-free.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("prefix"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key", "year"], name="number_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key}-{self.year}: {self.last_value}"


class AuditEntry(models.Model):
    """A workflow action, written by the service that performed it, in the same transaction."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(_("record"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx"),
            models.Index(fields=["organisation", "-created_at"], name="audit_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.summary}"


class AccessLogEntry(models.Model):
    """A read of a sensitive record (identity documents, insurance, medical intake)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(_("record"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="access_target_idx"),
            models.Index(fields=["organisation", "-created_at"], name="access_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.target_type_id}:{self.target_id}"


class OutboundMessage(models.Model):
    """An e-mail or SMS queued by a service and sent by the worker."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML text"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "-created_at"], name="outbound_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"


class OutboundAttachment(models.Model):
    """A file sent with a queued e-mail (an order's PDF): kept with the message so a retry sends the same bytes."""

    message = models.ForeignKey(
        OutboundMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        return self.filename


class IdempotencyRecord(models.Model):
    """The stored answer to a POST sent with an ``Idempotency-Key`` header.

    The same key with the same body returns this answer again; the same key
    with another body is refused with 422.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("key"), max_length=200)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.BinaryField(_("response"))
    content_type = models.CharField(_("content type"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return self.key


class ReportingEvent(models.Model):
    """One fact a metric counts, written when it happens by the service that made it happen.

    Metrics are computed from these rows (rolled up by ``reports``), never by re-reading the
    changing domain tables: a case reopened today must not rewrite last month's resolution
    time. Apps above ``core`` record them through ``core.reporting.record_event`` inside
    their own transaction, so an event exists exactly when its fact does. The rows are
    append-only. Dimensions that live in higher apps (team, topic, client) are kept as plain
    ids because ``core`` may not point at their tables.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=40)
    occurred_at = models.DateTimeField(_("happened at"))
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    team_id = models.PositiveBigIntegerField(_("team"), null=True, blank=True)
    topic_id = models.PositiveBigIntegerField(_("topic"), null=True, blank=True)
    client_id = models.PositiveBigIntegerField(_("client"), null=True, blank=True)
    subject_type = models.CharField(_("record type"), max_length=24)
    subject_id = models.PositiveBigIntegerField(_("record"))
    value = models.FloatField(_("value"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting event")
        verbose_name_plural = _("reporting events")
        indexes = [
            models.Index(fields=["organisation", "occurred_at"], name="revent_org_time_idx"),
            models.Index(fields=["organisation", "kind", "occurred_at"], name="revent_org_kind_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="revent_subject_idx"),
            models.Index(fields=["organisation", "client_id", "occurred_at"], name="revent_client_idx"),
            # The reports drill-down: one kind (or a few) over a time range, narrowed by a dashboard filter.
            models.Index(fields=["organisation", "branch", "kind", "occurred_at"], name="revent_org_branch_idx"),
            models.Index(fields=["organisation", "agent", "kind", "occurred_at"], name="revent_org_agent_idx"),
            models.Index(fields=["organisation", "team_id", "kind", "occurred_at"], name="revent_org_team_idx"),
            models.Index(fields=["organisation", "channel", "kind", "occurred_at"], name="revent_org_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id} @ {self.occurred_at:%Y-%m-%d %H:%M}"
