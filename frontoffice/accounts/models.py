"""Users, staff members, their qualifications and personal API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.core.choices import Language
from frontoffice.core.models import Branch, Organisation, TimeStampedModel, validate_time_zone

from .choices import EmployerKind, QualificationKind, Role
from .permissions import AccountsPermission


class User(AbstractUser):
    """A person who signs in. Staff data lives on ``StaffMember``."""

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: the organisation's default language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: the time zone of the organisation."),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = AccountsPermission.choices

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ContractorCompany(TimeStampedModel):
    """An outside company that supplies staff (typically security)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="contractors"
    )
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("NIP"), max_length=13, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("contractor company")
        verbose_name_plural = _("contractor companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="contractor_name_unique_in_organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMember(TimeStampedModel):
    """A user's place in an organisation: roles, branches and employer.

    Roles are stored as the user's groups (one group per ``Role``), so
    ``user.has_perm`` works through Django's own machinery.
    """

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="staff"
    )
    branches = models.ManyToManyField(Branch, verbose_name=_("branches"), related_name="staff", blank=True)
    employer_kind = models.CharField(
        _("employer"), max_length=16, choices=EmployerKind.choices, default=EmployerKind.IN_HOUSE
    )
    contractor = models.ForeignKey(
        ContractorCompany,
        verbose_name=_("contractor company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("work phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[branches])

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(employer_kind=EmployerKind.IN_HOUSE, contractor__isnull=True)
                | Q(employer_kind=EmployerKind.CONTRACTOR, contractor__isnull=False),
                name="staff_contractor_matches_employer",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @cached_property
    def role_codes(self) -> list[str]:
        valid = set(Role.values)
        # .all() so that a list page's prefetch_related("user__groups") is used.
        return sorted(group.name for group in self.user.groups.all() if group.name in valid)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.role_codes]


class Qualification(TimeStampedModel):
    """A skill or licence a staff member holds, optionally with an expiry date."""

    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QualificationKind.choices)
    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skill or licence")
        verbose_name_plural = _("skills and licences")
        ordering = ["staff", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    token_hash = models.CharField(_("hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
