"""Reviewing duplicates: "not the same person", merge and unmerge.

A merge keeps everything needed to undo it exactly (``Merge``):

- ``survivor_before``: the survivor's fields before the merge (plus ``needs_review``);
- ``moved``: ``[model label, pk, field]`` of every row that pointed at the merged
  client and now points at the survivor (every link in ``registry.client_links()``,
  so apps built later are included);
- a row that cannot move because the survivor already has its twin (an active
  consent for the same purpose; an identical identifier) is removed, and kept in
  ``moved`` as ``[model label, pk, field, "dropped", serialised row]``, so unmerge
  recreates it with the same primary key and values.

Unmerge moves back exactly the rows listed (and nothing else), restores the
survivor's fields and clears ``replaced_by``. It is refused while a later merge
involving either client is in force: that merge's "before" picture was taken
after this one, so undoing this one first would leave the later one impossible
to undo faithfully.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version

from .models import Client, ClientIdentifier, Consent, Merge, NotDuplicate
from .registry import client_links
from .services import PERSON_FIELDS, refresh_search_fields

# The survivor keeps its own external ID: the merged client keeps its own too, so that
# re-importing either file still finds a record (and through ``replaced_by``, the survivor).
MERGEABLE_FIELDS = tuple(name for name in PERSON_FIELDS if name != "external_id")
DROPPED = "dropped"


def differing_fields(a: Client, b: Client) -> list[str]:
    """The fields a manager chooses between when merging ``a`` and ``b``."""
    return [name for name in MERGEABLE_FIELDS if getattr(a, name) != getattr(b, name)]


@transaction.atomic
def not_duplicate_record(*, client_a: Client, client_b: Client, actor: Any, reason: str = "") -> NotDuplicate:
    """Remember that two clients are different people, so they are never proposed again."""
    if client_a.pk == client_b.pk:
        raise ValidationError(_("Choose two different clients."), code="same")
    if client_a.organisation_id != client_b.organisation_id:
        raise ValidationError(_("The clients belong to different organisations."), code="organisation")
    first, second = sorted((client_a, client_b), key=lambda client: client.pk)
    record, created = NotDuplicate.objects.get_or_create(
        client_a=first,
        client_b=second,
        defaults={
            "organisation_id": first.organisation_id,
            "decided_by": signed_in_user(actor),
            "reason": reason.strip()[:300],
        },
    )
    if created:
        audit(
            actor=actor,
            action="client.not_duplicate",
            target=first,
            organisation=first.organisation,
            summary=f"{first.display_name} ≠ {second.display_name}",
            data={"client_a": first.pk, "client_b": second.pk, "reason": record.reason},
        )
    return record


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _fields_of(client: Client) -> dict[str, Any]:
    values = {name: _jsonable(getattr(client, name)) for name in MERGEABLE_FIELDS}
    values["needs_review"] = client.needs_review
    return values


def _restore_fields(client: Client, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "date_of_birth" and value:
            value = date.fromisoformat(value)
        setattr(client, name, value)


def _plain(value: Any) -> Any:
    # DjangoJSONEncoder would cut datetimes to milliseconds; an exact restore needs every digit.
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _snapshot(row: Any) -> list[dict[str, Any]]:
    """The row as the ``python`` serialiser writes it, with values JSON can hold losslessly."""
    serialised = serializers.serialize("python", [row])
    for item in serialised:
        item["fields"] = {name: _plain(value) for name, value in item["fields"].items()}
    return list(serialised)


def _locked_pair(first_pk: int, second_pk: int) -> dict[int, Client]:
    # Lock in primary-key order, so two managers merging crossed pairs cannot deadlock.
    rows = Client.objects.select_for_update().filter(pk__in=[first_pk, second_pk]).order_by("pk")
    return {client.pk: client for client in rows}


def _conflicting_rows(survivor: Client, merged: Client) -> list[Any]:
    """Rows of the merged client whose twin on the survivor would break a unique constraint."""
    rows: list[Any] = []
    active = set(survivor.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True))
    rows += list(Consent.objects.filter(client=merged, withdrawn_at__isnull=True, purpose__in=active))
    identities = Q(pk__in=[])
    for kind, other_kind, value in survivor.identifiers.values_list("kind", "other_kind", "value_normalised"):
        identities |= Q(kind=kind, other_kind=other_kind, value_normalised=value)
    rows += list(ClientIdentifier.objects.filter(identities, client=merged))
    return rows


@transaction.atomic
def client_merge(
    *,
    survivor: Client,
    merged: Client,
    actor: Any,
    field_choices: dict[str, int],
    reason: str = "",
    expected_versions: dict[int, int] | None = None,
) -> Merge:
    """Merge ``merged`` into ``survivor``: chosen values, every linked record moved, undoable.

    ``field_choices`` maps a field name to the pk of the client whose value survives;
    fields not named keep the survivor's value. ``expected_versions`` (pk → version the manager saw)
    refuses the merge if either record changed after the merge page was opened.
    """
    if survivor.pk == merged.pk:
        raise ValidationError(_("A client cannot be merged into itself."), code="same")
    locked = _locked_pair(survivor.pk, merged.pk)
    if len(locked) != 2:
        raise ValidationError(_("One of the clients no longer exists."), code="missing")
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if survivor.organisation_id != merged.organisation_id:
        raise ValidationError(_("Clients of different organisations cannot be merged."), code="organisation")
    for client in (survivor, merged):
        if not client.is_active_record:
            raise ValidationError(
                _("%(client)s has already been merged or erased; reload the page.") % {"client": client.number},
                code="inactive",
            )
    for client in (survivor, merged):
        check_version(client, (expected_versions or {}).get(client.pk))
    errors: dict[str, list[str]] = {}
    for name, chosen in field_choices.items():
        if name not in MERGEABLE_FIELDS:
            errors.setdefault("field_choices", []).append(_("%(field)s cannot be chosen.") % {"field": name})
        elif chosen not in (survivor.pk, merged.pk):
            errors.setdefault("field_choices", []).append(
                _("Choose the value of one of the two clients for %(field)s.") % {"field": name}
            )
    if errors:
        raise ValidationError(errors)

    before = _fields_of(survivor)
    for name, chosen in field_choices.items():
        if chosen == merged.pk:
            setattr(survivor, name, getattr(merged, name))
    survivor.needs_review = False
    survivor.full_clean(exclude=["number", "replaced_by"])

    moved: list[list[Any]] = []
    for row in _conflicting_rows(survivor, merged):
        moved.append([row._meta.label, row.pk, "client", DROPPED, _snapshot(row)])
        row.delete()
    for link in client_links():
        rows = link.model._default_manager.filter(**{link.field_name: merged.pk})
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            rows.update(**{link.field_name: survivor.pk})
            moved += [[link.model_label, pk, link.field_name] for pk in pks]

    bump_version(survivor, user=actor)
    survivor.save()
    merged.replaced_by = survivor
    bump_version(merged, user=actor)
    merged.save()
    refresh_search_fields(survivor)
    refresh_search_fields(merged)
    merge = Merge.objects.create(
        organisation_id=survivor.organisation_id,
        survivor=survivor,
        merged=merged,
        performed_by=signed_in_user(actor),
        survivor_before=before,
        moved=moved,
        reason=reason.strip()[:300],
    )
    audit(
        actor=actor,
        action="client.merge",
        target=survivor,
        organisation=survivor.organisation,
        summary=f"{merged.display_name} ({merged.number}) → {survivor.display_name} ({survivor.number})",
        data={"merge": merge.pk, "merged": merged.pk, "moved": len(moved), "fields": sorted(field_choices)},
    )
    return merge


def later_merges(merge: Merge) -> Any:
    """Merges in force, made after ``merge``, that involve one of its clients."""
    people = [merge.survivor_id, merge.merged_id]
    return Merge.objects.filter(
        Q(survivor_id__in=people) | Q(merged_id__in=people), pk__gt=merge.pk, undone_at__isnull=True
    )


@transaction.atomic
def client_unmerge(*, merge: Merge, actor: Any) -> Merge:
    """Undo a merge: both clients as they were, and exactly the moved records moved back."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."), code="undone")
    if later_merges(merge).exists():
        raise ValidationError(
            _(
                "A later merge involves one of these clients. Undo the later merge first: "
                "it was made on top of this one."
            ),
            code="later_merge",
        )
    locked = _locked_pair(merge.survivor_id, merge.merged_id)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]

    for entry in merge.moved:
        label, pk, field_name = entry[0], entry[1], entry[2]
        if len(entry) > 3 and entry[3] == DROPPED:
            for restored in serializers.deserialize("python", entry[4]):
                restored.save()
            continue
        model = apps.get_model(label)
        model._default_manager.filter(pk=pk, **{field_name: survivor.pk}).update(**{field_name: merged.pk})

    _restore_fields(survivor, merge.survivor_before)
    bump_version(survivor, user=actor)
    survivor.save()
    merged.replaced_by = None
    bump_version(merged, user=actor)
    merged.save()
    refresh_search_fields(survivor)
    refresh_search_fields(merged)
    merge.undone_at = timezone.now()
    merge.undone_by = signed_in_user(actor)
    merge.save(update_fields=["undone_at", "undone_by"])
    audit(
        actor=actor,
        action="client.unmerge",
        target=survivor,
        organisation=survivor.organisation,
        summary=f"{merged.display_name} ({merged.number}) ↚ {survivor.display_name} ({survivor.number})",
        data={"merge": merge.pk, "merged": merged.pk, "moved_back": len(merge.moved)},
    )
    return merge


def moved_summary(merge: Merge) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in merge.moved:
        counts[entry[0]] = counts.get(entry[0], 0) + 1
    return counts


__all__ = [
    "MERGEABLE_FIELDS",
    "client_merge",
    "client_unmerge",
    "differing_fields",
    "later_merges",
    "not_duplicate_record",
]
