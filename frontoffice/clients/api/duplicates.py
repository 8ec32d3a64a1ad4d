"""Duplicate review over the API: candidate pairs, and "not the same person"."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, Text, current_user, idempotent, requires

from .. import selectors
from ..finder import review_pairs
from ..merging import not_duplicate_record
from ..permissions import ClientsPermission

router = Router(tags=["Clients"])
MERGE = ClientsPermission.MERGE_CLIENTS.perm


class PairReasonOut(Schema):
    code: str = Field(description="Stable code: `identifier`, `family_name`, `given_name`, `birth_date`, …")
    text: str = Field(description="The reason in the user's language.")
    weight: float = Field(description="What the reason adds to the score (negative for disagreements).")


class DuplicatePairOut(Schema):
    client_id_a: int = Field(description="The client with the lower id.")
    client_id_b: int = Field(description="The other client.")
    score: float = Field(description="Sum of the reasons' weights.")
    reasons: list[PairReasonOut] = Field(description="Why the pair is proposed, strongest first.")


class NotSameIn(InSchema):
    client_id_a: Id = Field(description="One client.")
    client_id_b: Id = Field(description="The other client.")
    reason: Text = Field("", max_length=300, description="Why they are different people, e.g. `twins`.")


class NotSameOut(Schema):
    client_id_a: int = Field(description="The client with the lower id.")
    client_id_b: int = Field(description="The other client.")
    reason: str = Field(description="Why they are different people.")
    decided_at: datetime = Field(description="When the pair was first marked.")


@router.get("/clients/duplicates", response=list[DuplicatePairOut], summary="List candidate duplicate pairs for review")
@paginate(LimitOffsetPagination)
@requires(MERGE)
def duplicate_list(request: HttpRequest) -> Any:
    """Best first: clients flagged for review with their best matches and, in an organisation of up to a few
    thousand clients, every pair the batch finder proposes. Pairs marked "not the same person" never appear."""
    return review_pairs(user=current_user(request))


@router.post("/clients/duplicates/not-same", response={201: NotSameOut}, summary="Mark two clients as different people")
@requires(MERGE)
@idempotent
def duplicate_not_same(request: HttpRequest, payload: NotSameIn) -> Any:
    """Remembered, so the pair is never proposed again. Repeating it changes nothing. 404 outside the organisation."""
    user = current_user(request)
    client_a = selectors.client_get(user=user, pk=payload.client_id_a, follow_merges=False)
    client_b = selectors.client_get(user=user, pk=payload.client_id_b, follow_merges=False)
    record = not_duplicate_record(client_a=client_a, client_b=client_b, actor=user, reason=payload.reason)
    return Status(
        201,
        NotSameOut(
            client_id_a=record.client_a_id,
            client_id_b=record.client_b_id,
            reason=record.reason,
            decided_at=record.decided_at,
        ),
    )
