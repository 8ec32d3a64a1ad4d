"""Data-subject rights: export everything held on one client (JSON, or readable as a page or a PDF),
erase (anonymise) a client, retention.

Erasure is anonymisation, not deletion: the client row and its number stay, so
visits, payments and other business records that point at it stay valid; what
identifies the person (names, birth date, contacts, identifiers, addresses,
notes, photo) is replaced or removed, and so is the history that would still
hold it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, log_access, signed_in_user
from frontoffice.core.files import delete_on_commit
from frontoffice.core.models import AccessLogEntry, AuditEntry, Branch, Organisation
from frontoffice.core.pdf import render_pdf

from .models import (
    Client,
    ClientAddress,
    ClientContact,
    ClientIdentifier,
    ClientRelationship,
    ClientSettings,
    Consent,
    Merge,
)
from .registry import client_links, run_erasure_hooks

# Child records whose rows (and history) hold personal data and go on erasure.
PERSONAL_CHILDREN = (ClientIdentifier, ClientContact, ClientAddress, ClientRelationship)


class AlreadyErased(Exception):
    """The client was erased before."""


# --- export -----------------------------------------------------------------------------------


def _serialise(queryset: Any) -> list[dict[str, Any]]:
    rows = serializers.serialize("python", queryset)
    return [{"model": row["model"], "id": row["pk"], **row["fields"]} for row in rows]


def client_data_export(*, client: Client, actor: Any, path: str = "") -> dict[str, Any]:
    """Everything the organisation holds on ``client``, as JSON-ready data. The export is itself logged
    in the access log (who took a copy of the person's data, and when)."""
    client_type = ContentType.objects.get_for_model(Client)
    target = Q(target_type=client_type, target_id=str(client.pk))
    linked: dict[str, list[dict[str, Any]]] = {}
    for link in client_links():
        rows = _serialise(link.model._default_manager.filter(**{link.field_name: client}))
        if rows:
            linked.setdefault(link.model_label, []).extend(rows)
    consents = Consent.objects.filter(client=client)
    data = {
        "exported_at": timezone.now(),
        "client": _serialise(Client.objects.filter(pk=client.pk))[0],
        "linked_records": linked,
        "consent_history": _serialise(Consent.history.filter(client_id=client.pk).order_by("history_date")),
        "client_history": _serialise(Client.history.filter(id=client.pk).order_by("history_date")),
        "merges": _serialise(Merge.objects.filter(Q(survivor=client) | Q(merged=client))),
        "audit_entries": _serialise(AuditEntry.objects.filter(target).order_by("created_at")),
        "access_log": _serialise(AccessLogEntry.objects.filter(target).order_by("created_at")),
        "consents": _serialise(consents),
    }
    log_access(user=actor, target=client, organisation=client.organisation, purpose="data-subject export", path=path)
    return data


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_pdf(client: Client, data: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """``client_data_export``'s data as a readable PDF (the same sections as the printable page)."""
    context = {"client": client, "data": data, "sections": readable_export(data)}
    return render_pdf("clients/privacy_data_pdf.html", context, request=request)


@dataclass(frozen=True)
class ExportSection:
    """One part of the readable export: a title and records, each a list of (label, value) pairs."""

    title: str
    records: list[list[tuple[str, str]]]


def readable_export(data: dict[str, Any]) -> list[ExportSection]:
    """``client_data_export``'s data for people: field names as the application labels them, choices and
    yes/no in words, times in the local zone, staff by name and clients by number. The printable page
    and the PDF show this; the JSON keeps the raw values."""
    sections: list[tuple[str, type[models.Model], list[dict[str, Any]]]] = [
        (_("Client"), Client, [data["client"]]),
    ]
    for label, rows in data["linked_records"].items():
        model = apps.get_model(label)
        sections.append((capfirst(str(model._meta.verbose_name_plural)), model, rows))
    history = Consent.history.model  # type: ignore[attr-defined]
    sections += [
        (_("Consents and their history"), history, data["consent_history"]),
        (_("Changes to the client"), Client.history.model, data["client_history"]),  # type: ignore[attr-defined]
        (_("Merges"), Merge, data["merges"]),
        (_("Audit entries"), AuditEntry, data["audit_entries"]),
        (_("Who read the record"), AccessLogEntry, data["access_log"]),
    ]
    names = _related_names(sections)
    return [
        ExportSection(title=title, records=[_readable_row(model, row, names) for row in rows])
        for title, model, rows in sections
    ]


def _related_names(sections: list[tuple[str, type[models.Model], list[dict[str, Any]]]]) -> dict[Any, dict[Any, str]]:
    """Names of the staff, organisations and branches, and numbers of the clients, that the export points
    at (one query per kind)."""
    user_model = get_user_model()
    wanted: dict[Any, set[Any]] = {user_model: set(), Client: set(), Organisation: set(), Branch: set()}
    for _title, model, rows in sections:
        for field in model._meta.concrete_fields:
            target = field.related_model if field.many_to_one else None
            if target in wanted:
                wanted[target] |= {row.get(field.name) for row in rows} - {None}
    users = {
        user.pk: user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
        for user in user_model._default_manager.filter(pk__in=wanted[user_model])
    }
    return {
        user_model: users,
        Client: dict(Client.objects.filter(pk__in=wanted[Client]).values_list("pk", "number")),
        Organisation: dict(Organisation.objects.filter(pk__in=wanted[Organisation]).values_list("pk", "name")),
        Branch: dict(Branch.objects.filter(pk__in=wanted[Branch]).values_list("pk", "name")),
    }


def _readable_row(
    model: type[models.Model], row: dict[str, Any], names: dict[Any, dict[Any, str]]
) -> list[tuple[str, str]]:
    fields = {field.name: field for field in model._meta.concrete_fields}
    readable = []
    for name, value in row.items():
        if name == "model":
            continue
        field = fields.get(name)
        label = capfirst(str(field.verbose_name)) if field is not None else name
        readable.append((label, _readable_value(field, value, names)))
    return readable


def _readable_value(field: Any, value: Any, names: dict[Any, dict[Any, str]]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if field is not None and field.many_to_one and field.related_model in names:
        return names[field.related_model].get(value, str(value))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


# --- erasure ----------------------------------------------------------------------------------


@transaction.atomic
def client_erase(*, client: Client, actor: Any, reason: str) -> Client:
    """Anonymise ``client``: keep the row and its number, remove everything that identifies the person.
    Raises AlreadyErased for a client erased before, ValidationError without a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the client is erased (e.g. the person's request of 3 May).")})
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.erased_at is not None:
        raise AlreadyErased
    _anonymise(client, actor=actor)
    # Other apps' records about the person (the desk's scans, signatures, registration cards), in
    # this transaction; their files go once it commits.
    erased_elsewhere = run_erasure_hooks(client=client, actor=actor)
    audit(
        actor=actor,
        action="client.erase",
        target=client,
        organisation=client.organisation,
        summary=client.number,
        data={"reason": reason[:300], **({"erased": erased_elsewhere} if erased_elsewhere else {})},
    )
    return client


def _anonymise(client: Client, *, actor: Any) -> None:
    if client.photo:
        delete_on_commit(client.photo.storage, [client.photo.name])  # a rolled-back erasure keeps the photo
    for name, value in (
        ("given_name", ""),
        ("family_name", ""),
        ("second_family_name", ""),
        ("company_name", ""),
        ("date_of_birth", None),
        ("sex", ""),
        ("preferred_channel", ""),
        ("notes", ""),
        ("photo", ""),
        ("is_vip", False),
        ("do_not_contact", True),
        ("needs_review", False),
        ("search_name", ""),
        ("search_phones", ""),
        ("search_emails", ""),
    ):
        setattr(client, name, value)
    # external_id is kept: it is the other system's key, not the person's data, and keeping it stops a
    # re-run of an old import file from bringing the erased person back.
    client.erased_at = timezone.now()
    client.updated_by = signed_in_user(actor)
    client.version += 1
    client.save()
    for model in PERSONAL_CHILDREN:
        model._default_manager.filter(client=client).delete()
    Consent.objects.filter(client=client).update(note="")
    # The history tables would otherwise keep every value erased above (names, numbers, addresses):
    # erasure that left them would erase nothing. Consents keep their history (purpose, when, how, who
    # recorded it: the proof of a lawful basis) with the free-text notes blanked.
    Client.history.filter(id=client.pk).delete()
    for model in PERSONAL_CHILDREN:
        model.history.filter(client_id=client.pk).delete()  # type: ignore[attr-defined]
    Consent.history.filter(client_id=client.pk).update(note="")
    # Audit summaries were written with the client's name; the number is enough to follow the trail.
    client_type = ContentType.objects.get_for_model(Client)
    AuditEntry.objects.filter(target_type=client_type, target_id=str(client.pk)).update(summary=client.number)


# --- retention --------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    organisation: Organisation
    cutoff: Any
    due: list[Client]
    erased: int


def _activity_after(client_ids: list[int], cutoff: Any) -> set[int]:
    """Clients with a linked record (from the client-link registry) written after ``cutoff``. The
    clients app's own children are saved with the client, so its updated_at already covers them."""
    active: set[int] = set()
    for link in client_links():
        model = link.model
        if model in PERSONAL_CHILDREN or model is Consent:
            continue
        stamps = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        ]
        linked = model._default_manager.filter(**{f"{link.field_name}__in": client_ids})
        if not stamps:
            # No timestamp to judge by: any linked record counts as activity, so nothing is erased blindly.
            active |= set(linked.values_list(link.field_name, flat=True))
            continue
        recent = Q()
        for stamp in stamps:
            recent |= Q(**{f"{stamp}__gt": cutoff})
        active |= set(linked.filter(recent).values_list(link.field_name, flat=True))
    return active


def retention_apply(*, organisation: Organisation, actor: Any = None, dry_run: bool = False) -> RetentionResult:
    """Erase the organisation's clients unchanged, and with no linked activity, for longer than its
    retention period. Nothing happens when the organisation has no retention period set."""
    settings = ClientSettings.objects.filter(organisation=organisation).first()
    if settings is None or not settings.retention_years:
        return RetentionResult(organisation=organisation, cutoff=None, due=[], erased=0)
    cutoff = timezone.now() - timedelta(days=round(365.25 * settings.retention_years))
    stale = list(
        Client.objects.filter(
            organisation=organisation, erased_at__isnull=True, replaced_by__isnull=True, updated_at__lt=cutoff
        )
    )
    active = _activity_after([client.pk for client in stale], cutoff) if stale else set()
    due = [client for client in stale if client.pk not in active]
    erased = 0
    if not dry_run:
        reason = _("Retention: no change or activity for %(years)s years.") % {"years": settings.retention_years}
        for client in due:
            client_erase(client=client, actor=actor, reason=reason)
            erased += 1
    return RetentionResult(organisation=organisation, cutoff=cutoff, due=due, erased=erased)


@transaction.atomic
def client_settings_update(
    *,
    organisation: Organisation,
    actor: Any,
    possible_match_score: float,
    probable_match_score: float,
    retention_years: int | None,
) -> ClientSettings:
    """Change the organisation's duplicate thresholds and retention period."""
    settings, _created = ClientSettings.objects.get_or_create(organisation=organisation)
    settings.possible_match_score = possible_match_score
    settings.probable_match_score = probable_match_score
    settings.retention_years = retention_years
    if probable_match_score < possible_match_score:
        raise ValidationError(
            {"probable_match_score": _("The score that needs 'create anyway' cannot be below the possible match's.")}
        )
    settings.full_clean()
    settings.save()
    audit(
        actor=actor,
        action="client.settings_update",
        target=settings,
        organisation=organisation,
        summary=str(organisation),
        data={
            "possible_match_score": possible_match_score,
            "probable_match_score": probable_match_score,
            "retention_years": retention_years,
        },
    )
    return settings
