"""Merge and unmerge over the API (the same services as the merge page)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from frontoffice.core.apikit import Id, InSchema, Text, current_user, idempotent, requires
from frontoffice.core.scoping import scope_queryset

from .. import merging, selectors
from ..models import Merge
from ..permissions import ClientsPermission

router = Router(tags=["Clients"])
MERGE = ClientsPermission.MERGE_CLIENTS.perm


class MergeIn(InSchema):
    other_id: Id = Field(description="The other client of the pair.")
    survivor_id: Id = Field(description="Which of the two stays: this client's id or `other_id`.")
    field_choices: dict[str, Id] = Field(
        default_factory=dict,
        description='Field name → id of the client whose value is kept, e.g. `{"family_name": 42}`. '
        "Fields not named keep the surviving record's value.",
    )
    reason: Text = Field("", max_length=300, description="Why the records are merged.")
    versions: dict[str, int] | None = Field(
        None, description="Client id → the `version` you read; a newer stored version gives 409."
    )


class MergeOut(Schema):
    id: int = Field(description="Merge id (for undo).")
    survivor_id: int = Field(description="The record that stayed.")
    merged_id: int = Field(description="The merged-away record; it now leads to the survivor.")
    performed_at: datetime
    reason: str
    moved: int = Field(description="How many linked records moved to the survivor.")
    undone_at: datetime | None = Field(description="When the merge was undone; null while in force.")


def _out(merge: Merge) -> MergeOut:
    return MergeOut(
        id=merge.pk,
        survivor_id=merge.survivor_id,
        merged_id=merge.merged_id,
        performed_at=merge.performed_at,
        reason=merge.reason,
        moved=len(merge.moved),
        undone_at=merge.undone_at,
    )


@router.post("/clients/{int:client_id}/merge", response={201: MergeOut}, summary="Merge two clients")
@requires(MERGE)
@idempotent
def client_merge(request: HttpRequest, client_id: Id, payload: MergeIn) -> Any:
    """Every record linked to the merged-away client moves to the survivor; the merge can be undone.
    422 when merging a client into itself or one already merged; 404 outside the organisation."""
    user = current_user(request)
    this = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    other = selectors.client_get(user=user, pk=payload.other_id, follow_merges=False)
    if payload.survivor_id not in (this.pk, other.pk):
        raise ValidationError({"survivor_id": _("Choose one of the two clients.")})
    survivor, merged = (this, other) if payload.survivor_id == this.pk else (other, this)
    versions = {int(pk): version for pk, version in (payload.versions or {}).items() if str(pk).isdigit()}
    merge = merging.client_merge(
        survivor=survivor,
        merged=merged,
        actor=user,
        field_choices=dict(payload.field_choices),
        reason=payload.reason,
        expected_versions=versions,
    )
    return Status(201, _out(merge))


@router.post("/clients/merges/{int:merge_id}/undo", response=MergeOut, summary="Undo a merge")
@requires(MERGE)
def merge_undo(request: HttpRequest, merge_id: Id) -> Any:
    """Both clients as they were, and exactly the moved records moved back. 422 when already undone or when
    a later merge of one of the clients is in force (undo that one first)."""
    user = current_user(request)
    merge = get_object_or_404(scope_queryset(Merge.objects.all(), user, branch_field=None), pk=merge_id)
    return _out(merging.client_unmerge(merge=merge, actor=user))
