"""Cases (tickets): a matter that takes more than one contact, with an owner, a status and SLA clocks.

Any contact can open a case or join one (``Interaction.case``). A merged-away case keeps a
``merged_into`` link so old references lead to the survivor. ``is_complaint`` is the hook the
complaint register (a later app) picks up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import CasePriority, CaseStatus, Channel
from ..permissions import CasePermission
from .setup import Team


class Case(TimeStampedModel):
    """A customer's matter, worked by an owner in a team until it is resolved."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=32, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    channel = models.CharField(
        _("opened through"),
        max_length=10,
        choices=Channel.choices,
        help_text=_("The channel of the contact that opened the case (SLA policies choose by it)."),
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.NEW)
    priority = models.CharField(_("priority"), max_length=8, choices=CasePriority.choices, default=CasePriority.NORMAL)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_complaint = models.BooleanField(
        _("complaint"), default=False, help_text=_("Marked as a complaint: the complaint register takes it up.")
    )
    visit = models.ForeignKey(
        "desk.Visit",
        verbose_name=_("visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-pk"]
        permissions = CasePermission.choices
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique"),
        ]
        indexes = [
            # The agent queue: mine / team / unassigned, open ones, oldest first.
            models.Index(fields=["owner", "status", "opened_at"], name="case_owner_status_idx"),
            models.Index(fields=["team", "status", "opened_at"], name="case_team_status_idx"),
            models.Index(fields=["branch", "status", "opened_at"], name="case_branch_status_idx"),
            models.Index(fields=["client", "-opened_at"], name="case_client_idx"),
            # Queue filters by priority and channel within a branch (cases/selectors.py).
            models.Index(fields=["branch", "priority", "opened_at"], name="case_branch_priority_idx"),
            models.Index(fields=["branch", "channel", "opened_at"], name="case_branch_channel_idx"),
            models.Index(fields=["organisation", "opened_at"], name="case_org_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"
