"""Contacts through the API: contacts (list, get, log, update, confirm the client), follow-ups, topics, teams."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from frontoffice.clients import selectors as client_selectors
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, requires
from frontoffice.core.selectors import organisation_for

from .. import selectors as shared_selectors
from .. import services as shared
from ..permissions import CasePermission, InteractionPermission
from . import selectors, services
from .schemas import (
    ConfirmClientIn,
    FollowUpCreateIn,
    FollowUpFilters,
    FollowUpOut,
    InteractionCreateIn,
    InteractionFilters,
    InteractionOut,
    InteractionUpdateIn,
    TeamOut,
    TopicCreateIn,
    TopicFilters,
    TopicOut,
)

router = Router(tags=["Interactions"])

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
LOG = InteractionPermission.LOG_INTERACTIONS.perm
SETUP = InteractionPermission.MANAGE_CHANNELS.perm
WORK_CASES = CasePermission.WORK_CASES.perm


def ref(field: str, getter: Any, pk: int | None, user: Any) -> Any:
    """A record named by id in a body; one the caller may not see reads as a field error, like a missing one."""
    if pk is None:
        return None
    try:
        return getter(user=user, pk=pk)
    except Http404:
        raise ValidationError({field: _("No such record, or it is outside your organisation or branches.")}) from None


def _client(*, user: Any, pk: int) -> Any:
    return client_selectors.client_get(user=user, pk=pk, follow_merges=False)


def _person(field: str, pk: int | None, user: Any, *, branch_id: int) -> Any:
    if pk is None:
        return user
    found = selectors.organisation_staff_users(user=user, branch_id=branch_id, include_me=True).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("No such staff member at this branch.")})
    return found


def _load(user: Any, pk: int) -> Any:
    return shared_selectors.interaction_get(user=user, pk=pk)


# --- contacts -------------------------------------------------------------------------------------


@router.get("/interactions", response=list[InteractionOut], summary="List contacts")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def interaction_list(request: HttpRequest, filters: Query[InteractionFilters]) -> Any:
    """Contacts at your branches in every channel, newest first, narrowed by the filters."""
    user = current_user(request)
    return selectors.interaction_list(
        user=user,
        filters=selectors.ContactFilters(
            branch_id=filters.branch_id,
            channel=filters.channel or "",
            direction=filters.direction or "",
            staff_id=filters.staff_id,
            topic_id=filters.topic_id,
            outcome=filters.outcome or "",
            client_id=filters.client_id,
            date_from=filters.date_from,
            date_to=filters.date_to,
            needs_client=filters.needs_client,
        ),
    ).prefetch_related("candidates")


@router.post("/interactions", response={201: InteractionOut}, summary="Log a contact")
@requires(LOG)
@idempotent
def interaction_create(request: HttpRequest, payload: InteractionCreateIn) -> Any:
    """Logs a contact handled by you; without `client_id` the client is matched by `contact_address`
    (several matches leave it as `maybe`). Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, payload.branch_id, user)
    if payload.case_subject and not user.has_perm(WORK_CASES):
        raise ValidationError({"case_subject": _("You may not open cases.")})
    follow_up = None
    if payload.follow_up is not None:
        follow_up = services.FollowUpData(
            owner=_person("follow_up.owner_id", payload.follow_up.owner_id, user, branch_id=branch.pk),
            due_at=payload.follow_up.due_at,
            note=payload.follow_up.note,
        )
    logged = services.contact_log(
        branch=branch,
        channel=payload.channel,
        direction=payload.direction,
        actor=user,
        started_at=payload.started_at,
        client=ref("client_id", _client, payload.client_id, user),
        contact_address=payload.contact_address,
        topic=ref("topic_id", selectors.topic_get, payload.topic_id, user),
        outcome=payload.outcome or "",
        summary=payload.summary,
        follow_up=follow_up,
        case_subject=payload.case_subject,
    )
    return Status(201, _load(user, logged.interaction.pk))


@router.get("/interactions/{int:interaction_id}", response=InteractionOut, summary="Get a contact")
@requires(VIEW)
def interaction_get(request: HttpRequest, interaction_id: Id) -> Any:
    return _load(current_user(request), interaction_id)


@router.put(
    "/interactions/{int:interaction_id}",
    response=InteractionOut,
    summary="Change a contact's topic, outcome and summary",
)
@requires(LOG)
def interaction_update(request: HttpRequest, interaction_id: Id, payload: InteractionUpdateIn) -> Any:
    """Sets what is known after the fact. A `version` older than the stored one gives 409."""
    user = current_user(request)
    interaction = _load(user, interaction_id)
    services.interaction_update(
        interaction=interaction,
        actor=user,
        version=payload.version,
        topic=ref("topic_id", selectors.topic_get, payload.topic_id, user),
        outcome=payload.outcome or "",
        summary=payload.summary,
    )
    return _load(user, interaction_id)


@router.post(
    "/interactions/{int:interaction_id}/confirm-client", response=InteractionOut, summary="Confirm a contact's client"
)
@requires(LOG)
def interaction_confirm_client(request: HttpRequest, interaction_id: Id, payload: ConfirmClientIn) -> Any:
    """Picks the client of a contact: one of the `maybe` candidates or any client of your organisation."""
    user = current_user(request)
    interaction = _load(user, interaction_id)
    client = ref("client_id", _client, payload.client_id, user)
    shared.interaction_confirm_client(interaction=interaction, client=client, actor=user)
    return _load(user, interaction_id)


# --- follow-ups -----------------------------------------------------------------------------------


@router.get("/interactions/follow-ups", response=list[FollowUpOut], summary="List follow-ups")
@paginate(LimitOffsetPagination)
@requires(LOG)
def follow_up_list(request: HttpRequest, filters: Query[FollowUpFilters]) -> Any:
    """Your open follow-ups, soonest due first (overdue ones lead); `owner_id` for someone you oversee."""
    user = current_user(request)
    return selectors.follow_up_list(user=user, owner_id=filters.owner_id, include_done=filters.include_done)


@router.post("/interactions/follow-ups", response={201: FollowUpOut}, summary="Set a follow-up")
@requires(LOG)
@idempotent
def follow_up_create(request: HttpRequest, payload: FollowUpCreateIn) -> Any:
    """Attaches a follow-up to a contact or a case. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    if (payload.interaction_id is None) == (payload.case_id is None):
        raise ValidationError({"interaction_id": _("Name either a contact or a case.")})
    interaction = ref("interaction_id", shared_selectors.interaction_get, payload.interaction_id, user)
    case = ref("case_id", shared_selectors.case_get, payload.case_id, user)
    anchor = interaction or case
    follow_up = shared.follow_up_create(
        owner=_person("owner_id", payload.owner_id, user, branch_id=anchor.branch_id),
        due_at=payload.due_at,
        note=payload.note,
        actor=user,
        interaction=interaction,
        case=case,
    )
    return Status(201, follow_up)


@router.post(
    "/interactions/follow-ups/{int:follow_up_id}/complete", response=FollowUpOut, summary="Mark a follow-up done"
)
@requires(LOG)
def follow_up_complete(request: HttpRequest, follow_up_id: Id) -> Any:
    """Your own, or one of someone you oversee. Doing it twice changes nothing."""
    user = current_user(request)
    follow_up = selectors.follow_up_get(user=user, pk=follow_up_id)
    return shared.follow_up_complete(follow_up=follow_up, actor=user)


# --- topics and teams -----------------------------------------------------------------------------


@router.get("/interactions/topics", response=list[TopicOut], summary="List contact topics")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def topic_list(request: HttpRequest, filters: Query[TopicFilters]) -> Any:
    """The organisation's controlled list, in its order; topics out of use only with `include_inactive`."""
    return selectors.topic_list(user=current_user(request), include_inactive=filters.include_inactive)


@router.post("/interactions/topics", response={201: TopicOut}, summary="Add a contact topic")
@requires(SETUP)
@idempotent
def topic_create(request: HttpRequest, payload: TopicCreateIn) -> Any:
    """Names must be unique within the organisation. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    topic = services.topic_create(
        organisation=organisation_for(user),
        actor=user,
        name=payload.name,
        name_pl=payload.name_pl,
        position=payload.position,
    )
    return Status(201, topic)


@router.get("/interactions/teams", response=list[TeamOut], summary="List teams")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def team_list(request: HttpRequest) -> Any:
    """Teams in use at your branches, with their lead and members (user ids)."""
    return selectors.team_list(user=current_user(request)).order_by("name", "pk")
