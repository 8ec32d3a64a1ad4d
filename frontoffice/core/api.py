"""API endpoints for the organisation and its branches."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from . import selectors, services
from .apikit import Id, LimitOffsetPagination, current_user, idempotent, requires
from .permissions import CorePermission
from .schemas import BranchFilters, BranchIn, BranchOut, OrganisationOut

router = Router(tags=["Organisation"])

VIEW = CorePermission.VIEW_ORGANISATION.perm
MANAGE = CorePermission.MANAGE_ORGANISATION.perm


@router.get("/organisation", response=OrganisationOut, summary="The user's organisation")
@requires(VIEW)
def organisation_get(request: HttpRequest) -> Any:
    return selectors.organisation_for(current_user(request))


@router.get("/branches", response=list[BranchOut], summary="List branches")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def branch_list(request: HttpRequest, filters: Query[BranchFilters]) -> Any:
    """Branches the user may see: every branch of the organisation for executives and
    administrators, the user's own branches for everyone else."""
    return selectors.branch_list(
        user=current_user(request), search=filters.search, include_inactive=filters.include_inactive
    )


@router.get("/branches/{branch_id}", response=BranchOut, summary="Get a branch")
@requires(VIEW)
def branch_get(request: HttpRequest, branch_id: Id) -> Any:
    """404 when the branch is not one the user may see."""
    return selectors.branch_get(user=current_user(request), pk=branch_id)


@router.post("/branches", response={201: BranchOut}, summary="Create a branch")
@requires(MANAGE)
@idempotent
def branch_create(request: HttpRequest, payload: BranchIn) -> Any:
    """Add a branch to the user's organisation."""
    user = current_user(request)
    branch = services.branch_create(organisation=selectors.organisation_for(user), user=user, **payload.model_dump())
    return Status(201, branch)
