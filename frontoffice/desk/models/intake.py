"""Intake forms: a form per organisation, its versions and fields; a visit's filled form (submission).

A form is edited only in its **draft** version. Publishing freezes the draft; editing a
published form starts a new draft (a copy of the last published version). A submission
keeps the version it was filled with, so an old submission always renders with the
fields, labels and choices its client saw.

Fields are identified across versions by their ``key`` (a slug): conditions ("show B
when A is X") and answers refer to keys, never to row ids.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from frontoffice.core.files import private_storage
from frontoffice.core.models import Organisation, TimeStampedModel

from ..intake.choices import ClientField, FieldKind, SubmissionSource, SubmissionStatus
from .visits import Visit

KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Use lower-case letters, digits and underscores, starting with a letter (at most 40)."),
)


def _attachment_path(instance: IntakeAttachment, filename: str) -> str:
    # The stored name never contains what the client typed as a file name.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"intake/{instance.submission.visit.organisation_id}/{instance.submission_id}/{instance.field_key}.{suffix}"


class IntakeForm(TimeStampedModel):
    """A form the organisation asks clients to fill (a medical questionnaire, a registration card…)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="intake_forms"
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("intake form")
        verbose_name_plural = _("intake forms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="intake_form_name_unique_in_organisation",
                violation_error_message=_("Another intake form already has this name."),
                violation_error_code="unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class IntakeFormVersion(models.Model):
    """One version of a form. ``published_at`` empty: the draft (at most one per form), still editable."""

    form = models.ForeignKey(IntakeForm, verbose_name=_("form"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_pl = models.CharField(_("title (Polish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_pl = models.TextField(_("introduction (Polish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("intake form version")
        verbose_name_plural = _("intake form versions")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="intake_version_number_unique"),
            models.UniqueConstraint(
                fields=["form"], condition=Q(published_at__isnull=True), name="intake_version_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title_pl

    @property
    def intro(self) -> str:
        return self.intro_en if get_language() == "en" and self.intro_en else self.intro_pl


class IntakeField(models.Model):
    """A question of one form version.

    ``choices`` (single and multiple choice) is a list of ``{"value", "label_pl", "label_en"}``.
    ``show_if_key``/``show_if_value``: the field is shown (and required) only when the answer to
    the earlier field ``show_if_key`` is ``show_if_value`` (for a multiple choice: includes it;
    for yes/no: ``yes`` or ``no``). ``maps_to`` names the client's detail the answer is compared
    with when the clerk accepts the form.
    """

    version = models.ForeignKey(
        IntakeFormVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.CharField(_("key"), max_length=40, validators=[KEY_VALIDATOR])
    kind = models.CharField(_("type"), max_length=16, choices=FieldKind.choices)
    label_pl = models.CharField(_("label (Polish)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300)
    help_pl = models.CharField(_("help text (Polish)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    show_if_key = models.CharField(_("show only when field"), max_length=40, blank=True)
    show_if_value = models.CharField(_("has the answer"), max_length=100, blank=True)
    maps_to = models.CharField(
        _("client detail"),
        max_length=20,
        choices=ClientField.choices,
        blank=True,
        help_text=_("The answer is compared with this detail of the client when the form is accepted."),
    )

    class Meta:
        verbose_name = _("intake form field")
        verbose_name_plural = _("intake form fields")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"],
                name="intake_field_key_unique_in_version",
                violation_error_message=_("Another field of this form already has this key."),
                violation_error_code="unique",
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        return self.label_en if get_language() == "en" and self.label_en else self.label_pl

    @property
    def help(self) -> str:
        return self.help_en if get_language() == "en" and self.help_en else self.help_pl

    def choice_options(self) -> list[tuple[str, str]]:
        english = get_language() == "en"
        return [
            (
                str(item["value"]),
                str((item.get("label_en") if english else None) or item.get("label_pl") or item["value"]),
            )
            for item in self.choices or []
        ]


class IntakeSubmission(TimeStampedModel):
    """A visit's filled form: the answers, the version they answer, and the clerk's acceptance.

    One per visit. Until it is accepted, filling the form again replaces the answers (a
    double-clicked submit stays one submission); once accepted it is final.
    ``answers`` maps field keys to values (text, a number as text, an ISO date, a list of
    choice values, ``yes``/``no``); signatures and files are ``IntakeAttachment`` rows.
    ``client_updates`` records, per mapped field, what the clerk chose on acceptance.
    """

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="intake_submission"
    )
    form_version = models.ForeignKey(
        IntakeFormVersion, verbose_name=_("form version"), on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.FILLED
    )
    source = models.CharField(_("filled"), max_length=16, choices=SubmissionSource.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    filled_at = models.DateTimeField(_("filled at"))
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the client filled it through the link."),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    client_updates = models.JSONField(_("client details updated"), default=dict, blank=True)
    history = HistoricalRecords(excluded_fields=["answers"])

    class Meta:
        verbose_name = _("intake submission")
        verbose_name_plural = _("intake submissions")
        ordering = ["-filled_at"]

    def __str__(self) -> str:
        return f"{self.visit_id}: v{self.form_version_id}"

    @property
    def is_accepted(self) -> bool:
        return self.status == SubmissionStatus.ACCEPTED


class IntakeAttachment(models.Model):
    """A drawn signature (PNG) or an uploaded file answering one field, kept in the private storage
    (``core.files``: outside the web root, never served directly)."""

    submission = models.ForeignKey(
        IntakeSubmission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="attachments"
    )
    field_key = models.CharField(_("field"), max_length=40)
    file = models.FileField(_("file"), storage=private_storage, upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake attachment")
        verbose_name_plural = _("intake attachments")
        ordering = ["submission", "field_key"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "field_key"], name="intake_attachment_one_per_field")
        ]

    def __str__(self) -> str:
        return self.original_name or self.field_key
