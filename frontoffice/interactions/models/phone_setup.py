"""How a branch's phone line behaves (``PhoneSettings``) and the numbers it refuses (``BlockedNumber``).

Both are set by managers (manage channels) on the phone-system pages. The CTI webhook reads them: the
callback due time and whether repeat calls add to an open callback when a call is missed, the outgoing
caller ID it answers an outbound ``newCall`` with, and the blocked list it answers an inbound ``newCall``
from a blocked number with (``{"action": "reject", "reason": "busy"}``, as Zammad's generic CTI does).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices import BlockReason

CALLBACK_DUE_MINUTES = 120  # a missed call's callback is due two hours after it, unless the branch says otherwise
CALLBACK_DUE_MIN_MINUTES = 5
CALLBACK_DUE_MAX_MINUTES = 7 * 24 * 60
# An inbound call the caller gives up on within this many seconds is a short abandon (a wrong number, a
# change of mind): reporting marks it ``short`` so abandonment can be counted with or without them.
SHORT_ABANDON_SECONDS = 5


class PhoneSettings(TimeStampedModel):
    """One branch's phone line: the callback due time, repeat calls, the outgoing caller ID.

    A branch without a row behaves as the defaults say (due in two hours, repeat calls add to the open callback,
    no caller ID sent to the PBX)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.OneToOneField(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="phone_settings"
    )
    callback_due_minutes = models.PositiveIntegerField(
        _("callback due after (minutes)"),
        default=CALLBACK_DUE_MINUTES,
        validators=[MinValueValidator(CALLBACK_DUE_MIN_MINUTES), MaxValueValidator(CALLBACK_DUE_MAX_MINUTES)],
        help_text=_("How long after a missed call its callback is due."),
    )
    repeat_calls_join_callback = models.BooleanField(
        _("repeat calls add to the open callback"),
        default=True,
        help_text=_(
            "When ticked, another missed call from a number that already has an open callback is counted on it; "
            "otherwise each missed call gets its own callback."
        ),
    )
    outgoing_caller_id = models.CharField(
        _("outgoing caller ID"),
        max_length=32,
        blank=True,
        help_text=_("The number the phone system shows to the people our staff call; empty: the phone system decides."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone settings")
        verbose_name_plural = _("phone settings")
        ordering = ["branch__name", "pk"]

    def __str__(self) -> str:
        return str(self.branch)


class BlockedNumber(TimeStampedModel):
    """A number whose calls to the branch the phone system is told to reject (still recorded as contacts).

    Removing a number keeps the row (``removed_at``) and its history: the list is evidence of abuse."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("number"), max_length=32, help_text=_("In E.164 form, e.g. +48600100200."))
    reason = models.CharField(_("reason"), max_length=16, choices=BlockReason.choices, default=BlockReason.ABUSE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("blocked number")
        verbose_name_plural = _("blocked numbers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "number"], condition=Q(removed_at__isnull=True), name="blocked_number_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.removed_at is None
