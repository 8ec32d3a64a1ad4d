"""Clients (people and companies), their identifiers, contacts, addresses, relationships and consents.

Every client belongs to an organisation and is visible to all its branches.
Folded copies of names, phones and e-mails (``search_*``) are written by the
services on every save, so search and matching never fold at query time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.core.choices import Language
from frontoffice.core.models import Branch, Organisation, TimeStampedModel

from .choices import (
    AddressKind,
    ClientKind,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    ContactKind,
    IdentifierKind,
    RelationshipKind,
    Sex,
)
from .permissions import ClientsPermission


class Client(TimeStampedModel):
    """A person or a company the organisation serves."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="clients"
    )
    registered_at_branch = models.ForeignKey(
        Branch, verbose_name=_("registered at"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.CharField(_("client number"), max_length=32, editable=False)
    external_id = models.CharField(
        _("external ID"), max_length=100, blank=True, help_text=_("The ID in the system the client was imported from.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClientKind.choices, default=ClientKind.PERSON)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    second_family_name = models.CharField(_("second family name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.POLISH
    )
    preferred_channel = models.CharField(
        _("preferred contact channel"), max_length=10, choices=ContactChannel.choices, blank=True
    )
    photo = models.ImageField(_("photo"), upload_to="clients/photos/%Y/%m/", blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    is_deceased = models.BooleanField(_("deceased"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    needs_review = models.BooleanField(
        _("needs duplicate review"),
        default=False,
        help_text=_("Imported or created despite a probable match; a manager should review it."),
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        help_text=_("Set when this client was merged into another."),
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # Folded copies for search and matching, written by services (see normalise.py).
    search_name = models.CharField(_("name for search"), max_length=400, blank=True, editable=False)
    search_phones = models.CharField(_("phones for search"), max_length=400, blank=True, editable=False)
    search_emails = models.CharField(_("e-mails for search"), max_length=600, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_name", "search_phones", "search_emails"])

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["family_name", "given_name", "pk"]
        permissions = ClientsPermission.choices
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="client_number_unique"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="client_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "date_of_birth"], name="client_org_birth_idx"),
            models.Index(fields=["organisation", "family_name"], name="client_org_family_idx"),
            models.Index(fields=["organisation", "search_name"], name="client_org_search_idx"),
            models.Index(fields=["organisation", "needs_review"], name="client_org_review_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == ClientKind.COMPANY:
            return self.company_name
        family = " ".join(part for part in (self.family_name, self.second_family_name) if part)
        return f"{self.given_name} {family}".strip()

    @property
    def is_active_record(self) -> bool:
        return self.replaced_by_id is None and self.erased_at is None


class ClientSettings(models.Model):
    """Per-organisation settings of the clients app: duplicate thresholds and retention."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="client_settings"
    )
    possible_match_score = models.FloatField(
        _("score shown as a possible match"),
        default=10.0,
        help_text=_("Matches scoring at least this are listed beside the registration form."),
    )
    probable_match_score = models.FloatField(
        _("score that needs 'create anyway'"),
        default=16.0,
        help_text=_("Registering a new client despite a match scoring at least this needs a reason."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("erase clients inactive for (years)"),
        null=True,
        blank=True,
        help_text=_("Empty: keep clients until erased by hand."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client settings")
        verbose_name_plural = _("client settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(probable_match_score__gte=models.F("possible_match_score")),
                name="client_settings_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ClientIdentifier(models.Model):
    """A typed identifier. Unique per organisation, kind and value, so a shared identifier cannot be saved twice."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentifierKind.choices)
    other_kind = models.CharField(
        _("kind of identifier"),
        max_length=60,
        blank=True,
        help_text=_("For 'Other': e.g. 'Ukrainian RNOKPP'. Not format-checked."),
    )
    value = models.CharField(_("number"), max_length=60)
    value_normalised = models.CharField(_("number for matching"), max_length=60, editable=False)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "other_kind", "value_normalised"],
                name="client_identifier_unique",
                violation_error_message=_("Another client already has this identifier."),
                violation_error_code="unique",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "value_normalised"], name="client_identifier_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ClientContact(models.Model):
    """A phone (stored in E.164) or an e-mail address."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("phone or e-mail"), max_length=254)
    label = models.CharField(_("label"), max_length=40, blank=True, help_text=_("e.g. mobile, work"))
    is_primary = models.BooleanField(_("primary"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "pk"]
        indexes = [models.Index(fields=["organisation", "kind", "value"], name="client_contact_value_idx")]

    def __str__(self) -> str:
        return self.value


class ClientAddress(models.Model):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=20, choices=AddressKind.choices, default=AddressKind.HOME)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="PL")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postal_code} {self.city}".strip()) if part)


class ClientRelationship(models.Model):
    """A guardian, emergency contact or employer: another client, or just a name and a phone."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind.choices)
    related_client = models.ForeignKey(
        Client,
        verbose_name=_("related client"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="related_to",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(
                condition=Q(related_client__isnull=False) | ~Q(name=""), name="client_relationship_names_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.related_client or self.name}"


class Consent(models.Model):
    """A consent given by a client: when, how and to whom; and when it was withdrawn."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_at = models.DateTimeField(_("given at"))
    method = models.CharField(_("how it was given"), max_length=12, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["purpose", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class NotDuplicate(models.Model):
    """A reviewed pair that is not the same person; never proposed again. ``client_a_id < client_b_id``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    client_a = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+")
    client_b = models.ForeignKey(Client, verbose_name=_("other client"), on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("pair marked as different people")
        verbose_name_plural = _("pairs marked as different people")
        constraints = [
            models.UniqueConstraint(fields=["client_a", "client_b"], name="not_duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(client_a__lt=models.F("client_b")), name="not_duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.client_a_id} ≠ {self.client_b_id}"


class Merge(models.Model):
    """One merge of ``merged`` into ``survivor``, with everything needed to undo it exactly."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    survivor = models.ForeignKey(
        Client, verbose_name=_("surviving client"), on_delete=models.PROTECT, related_name="merges_kept"
    )
    merged = models.ForeignKey(
        Client, verbose_name=_("merged-away client"), on_delete=models.PROTECT, related_name="merges_absorbed"
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    performed_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    survivor_before = models.JSONField(_("survivor's fields before the merge"), default=dict)
    moved = models.JSONField(
        _("records moved"), default=list, help_text=_("[model label, primary key, field name] of every record moved.")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-performed_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
