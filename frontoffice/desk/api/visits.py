"""Visits through the API: list, create (idempotent), read, update (versioned), transition; visit types."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.accounts import selectors as staff_selectors
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, requires

from .. import selectors, services, workflow
from ..models import Visit
from ..permissions import DeskPermission
from ..schemas import (
    TransitionIn,
    VisitCreateIn,
    VisitDetailsIn,
    VisitFilters,
    VisitListItem,
    VisitOut,
    VisitTypeOut,
    VisitUpdateIn,
)
from ..services import VisitData
from .refs import client_ref, ref

router = Router(tags=["Desk"])

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm


def _data(payload: VisitDetailsIn, user: Any) -> VisitData:
    return VisitData(
        scheduled_at=payload.scheduled_at,
        responsible=ref("responsible_id", staff_selectors.staff_get, payload.responsible_id, user),
        notes=payload.notes,
        reason=payload.reason,
        practitioner=ref("practitioner_id", staff_selectors.staff_get, payload.practitioner_id, user),
        referral_number=payload.referral_number,
        arrival_date=payload.arrival_date,
        departure_date=payload.departure_date,
        room=ref("room_id", selectors.room_get, payload.room_id, user),
    )


def _load(user: Any, pk: int) -> Visit:
    visit = selectors.visit_detail(user=user, pk=pk)
    visit.next_statuses = list(workflow.next_statuses(visit.vertical, visit.status))  # type: ignore[attr-defined]
    return visit


@router.get("/desk/visits", response=list[VisitListItem], summary="List visits")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def visit_list(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    """Visits at the caller's branches, latest scheduled first."""
    user = current_user(request)
    found = selectors.visit_list(
        user=user,
        filters=selectors.VisitFilters(
            branch_id=filters.branch_id,
            status=filters.status or "",
            vertical=filters.vertical or "",
            date_from=filters.date_from,
            date_to=filters.date_to,
            client_id=filters.client_id,
            q=filters.q,
        ),
    )
    return found.order_by("-scheduled_at", "-pk")


@router.post("/desk/visits", response={201: VisitOut}, summary="Open a visit, stay or transaction")
@requires(EDIT)
@idempotent
def visit_create(request: HttpRequest, payload: VisitCreateIn) -> Any:
    """Numbered `V-YYYY-NNNNNN`; starts in the first status of the visit type's vertical. A stay gets its client
    as the primary guest. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, payload.branch_id, user)
    client = client_ref("client_id", payload.client_id, user)
    visit_type = ref("visit_type_id", selectors.visit_type_get, payload.visit_type_id, user)
    visit = services.visit_create(
        branch=branch, actor=user, client=client, visit_type=visit_type, data=_data(payload, user)
    )
    return Status(201, _load(user, visit.pk))


@router.get("/desk/visits/{int:visit_id}", response=VisitOut, summary="Get a visit")
@requires(VIEW)
def visit_get(request: HttpRequest, visit_id: Id) -> Any:
    return _load(current_user(request), visit_id)


@router.put("/desk/visits/{int:visit_id}", response=VisitOut, summary="Change a visit")
@requires(EDIT)
def visit_update(request: HttpRequest, visit_id: Id, payload: VisitUpdateIn) -> Any:
    """Replaces the visit's details. A `version` older than the stored one gives 409 (someone changed it since)."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    services.visit_update(visit=visit, actor=user, data=_data(payload, user), expected_version=payload.version)
    return _load(user, visit_id)


@router.post("/desk/visits/{int:visit_id}/transition", response=VisitOut, summary="Move a visit to another status")
@requires(EDIT)
def visit_transition(request: HttpRequest, visit_id: Id, payload: TransitionIn) -> Any:
    """Allowed moves are in `next_statuses`; any other gives 422 naming both statuses. Registered guards (a
    settled folio, coverage on file…) may refuse with 422 too. Repeating a move that already happened is refused,
    so a retried request never moves a visit twice."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    services.visit_transition(
        visit=visit, to_status=payload.to_status, actor=user, reason=payload.reason, expected_version=payload.version
    )
    return _load(user, visit_id)


@router.get("/desk/visit-types", response=list[VisitTypeOut], summary="List visit types")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def visit_type_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    return selectors.visit_type_list(user=current_user(request), include_inactive=include_inactive)
