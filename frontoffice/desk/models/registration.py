"""Hotel registration cards (one per guest of a stay) and the guest-report exports made from them.

Which fields a card needs depends on the guest's nationality (``registration.required_fields``):
every guest gives name, date of birth, nationality, address and a signature; a foreigner
must also show an identity document (type, number, issuing country, expiry), which must be
valid on the arrival day, and only EU/EEA/Swiss citizens may use a national ID card.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from ..choices_coverage import DocumentType
from .visits import VisitGuest


class RegistrationCard(TimeStampedModel):
    """A guest's registration card (karta meldunkowa): who they are, their document, their signature.

    The fields are copied from the client record when the card is opened and may be
    corrected on the card; the card is what the guest signed, so later changes to the client
    do not change it. ``signature_png`` is the drawn signature (a PNG, at most 200 kB).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    guest = models.OneToOneField(
        VisitGuest, verbose_name=_("guest"), on_delete=models.CASCADE, related_name="registration_card"
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text=_("Country code, e.g. PL."))
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country of residence"), max_length=2, blank=True, help_text=_("Country code."))
    document_type = models.CharField(_("ID document"), max_length=16, choices=DocumentType.choices, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    document_issuing_country = models.CharField(
        _("issuing country"), max_length=2, blank=True, help_text=_("Country code.")
    )
    document_expiry = models.DateField(_("document valid until"), null=True, blank=True)
    signature_png = models.BinaryField(_("signature"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    is_complete = models.BooleanField(
        _("complete"), default=False, editable=False, help_text=_("Every field the guest's nationality needs is in.")
    )
    history = HistoricalRecords(excluded_fields=["signature_png"])

    class Meta:
        verbose_name = _("registration card")
        verbose_name_plural = _("registration cards")
        ordering = ["guest"]
        indexes = [models.Index(fields=["organisation", "nationality"], name="card_org_nationality_idx")]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def has_signature(self) -> bool:
        return bool(self.signature_png)


class GuestExport(models.Model):
    """One run of the guest-report export (e.g. the day's foreign guests) and what it produced.

    The adapter writes the rows; nothing is sent anywhere. ``content`` keeps the exported
    text so the manager can download exactly what was produced.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    adapter = models.CharField(_("adapter"), max_length=60)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    content = models.TextField(_("content"), blank=True)

    class Meta:
        verbose_name = _("guest report export")
        verbose_name_plural = _("guest report exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["branch", "day"], name="guest_export_branch_day_idx")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day}"
