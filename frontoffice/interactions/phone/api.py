"""The phone through the API: callbacks (list, take, log an attempt, close), the caller's own agent state,
and the list of calls. The CTI webhook itself is at ``/interactions/cti/{token}/`` (see docs/interactions-phone.md)."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, requires

from ..choices import AgentState, CallbackOutcome, CallbackStatus
from ..permissions import InteractionPermission
from . import selectors, services

router = Router(tags=["Phone"])

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
LOG = InteractionPermission.LOG_INTERACTIONS.perm


class CallbackOut(Schema):
    id: int
    branch_id: int
    contact_id: int = Field(alias="interaction_id", description="The first missed call.")
    number: str = Field(description="The number to call back, E.164 when it could be read.")
    client_id: int | None
    owner_id: int | None
    status: str = Field(description="open, done or gave_up.")
    missed_calls: int = Field(description="Missed calls from the number while the callback was open.")
    attempts: int
    last_attempt_at: datetime | None
    outcome: str = Field(description="The last attempt's outcome: reached, no_answer, busy, voicemail, wrong_number.")
    note: str
    due_at: datetime
    closed_at: datetime | None
    version: int


class CallbackFilters(InSchema):
    view: Literal["mine", "unassigned", "all"] = Field("all", description="Mine, nobody's yet, or all of my branches.")
    status: CallbackStatus | None = Field(CallbackStatus.OPEN, description="Default: open.")


class AttemptIn(InSchema):
    outcome: CallbackOutcome = Field(description="reached and wrong_number settle the callback.")
    note: str = Field("", max_length=300)


class CloseIn(InSchema):
    status: Literal["done", "gave_up"]
    note: str = Field("", max_length=300)


class AgentStateOut(Schema):
    state: str = Field(description="available, on_call, wrap_up, break or offline.")
    started_at: datetime | None = Field(description="Null: never set (offline).")
    by_pbx: bool = Field(description="Set by the phone system rather than by the person.")


class AgentStateIn(InSchema):
    state: AgentState


class CallOut(Schema):
    id: int = Field(description="The contact's id.")
    branch_id: int
    direction: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    staff_id: int | None
    contact_address: str
    client_id: int | None
    client_match: str
    outcome: str
    call_id: str = Field(description="The PBX call id; empty for calls logged by hand.")
    ring_seconds: int | None
    talk_seconds: int | None
    hold_seconds: int | None
    wrap_up_seconds: int | None
    transfers: int | None
    cause: str

    @staticmethod
    def resolve_call_id(obj: Any) -> str:
        call = selectors.call_of(obj)
        return call.call_id if call else ""

    @staticmethod
    def resolve_ring_seconds(obj: Any) -> int | None:
        call = selectors.call_of(obj)
        return call.ring_seconds if call else None

    @staticmethod
    def resolve_talk_seconds(obj: Any) -> int | None:
        call = selectors.call_of(obj)
        return call.talk_seconds if call else None

    @staticmethod
    def resolve_hold_seconds(obj: Any) -> int | None:
        call = selectors.call_of(obj)
        return call.hold_seconds if call else None

    @staticmethod
    def resolve_wrap_up_seconds(obj: Any) -> int | None:
        call = selectors.call_of(obj)
        return call.wrap_up_seconds if call else None

    @staticmethod
    def resolve_transfers(obj: Any) -> int | None:
        call = selectors.call_of(obj)
        return call.transfers if call else None

    @staticmethod
    def resolve_cause(obj: Any) -> str:
        call = selectors.call_of(obj)
        return call.cause if call else ""


@router.get("/interactions/callbacks", response=list[CallbackOut], summary="List callbacks")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def callback_list(request: HttpRequest, filters: Query[CallbackFilters]) -> Any:
    """Callbacks owed after missed and abandoned calls at your branches, soonest due first."""
    return selectors.callback_list(user=current_user(request), view=filters.view, status=filters.status or "")


@router.post("/interactions/callbacks/{int:callback_id}/take", response=CallbackOut, summary="Take a callback")
@requires(LOG)
def callback_take(request: HttpRequest, callback_id: Id) -> Any:
    user = current_user(request)
    callback = selectors.callback_get(user=user, pk=callback_id)
    return services.callback_take(callback=callback, actor=user)


@router.post(
    "/interactions/callbacks/{int:callback_id}/attempts",
    response={201: CallbackOut},
    summary="Log an attempt to call back",
)
@requires(LOG)
@idempotent
def callback_attempt(request: HttpRequest, callback_id: Id, payload: AttemptIn) -> Any:
    """Counts one attempt. Send `Idempotency-Key` so a retry is not counted twice."""
    user = current_user(request)
    callback = selectors.callback_get(user=user, pk=callback_id)
    return Status(
        201, services.callback_attempt(callback=callback, actor=user, outcome=payload.outcome, note=payload.note)
    )


@router.post("/interactions/callbacks/{int:callback_id}/close", response=CallbackOut, summary="Close a callback")
@requires(LOG)
def callback_close(request: HttpRequest, callback_id: Id, payload: CloseIn) -> Any:
    user = current_user(request)
    callback = selectors.callback_get(user=user, pk=callback_id)
    return services.callback_close(callback=callback, actor=user, status=payload.status, note=payload.note)


def _state_out(row: Any) -> dict[str, Any]:
    if row is None:
        return {"state": AgentState.OFFLINE, "started_at": None, "by_pbx": False}
    return {"state": row.state, "started_at": row.started_at, "by_pbx": row.by_pbx}


@router.get("/interactions/agent-state", response=AgentStateOut, summary="Get my phone state")
@requires(VIEW)
def agent_state_get(request: HttpRequest) -> Any:
    return _state_out(selectors.agent_state(user=current_user(request)))


@router.post("/interactions/agent-state", response=AgentStateOut, summary="Set my phone state")
@requires(LOG)
def agent_state_set(request: HttpRequest, payload: AgentStateIn) -> Any:
    """Available, break or offline by hand; the phone system sets on_call and wrap_up by itself too."""
    return _state_out(services.agent_state_set(user=current_user(request), state=payload.state))


@router.get("/interactions/calls", response=list[CallOut], summary="List calls")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def call_list(request: HttpRequest) -> Any:
    """Phone contacts at your branches, newest first, with the PBX's figures when it sent them."""
    return selectors.call_list(user=current_user(request))
