"""API endpoints for the signed-in user, the staff directory and personal API tokens."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, requires

from . import selectors, services
from .permissions import AccountsPermission
from .schemas import MeOut, StaffFilters, StaffOut, TokenCreatedOut, TokenIn, TokenOut

router = Router()

VIEW_STAFF = AccountsPermission.VIEW_STAFF.perm
USE_API = AccountsPermission.USE_API.perm


@router.get("/me", response=MeOut, tags=["Me"], summary="The current user")
def me_get(request: HttpRequest) -> Any:
    """Who is calling: organisation, roles, branches and permissions."""
    return current_user(request)


@router.get("/staff", response=list[StaffOut], tags=["Staff"], summary="List staff members")
@paginate(LimitOffsetPagination)
@requires(VIEW_STAFF)
def staff_list(request: HttpRequest, filters: Query[StaffFilters]) -> Any:
    """Staff of the user's branches (every branch for executives and administrators), by last name."""
    return selectors.staff_list(
        user=current_user(request),
        search=filters.search,
        role=filters.role or "",
        branch_id=filters.branch,
        include_inactive=filters.include_inactive,
    )


@router.get("/staff/{staff_id}", response=StaffOut, tags=["Staff"], summary="Get a staff member")
@requires(VIEW_STAFF)
def staff_get(request: HttpRequest, staff_id: Id) -> Any:
    """404 when the staff member works outside the user's branches or organisation."""
    return selectors.staff_get(user=current_user(request), pk=staff_id)


@router.get("/tokens", response=list[TokenOut], tags=["API tokens"], summary="List your API tokens")
@paginate(LimitOffsetPagination)
@requires(USE_API)
def token_list(request: HttpRequest) -> Any:
    """The caller's own tokens, newest first, including revoked and expired ones."""
    return selectors.token_list(user=current_user(request))


@router.post("/tokens", response={201: TokenCreatedOut}, tags=["API tokens"], summary="Create an API token")
@requires(USE_API)
@idempotent(redact=("token",))
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Create a personal token. The answer holds the token itself: store it now, it is not shown again."""
    token, raw = services.api_token_create(user=current_user(request), name=payload.name, expires_at=payload.expires_at)
    return Status(201, TokenCreatedOut(**TokenOut.model_validate(token).model_dump(), token=raw))


@router.post("/tokens/{token_id}/revoke", response=TokenOut, tags=["API tokens"], summary="Revoke an API token")
@requires(USE_API)
def token_revoke(request: HttpRequest, token_id: Id) -> Any:
    """Stop one of your tokens from working. Revoking a revoked token changes nothing; 404 for others' tokens."""
    user = current_user(request)
    return services.api_token_revoke(token=selectors.token_get(user=user, pk=token_id), actor=user)
