"""Cases through the API: list (the queue's filters), get, create, update with a version check, merge;
notes; canned replies (list, render for a case); the SLA clocks of a case."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.clients import selectors as client_selectors
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, referenced, requires

from ..choices import CasePriority, CaseStatus, Channel
from ..models import Case
from ..permissions import CasePermission
from . import canned, selectors, services

router = Router(tags=["Cases"])

VIEW = CasePermission.VIEW_CASES.perm
WORK = CasePermission.WORK_CASES.perm
SUPERVISE = CasePermission.SUPERVISE_CASES.perm


def _client(*, user: Any, pk: int) -> Any:
    return client_selectors.client_get(user=user, pk=pk, follow_merges=False)


class CaseOut(Schema):
    id: int
    number: str
    branch_id: int
    subject: str
    client_id: int | None
    channel: str = Field(description="The channel of the contact that opened the case.")
    status: str = Field(description="new, open, pending_customer, pending_internal, resolved or closed.")
    priority: str = Field(description="low, normal, high or urgent.")
    team_id: int | None
    owner_id: int | None
    is_complaint: bool
    visit_id: int | None
    merged_into_id: int | None = Field(description="Set when this case was merged into another.")
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    version: int


class CaseFilters(InSchema):
    tab: str = Field(
        "all",
        pattern="^(mine|team|unassigned|breaching|all)$",
        description="mine, team, unassigned, breaching (due within 2 hours) or all.",
    )
    branch_id: int | None = Field(None, ge=1)
    status: CaseStatus | None = Field(None, description="Default: every status (tab all) or those still being worked.")
    priority: CasePriority | None = None
    channel: Channel | None = None
    q: str = Field("", max_length=100, description="Case number, or words of the subject or the client's name.")


class CaseCreateIn(InSchema):
    branch_id: int = Field(ge=1)
    subject: str = Field(min_length=1, max_length=200)
    channel: Channel = Channel.PHONE
    priority: CasePriority = CasePriority.NORMAL
    client_id: int | None = Field(None, ge=1)
    team_id: int | None = Field(None, ge=1, description="A team with an assignment rule gives the case an owner.")


class CaseUpdateIn(InSchema):
    version: int = Field(ge=1, description="The version you read; an older one gives 409.")
    status: CaseStatus | None = None
    priority: CasePriority | None = None
    owner_id: int | None = Field(None, ge=1, description="Yourself (work_cases) or anyone (supervise_cases).")
    unassign: bool = Field(False, description="Remove the owner.")


class MergeIn(InSchema):
    into_id: int = Field(ge=1, description="The case that survives.")


class NoteOut(Schema):
    id: int
    author_id: int | None
    body: str
    has_attachment: bool
    created_at: datetime

    @staticmethod
    def resolve_has_attachment(obj: Any) -> bool:
        return bool(obj.attachment)


class NoteIn(InSchema):
    body: str = Field(min_length=1, max_length=8000)


class CannedOut(Schema):
    id: int
    title: str
    body_en: str
    body_pl: str


class RenderedOut(Schema):
    language: str
    text: str


class ClockOut(Schema):
    id: int
    target: str = Field(description="first_response, next_response or resolution.")
    policy: str
    status: str = Field(description="running, paused or stopped.")
    due_at: datetime | None = Field(description="While running; it moves when a pause ends.")
    breached_at: datetime | None
    fulfilled: bool | None = Field(description="After the stop: true when met in time.")
    events: list[dict[str, Any]] = Field(description="Start, pause, resume and stop with the elapsed seconds then.")

    @staticmethod
    def resolve_policy(obj: Any) -> str:
        return obj.policy.name

    @staticmethod
    def resolve_events(obj: Any) -> list[dict[str, Any]]:
        return list(obj.state.get("events", []))


def _load(user: Any, pk: int) -> Case:
    return selectors.case_get_scoped(user=user, pk=pk)


@router.get("/interactions/cases", response=list[CaseOut], summary="List cases")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """The agent queue's cases, oldest first (merged-away cases are left out)."""
    return selectors.case_queue_queryset(
        user=current_user(request),
        filters=selectors.QueueFilters(
            tab=filters.tab,
            branch_id=filters.branch_id,
            status=filters.status or "",
            priority=filters.priority or "",
            channel=filters.channel or "",
            q=filters.q,
        ),
    )


@router.post("/interactions/cases", response={201: CaseOut}, summary="Open a case")
@requires(WORK)
@idempotent
def case_create(request: HttpRequest, payload: CaseCreateIn) -> Any:
    """Opens a case and starts its SLA clocks. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    case = services.case_create(
        branch=referenced("branch_id", core_selectors.branch_get, payload.branch_id, user),
        subject=payload.subject,
        actor=user,
        channel=payload.channel,
        priority=payload.priority,
        client=referenced("client_id", _client, payload.client_id, user),
        team=referenced("team_id", selectors.team_get, payload.team_id, user),
    )
    return Status(201, _load(user, case.pk))


@router.get("/interactions/cases/{int:case_id}", response=CaseOut, summary="Get a case")
@requires(VIEW)
def case_get(request: HttpRequest, case_id: Id) -> Any:
    return _load(current_user(request), case_id)


@router.patch(
    "/interactions/cases/{int:case_id}", response=CaseOut, summary="Change a case's status, priority or owner"
)
@requires(WORK)
def case_update(request: HttpRequest, case_id: Id, payload: CaseUpdateIn) -> Any:
    """Applies the given changes in one go. A `version` older than the stored one gives 409; a status move the
    rules forbid (closed is final) gives 422."""
    user = current_user(request)
    case = _load(user, case_id)
    if case.version != payload.version:
        services.case_set_status(case=case, status=case.status, actor=user, expected_version=payload.version)
    version: int | None = payload.version
    if payload.priority is not None:
        case = services.case_update(
            case=case, details=services.CaseDetails(priority=payload.priority), actor=user, expected_version=version
        )
        version = None
    if payload.owner_id is not None or payload.unassign:
        owner = None
        if payload.owner_id is not None:
            owner = referenced("owner_id", lambda *, user, pk: _owner(user, case, pk), payload.owner_id, user)
        case = services.case_assign(case=case, owner=owner, actor=user, expected_version=version)
        version = None
    if payload.status is not None:
        services.case_set_status(case=case, status=payload.status, actor=user, expected_version=version)
    return _load(user, case_id)


def _owner(user: Any, case: Case, pk: int) -> Any:
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.filter(pk=pk, staff__organisation_id=case.organisation_id).first()
    if owner is None:
        raise Http404
    return owner


@router.post("/interactions/cases/{int:case_id}/merge", response=CaseOut, summary="Merge a case into another")
@requires(SUPERVISE)
def case_merge(request: HttpRequest, case_id: Id, payload: MergeIn) -> Any:
    """Moves the case's contacts, notes, replies and follow-ups to `into_id` and closes it; returns the survivor."""
    user = current_user(request)
    source = _load(user, case_id)
    target = referenced("into_id", selectors.case_get_scoped, payload.into_id, user)
    survivor = services.case_merge(source=source, target=target, actor=user)
    return _load(user, survivor.pk)


@router.get("/interactions/cases/{int:case_id}/notes", response=list[NoteOut], summary="List a case's notes")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def case_note_list(request: HttpRequest, case_id: Id) -> Any:
    case = _load(current_user(request), case_id)
    return case.notes.order_by("created_at", "pk")


@router.post("/interactions/cases/{int:case_id}/notes", response={201: NoteOut}, summary="Add an internal note")
@requires(WORK)
@idempotent
def case_note_create(request: HttpRequest, case_id: Id, payload: NoteIn) -> Any:
    """Internal notes are never sent to the customer. Attachments are added on the case page."""
    user = current_user(request)
    note = services.case_note_add(case=_load(user, case_id), body=payload.body, actor=user)
    return Status(201, note)


@router.get("/interactions/cases/{int:case_id}/sla", response=list[ClockOut], summary="Get a case's SLA clocks")
@requires(VIEW)
def case_sla_get(request: HttpRequest, case_id: Id) -> Any:
    """One clock per target (a new next-response clock for each customer message left unanswered)."""
    return selectors.case_clocks(case=_load(current_user(request), case_id))


@router.get("/interactions/canned-replies", response=list[CannedOut], summary="List canned replies")
@paginate(LimitOffsetPagination)
@requires(WORK)
def canned_reply_list_api(request: HttpRequest) -> Any:
    return selectors.canned_reply_list(user=current_user(request))


@router.get(
    "/interactions/canned-replies/{int:canned_id}/render", response=RenderedOut, summary="Fill in a canned reply"
)
@requires(WORK)
def canned_reply_render(request: HttpRequest, canned_id: Id, case_id: Query[int] = 0) -> Any:
    """The text in the case's client's language with `{{ client.given_name }}`, `{{ case.number }}`,
    `{{ agent.first_name }}` and the other fixed variables filled in (no template engine)."""
    user = current_user(request)
    chosen = selectors.canned_reply_get(user=user, pk=canned_id)
    case = referenced("case_id", selectors.case_get_scoped, case_id or None, user)
    if case is None:
        raise ValidationError({"case_id": _("Name the case the reply is for.")})
    language = canned.reply_language(case)
    return {"language": language, "text": canned.canned_render(canned=chosen, case=case, agent=user, language=language)}
