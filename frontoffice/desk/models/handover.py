"""The shift handover log: what the outgoing shift at a branch's desk tells the next one.

A ``Handover`` carries notes, summaries from registered providers (e.g. the cash
drawer's close, see ``handover_summaries.py``) and new open items; the incoming clerk
acknowledges it (who, when). A ``HandoverItem`` stays open until someone marks it done:
every later handover of the branch lists it again (``Handover.carried_items``), so
nothing is lost between shifts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontoffice.clients.models import Client
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from .visits import Visit


class Handover(TimeStampedModel):
    """One handover at a branch's desk, written by the outgoing clerk for the next shift."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="handovers"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="handovers")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="handovers_written",
    )
    written_at = models.DateTimeField(_("written at"))
    notes = models.TextField(_("notes"), blank=True)
    summaries = models.JSONField(
        _("summaries"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("What registered providers (e.g. the cash drawer) reported when the handover was written."),
    )
    carried_items = models.ManyToManyField(
        "HandoverItem",
        verbose_name=_("open items carried over"),
        blank=True,
        related_name="carried_in",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handovers_acknowledged",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # The write form's one-time token: a double-submitted form returns the handover it already made.
    request_key = models.CharField(_("request key"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["written_by", "request_key"],
                condition=~Q(request_key=""),
                name="handover_request_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "-written_at"], name="handover_branch_when_idx"),
            models.Index(
                fields=["branch", "written_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="handover_branch_unacked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.written_at:%Y-%m-%d %H:%M}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class HandoverItem(models.Model):
    """An open item for the next shift; it may mention a client (picked with read-back) or a visit."""

    handover = models.ForeignKey(
        Handover, verbose_name=_("written in handover"), on_delete=models.CASCADE, related_name="items"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="handover_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=500)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client mentioned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handover_items",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit mentioned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handover_items",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        ordering = ["handover", "position", "pk"]
        indexes = [
            models.Index(fields=["branch"], condition=Q(done_at__isnull=True), name="handover_item_open_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
