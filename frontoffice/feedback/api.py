"""Feedback through the API: surveys (read), invitations (list, get, send one by hand), responses (list, get)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.clients import selectors as client_selectors
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, referenced, requires

from . import selectors, services
from .permissions import FeedbackPermission
from .schemas import (
    InvitationCreateIn,
    InvitationFilters,
    InvitationOut,
    ResponseFilters,
    ResponseOut,
    SurveyOut,
)

router = Router(tags=["Feedback"])

VIEW = FeedbackPermission.VIEW_FEEDBACK.perm
SEND = FeedbackPermission.SEND_SURVEYS.perm


@router.get("/feedback/surveys", response=list[SurveyOut], summary="List surveys")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def feedback_survey_list(request: HttpRequest) -> Any:
    """Your organisation's surveys with their current version's texts and questions."""
    return selectors.survey_list(user=current_user(request)).prefetch_related("current_version__questions")


@router.get("/feedback/surveys/{int:survey_id}", response=SurveyOut, summary="Get a survey")
@requires(VIEW)
def feedback_survey_get(request: HttpRequest, survey_id: Id) -> Any:
    return selectors.survey_get(user=current_user(request), pk=survey_id)


@router.get("/feedback/invitations", response=list[InvitationOut], summary="List survey invitations")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def feedback_invitation_list(request: HttpRequest, filters: Query[InvitationFilters]) -> Any:
    """Invitations at your branches, newest first."""
    return selectors.invitation_list(
        user=current_user(request),
        filters=selectors.InvitationFilters(
            branch_id=filters.branch_id,
            survey_id=filters.survey_id,
            status=filters.status or "",
            channel=filters.channel or "",
            client_id=filters.client_id,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )


@router.get("/feedback/invitations/{int:invitation_id}", response=InvitationOut, summary="Get a survey invitation")
@requires(VIEW)
def feedback_invitation_get(request: HttpRequest, invitation_id: Id) -> Any:
    return selectors.invitation_get(user=current_user(request), pk=invitation_id)


@router.post("/feedback/invitations", response={201: InvitationOut}, summary="Send a survey to a client")
@requires(SEND)
@idempotent
def feedback_invitation_create(request: HttpRequest, payload: InvitationCreateIn) -> Any:
    """Invites one client now by e-mail or SMS. Consent, do-not-contact and the 30-day suppression apply
    (refused with 422). Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    invitation = services.invitation_create_manual(
        survey=referenced("survey_id", selectors.survey_get, payload.survey_id, user),
        branch=referenced("branch_id", core_selectors.branch_get, payload.branch_id, user),
        client=referenced(
            "client_id",
            lambda *, user, pk: client_selectors.client_get(user=user, pk=pk, follow_merges=False),
            payload.client_id,
            user,
        ),
        channel=payload.channel,
        actor=user,
    )
    return Status(201, selectors.invitation_get(user=user, pk=invitation.pk))


@router.get("/feedback/responses", response=list[ResponseOut], summary="List survey responses")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def feedback_response_list(request: HttpRequest, filters: Query[ResponseFilters]) -> Any:
    """Submitted responses at your branches, newest first, each with the version it answered."""
    return selectors.response_list(
        user=current_user(request),
        filters=selectors.ResponseFilters(
            branch_id=filters.branch_id,
            survey_id=filters.survey_id,
            kind=filters.kind or "",
            band=filters.band or "",
            channel=filters.channel or "",
            client_id=filters.client_id,
            low_only=filters.low_only,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    ).prefetch_related("answers")


@router.get("/feedback/responses/{int:response_id}", response=ResponseOut, summary="Get a survey response")
@requires(VIEW)
def feedback_response_get(request: HttpRequest, response_id: Id) -> Any:
    return selectors.response_get(user=current_user(request), pk=response_id)
