"""Every write of intake forms: the builder, submissions, acceptance.

Keyword-only, atomic, validated, audited in the same transaction (house rule 1).
Versioning: only a draft version changes; ``intake_draft_start`` copies the last
published version into a new draft; ``intake_version_publish`` freezes it. A
submission points at the version it was filled with and is never moved to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from frontoffice.clients import services as client_services
from frontoffice.clients.models import Client
from frontoffice.clients.validation import clean_email, clean_phone
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.files import delete_on_commit
from frontoffice.core.models import Organisation
from frontoffice.core.notifications import email_queue, sms_queue

from ..models import IntakeAttachment, IntakeField, IntakeForm, IntakeFormVersion, IntakeSubmission, Visit
from . import answers as answer_rules
from . import review
from .choices import CHOICE_KINDS, ClientField, FieldKind, SubmissionSource, SubmissionStatus
from .links import LINK_MAX_AGE
from .selectors import current_version

# Which kinds of field may carry which client detail.
MAPPABLE_KINDS = {
    ClientField.PHONE: {FieldKind.TEXT},
    ClientField.EMAIL: {FieldKind.TEXT},
    ClientField.STREET: {FieldKind.TEXT},
    ClientField.POSTAL_CODE: {FieldKind.TEXT},
    ClientField.CITY: {FieldKind.TEXT},
    ClientField.DATE_OF_BIRTH: {FieldKind.DATE},
}
FIELD_ATTRS = (
    "key",
    "kind",
    "label_pl",
    "label_en",
    "help_pl",
    "help_en",
    "required",
    "choices",
    "show_if_key",
    "show_if_value",
    "maps_to",
    "position",
)


@dataclass
class FieldData:
    key: str
    kind: str
    label_pl: str
    label_en: str
    help_pl: str = ""
    help_en: str = ""
    required: bool = False
    choices: list[dict[str, str]] = field(default_factory=list)
    show_if_key: str = ""
    show_if_value: str = ""
    maps_to: str = ""
    position: int | None = None  # None: after the last field


# --- forms and versions ------------------------------------------------------------------------


@transaction.atomic
def intake_form_create(
    *, organisation: Organisation, actor: Any, name: str, title_pl: str = "", title_en: str = ""
) -> IntakeForm:
    """A new form with an empty draft (version 1)."""
    form = IntakeForm(organisation=organisation, name=name.strip(), updated_by=signed_in_user(actor))
    form.full_clean()
    form.save()
    version = IntakeFormVersion(form=form, number=1, title_pl=(title_pl or name).strip(), title_en=title_en.strip())
    version.full_clean()
    version.save()
    audit(actor=actor, action="intake_form.create", target=form, organisation=organisation, summary=form.name)
    return form


@transaction.atomic
def intake_form_update(
    *, form: IntakeForm, actor: Any, expected_version: int | None, name: str, is_active: bool
) -> IntakeForm:
    form = IntakeForm.objects.select_for_update().get(pk=form.pk)
    check_version(form, expected_version)
    form.name = name.strip()
    form.is_active = is_active
    bump_version(form, user=actor)
    form.full_clean()
    form.save()
    audit(actor=actor, action="intake_form.update", target=form, organisation=form.organisation, summary=form.name)
    return form


def _lock_form(form: IntakeForm) -> IntakeForm:
    return IntakeForm.objects.select_for_update().get(pk=form.pk)


@transaction.atomic
def intake_draft_start(*, form: IntakeForm, actor: Any) -> IntakeFormVersion:
    """The form's draft; when there is none, a new version copied from the last published one."""
    form = _lock_form(form)
    draft = form.versions.filter(published_at__isnull=True).first()
    if draft is not None:
        return draft
    latest = form.versions.order_by("-number").first()
    number = (form.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    draft = IntakeFormVersion(
        form=form,
        number=number,
        title_pl=latest.title_pl if latest else form.name,
        title_en=latest.title_en if latest else "",
        intro_pl=latest.intro_pl if latest else "",
        intro_en=latest.intro_en if latest else "",
    )
    draft.save()
    if latest is not None:
        IntakeField.objects.bulk_create(
            IntakeField(version=draft, **{name: getattr(item, name) for name in FIELD_ATTRS})
            for item in latest.fields.all()
        )
    audit(
        actor=actor,
        action="intake_form.new_version",
        target=form,
        organisation=form.organisation,
        summary=_("%(name)s: version %(number)d started") % {"name": form.name, "number": number},
    )
    return draft


def _draft(version: IntakeFormVersion) -> IntakeFormVersion:
    version = IntakeFormVersion.objects.select_for_update().select_related("form__organisation").get(pk=version.pk)
    if not version.is_draft:
        raise ValidationError(
            _("This version is published and cannot change; start a new version to edit the form."), code="published"
        )
    return version


@transaction.atomic
def intake_version_update(
    *, version: IntakeFormVersion, actor: Any, title_pl: str, title_en: str = "", intro_pl: str = "", intro_en: str = ""
) -> IntakeFormVersion:
    version = _draft(version)
    version.title_pl, version.title_en = title_pl.strip(), title_en.strip()
    version.intro_pl, version.intro_en = intro_pl.strip(), intro_en.strip()
    version.full_clean()
    version.save()
    audit(
        actor=actor,
        action="intake_form.update_version",
        target=version.form,
        organisation=version.form.organisation,
        summary=version.form.name,
    )
    return version


@transaction.atomic
def intake_version_publish(*, version: IntakeFormVersion, actor: Any) -> IntakeFormVersion:
    """Freeze the draft: from now on visits are asked this version."""
    version = _draft(version)
    fields = list(version.fields.all())
    if not fields:
        raise ValidationError(_("Add at least one field before publishing."), code="empty")
    problems = [message for item in fields for message in _condition_problems(item, fields)]
    if problems:
        raise ValidationError(problems)
    version.published_at = timezone.now()
    version.published_by = signed_in_user(actor)
    version.save(update_fields=["published_at", "published_by"])
    audit(
        actor=actor,
        action="intake_form.publish",
        target=version.form,
        organisation=version.form.organisation,
        summary=_("%(name)s: version %(number)d published") % {"name": version.form.name, "number": version.number},
    )
    return version


# --- fields --------------------------------------------------------------------------------------


def _clean_choices(data: FieldData) -> list[dict[str, str]]:
    if data.kind not in CHOICE_KINDS:
        return []
    cleaned: list[dict[str, str]] = []
    for item in data.choices:
        value = str(item.get("value", "")).strip()
        label_pl = str(item.get("label_pl", "")).strip() or value
        label_en = str(item.get("label_en", "")).strip() or label_pl
        if value:
            cleaned.append({"value": value[:100], "label_pl": label_pl[:200], "label_en": label_en[:200]})
    return cleaned


def _condition_problems(item: IntakeField, fields: list[IntakeField]) -> list[str]:
    """A condition names an earlier field of the version, and a value that field can have."""
    if not item.show_if_key:
        return []
    earlier = [other for other in fields if (other.position, other.pk or 0) < (item.position, item.pk or 0)]
    source = next((other for other in earlier if other.key == item.show_if_key), None)
    if source is None:
        return [
            _("“%(label)s” depends on “%(key)s”, which is not an earlier field of the form.")
            % {"label": item.label_pl, "key": item.show_if_key}
        ]
    if source.kind == FieldKind.YES_NO:
        allowed = ["yes", "no"]
    elif source.kind in CHOICE_KINDS:
        allowed = answer_rules.choice_values(source)
    else:
        allowed = None  # any typed value
    if allowed is not None and item.show_if_value not in allowed:
        return [
            _("“%(label)s”: the answer “%(value)s” is not one that “%(key)s” can have (%(allowed)s).")
            % {"label": item.label_pl, "value": item.show_if_value, "key": source.key, "allowed": ", ".join(allowed)}
        ]
    return []


def _check_field(item: IntakeField, siblings: list[IntakeField]) -> None:
    errors: dict[str, list[str]] = {}
    if item.kind in CHOICE_KINDS and len(item.choices) < 2:
        errors["choices"] = [_("Give at least two options, one per line.")]
    values = answer_rules.choice_values(item)
    if len(values) != len(set(values)):
        errors["choices"] = [_("Each option needs its own value.")]
    if item.maps_to and item.kind not in MAPPABLE_KINDS.get(ClientField(item.maps_to), set()):
        errors["maps_to"] = [_("This type of field cannot hold that client detail.")]
    if item.maps_to and any(other.maps_to == item.maps_to for other in siblings if other.pk != item.pk):
        errors["maps_to"] = [_("Another field of this form already holds this client detail.")]
    if item.show_if_key and not item.show_if_value:
        errors["show_if_value"] = [_("Say which answer shows this field.")]
    if item.show_if_key == item.key:
        errors["show_if_key"] = [_("A field cannot depend on itself.")]
    elif item.show_if_key:
        everyone = [other for other in siblings if other.pk != item.pk] + [item]
        problems = _condition_problems(item, everyone)
        if problems:
            errors["show_if_key"] = problems
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def intake_field_add(*, version: IntakeFormVersion, actor: Any, data: FieldData) -> IntakeField:
    version = _draft(version)
    siblings = list(version.fields.all())
    position = data.position if data.position is not None else (max((f.position for f in siblings), default=0) + 10)
    item = IntakeField(version=version, **_field_values(data, position))
    item.full_clean()
    _check_field(item, siblings)
    item.save()
    audit(
        actor=actor,
        action="intake_form.field_add",
        target=version.form,
        organisation=version.form.organisation,
        summary=_("%(name)s: field %(key)s added") % {"name": version.form.name, "key": item.key},
    )
    return item


def _field_values(data: FieldData, position: int) -> dict[str, Any]:
    return {
        "key": data.key.strip(),
        "kind": data.kind,
        "label_pl": data.label_pl.strip(),
        "label_en": data.label_en.strip(),
        "help_pl": data.help_pl.strip(),
        "help_en": data.help_en.strip(),
        "required": data.required,
        "choices": _clean_choices(data),
        "show_if_key": data.show_if_key.strip(),
        "show_if_value": data.show_if_value.strip() if data.show_if_key.strip() else "",
        "maps_to": data.maps_to,
        "position": position,
    }


@transaction.atomic
def intake_field_update(*, field: IntakeField, actor: Any, data: FieldData) -> IntakeField:
    version = _draft(field.version)
    item = version.fields.get(pk=field.pk)
    old_key = item.key
    for name, value in _field_values(data, data.position if data.position is not None else item.position).items():
        setattr(item, name, value)
    siblings = list(version.fields.all())
    if old_key != item.key and any(other.show_if_key == old_key for other in siblings if other.pk != item.pk):
        raise ValidationError({"key": _("Other fields depend on this key; change their conditions first.")})
    item.full_clean()
    _check_field(item, siblings)
    item.save()
    audit(
        actor=actor,
        action="intake_form.field_update",
        target=version.form,
        organisation=version.form.organisation,
        summary=_("%(name)s: field %(key)s changed") % {"name": version.form.name, "key": item.key},
    )
    return item


@transaction.atomic
def intake_field_remove(*, field: IntakeField, actor: Any) -> None:
    version = _draft(field.version)
    item = version.fields.get(pk=field.pk)
    dependants = [other.label_pl for other in version.fields.exclude(pk=item.pk) if other.show_if_key == item.key]
    if dependants:
        raise ValidationError(
            _("These fields are shown depending on this one: %(fields)s. Change them first.")
            % {"fields": ", ".join(dependants)}
        )
    key = item.key
    item.delete()
    audit(
        actor=actor,
        action="intake_form.field_remove",
        target=version.form,
        organisation=version.form.organisation,
        summary=_("%(name)s: field %(key)s removed") % {"name": version.form.name, "key": key},
    )


# --- submissions ---------------------------------------------------------------------------------


def _contact_errors(fields: list[IntakeField], cleaned: answer_rules.Cleaned) -> None:
    """An answer that will be offered as the client's phone or e-mail must be one."""
    for item in fields:
        value = cleaned.answers.get(item.key)
        if not value or item.key in cleaned.errors:
            continue
        try:
            if item.maps_to == ClientField.PHONE:
                clean_phone(str(value))
            elif item.maps_to == ClientField.EMAIL:
                clean_email(str(value))
        except ValidationError as error:
            cleaned.errors[item.key] = list(error.messages)


@transaction.atomic
def intake_submission_save(
    *, visit: Visit, actor: Any, raw: dict[str, Any], source: str = SubmissionSource.DESK
) -> tuple[IntakeSubmission, bool]:
    """Record the visit's filled form (the current version of its type's form); returns (submission, created).

    The visit row is locked first, so two submits of the same form (a double click, a retried
    request, the client and the clerk at once) end as one submission: the later one replaces
    the answers of the earlier, until the form is accepted. Errors are per field key.
    """
    visit = Visit.objects.select_for_update(of=("self",)).select_related("visit_type", "organisation").get(pk=visit.pk)
    form = visit.visit_type.intake_form
    if form is None:
        raise ValidationError(_("This visit's type asks for no intake form."), code="no_form")
    version = current_version(form)
    if version is None:
        raise ValidationError(_("The intake form has no published version yet."), code="unpublished")
    existing = IntakeSubmission.objects.filter(visit=visit).first()
    if existing is not None and existing.is_accepted:
        raise ValidationError(_("The intake form of this visit was already accepted."), code="accepted")
    fields = list(version.fields.all())
    kept = (
        set(existing.attachments.values_list("field_key", flat=True))
        if existing is not None and existing.form_version_id == version.pk
        else set()
    )
    cleaned = answer_rules.clean_answers(fields, raw, existing_attachments=kept)
    _contact_errors(fields, cleaned)
    if cleaned.errors:
        raise ValidationError(cleaned.errors)
    now = timezone.now()
    created = existing is None
    submission = existing or IntakeSubmission(visit=visit, form_version=version, source=source, filled_at=now)
    if not created and submission.form_version_id != version.pk:
        _drop_attachments(submission.attachments.all())  # answers of an older version do not carry over
    shown = answer_rules.visible_keys(fields, cleaned.answers)
    submission.form_version = version
    submission.answers = cleaned.answers
    submission.source = source
    submission.filled_at = now
    submission.filled_by = signed_in_user(actor)
    submission.status = SubmissionStatus.FILLED
    if not created:
        bump_version(submission, user=actor)
    else:
        submission.updated_by = signed_in_user(actor)
    submission.save()
    # Attachments of fields now hidden go; new ones replace old ones of the same field.
    _drop_attachments(submission.attachments.exclude(field_key__in=shown))
    for key, attachment in cleaned.attachments.items():
        _store_attachment(submission, key, attachment)
    audit(
        actor=actor,
        action="intake_submission.create" if created else "intake_submission.replace",
        target=submission,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=_("%(number)s: intake form filled (version %(version)d)")
        % {"number": visit.number, "version": version.number},
        data={"source": source, "version": version.number},
    )
    return submission, created


def _drop_attachments(attachments: Any) -> None:
    """Delete the rows now and their files once the transaction commits (a rollback keeps both)."""
    rows = list(attachments)
    for row in rows:
        delete_on_commit(row.file.storage, [row.file.name])
        row.delete()


def _store_attachment(submission: IntakeSubmission, key: str, attachment: answer_rules.Attachment) -> None:
    _drop_attachments(submission.attachments.filter(field_key=key))
    row = IntakeAttachment(
        submission=submission,
        field_key=key,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        size=len(attachment.content),
    )
    row.file.save(attachment.original_name or key, ContentFile(attachment.content), save=False)
    row.save()


def _client_data(client: Client) -> client_services.ClientData:
    """The client as stored, in the shape ``clients.services.client_update`` takes."""
    contacts = list(client.contacts.all())
    return client_services.ClientData(
        **{name: getattr(client, name) for name in client_services.PERSON_FIELDS},
        phones=[c.value for c in contacts if c.kind == "phone"],
        emails=[c.value for c in contacts if c.kind == "email"],
        identifiers=[
            client_services.IdentifierData(
                kind=i.kind,
                value=i.value,
                other_kind=i.other_kind,
                issuing_country=i.issuing_country,
                valid_until=i.valid_until,
            )
            for i in client.identifiers.all()
        ],
        addresses=[
            client_services.AddressData(
                street=a.street, postal_code=a.postal_code, city=a.city, country=a.country, kind=a.kind
            )
            for a in client.addresses.all()
        ],
    )


def _apply(data: client_services.ClientData, client_field: str, answer: str) -> None:
    """Put ``answer`` in ``data``: a phone or e-mail becomes the first (primary) one, the old ones stay."""
    if client_field == ClientField.PHONE:
        data.phones = [answer, *data.phones]
    elif client_field == ClientField.EMAIL:
        data.emails = [answer, *data.emails]
    elif client_field == ClientField.DATE_OF_BIRTH:
        data.date_of_birth = date.fromisoformat(answer)
    else:
        first = data.addresses[0] if data.addresses else client_services.AddressData()
        changed = client_services.AddressData(
            **{
                "street": first.street,
                "postal_code": first.postal_code,
                "city": first.city,
                "country": first.country,
                "kind": first.kind,
                client_field: answer,
            }
        )
        data.addresses = [changed, *data.addresses[1:]]


@transaction.atomic
def intake_submission_accept(
    *,
    submission: IntakeSubmission,
    actor: Any,
    update: set[str] | frozenset[str] = frozenset(),
    keep: set[str] | frozenset[str] = frozenset(),
    expected_version: int | None = None,
) -> IntakeSubmission:
    """The clerk accepts the filled form. Every answer that differs from the client's record must be
    decided — ``update`` (write it to the client, through the clients service) or ``keep`` (leave the
    record as it is); an undecided difference refuses the acceptance, so nothing is overwritten silently."""
    submission = (
        IntakeSubmission.objects.select_for_update(of=("self",))
        .select_related("visit__client", "visit__organisation", "visit__branch", "form_version")
        .get(pk=submission.pk)
    )
    check_version(submission, expected_version)
    if submission.is_accepted:
        raise ValidationError(_("The intake form of this visit was already accepted."), code="accepted")
    visit = submission.visit
    client = Client.objects.select_for_update().get(pk=visit.client_id)
    fields = list(submission.form_version.fields.all())
    rows = [row for row in review.differences(client=client, fields=fields, answers=submission.answers) if row.differs]
    both = set(update) & set(keep)
    undecided = [row.label for row in rows if row.client_field not in update and row.client_field not in keep]
    if both or undecided:
        raise ValidationError(
            _("Choose “update the client” or “keep what is on file” for: %(fields)s.")
            % {"fields": ", ".join(undecided or sorted(both))},
            code="undecided",
        )
    decisions: dict[str, dict[str, str]] = {}
    chosen = [row for row in rows if row.client_field in update]
    if chosen:
        data = _client_data(client)
        for row in chosen:
            _apply(data, row.client_field, row.answer)
        try:
            client_services.client_update(client=client, actor=actor, data=data, expected_version=None)
        except ValidationError as error:
            raise ValidationError(
                _("The client could not be updated: %(reason)s") % {"reason": " ".join(error.messages)}
            ) from None
    for row in rows:
        decisions[row.client_field] = {
            "answer": row.answer,
            "on_file": row.on_file,
            "choice": "update" if row.client_field in update else "keep",
        }
    submission.status = SubmissionStatus.ACCEPTED
    submission.accepted_at = timezone.now()
    submission.accepted_by = signed_in_user(actor)
    submission.client_updates = decisions
    bump_version(submission, user=actor)
    submission.save()
    audit(
        actor=actor,
        action="intake_submission.accept",
        target=submission,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=_("%(number)s: intake form accepted") % {"number": visit.number},
        # Which details were updated or kept, never their values (they are personal data).
        data={field_name: decision["choice"] for field_name, decision in decisions.items()},
    )
    return submission


# --- the pre-arrival link ------------------------------------------------------------------------


@transaction.atomic
def intake_link_send(*, visit: Visit, actor: Any, url: str, channel: str = "") -> str:
    """Record that the link to ``visit``'s form was handed out and, for ``email``/``sms``, queue it to the
    client's primary e-mail or phone (in the client's language). Returns the recipient ("" when only shown)."""
    visit = Visit.objects.select_related("client", "visit_type__intake_form", "organisation", "branch").get(pk=visit.pk)
    if visit.visit_type.intake_form is None or current_version(visit.visit_type.intake_form) is None:
        raise ValidationError(_("This visit's type asks for no published intake form."), code="no_form")
    if IntakeSubmission.objects.filter(visit=visit, status=SubmissionStatus.ACCEPTED).exists():
        raise ValidationError(_("The intake form of this visit was already accepted."), code="accepted")
    recipient = ""
    if channel:
        kind = "email" if channel == "email" else "phone"
        contact = visit.client.contacts.filter(kind=kind).order_by("-is_primary", "pk").first()
        if contact is None:
            raise ValidationError(
                _("The client has no e-mail address on file.")
                if channel == "email"
                else _("The client has no phone number on file.")
            )
        recipient = contact.value
        with translation.override(visit.client.preferred_language or visit.organisation.default_language):
            when = formats.date_format(timezone.localtime(visit.scheduled_at), "SHORT_DATETIME_FORMAT")
            expires = formats.date_format(timezone.localtime() + LINK_MAX_AGE, "SHORT_DATE_FORMAT")
            text = _(
                "%(organisation)s: please fill in the form before your visit on %(when)s: %(url)s "
                "(the link works until %(expires)s)."
            ) % {"organisation": visit.organisation.name, "when": when, "url": url, "expires": expires}
            subject = _("Your form before the visit")
        if channel == "email":
            email_queue(to=recipient, subject=subject, body=text, organisation=visit.organisation)
        else:
            sms_queue(to=recipient, text=text, organisation=visit.organisation)
    audit(
        actor=actor,
        action="intake_link.send" if channel else "intake_link.create",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=_("%(number)s: link to the intake form") % {"number": visit.number},
        data={"channel": channel},
    )
    return recipient
