"""The walk-in queue through the API: services, counters, tickets and every counter action.

Live events of a branch's queue are a Server-Sent Event stream outside /api/v1/:
``GET /events/desk/queue/{branch_id}/`` with the same bearer token (see docs/desk-queue.md).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, requires

from .. import selectors_queue, services_queue
from ..models.queue import TicketStatus
from ..permissions import QueuePermission
from .refs import client_ref, ref

router = Router(tags=["Walk-in queue"])

VIEW = QueuePermission.VIEW_QUEUE.perm
SERVE = QueuePermission.SERVE_QUEUE.perm


class QueueServiceOut(Schema):
    id: int
    branch_id: int
    name: str
    prefix: str
    minutes_per_client: int
    is_active: bool


class CounterOut(Schema):
    id: int
    branch_id: int
    name: str
    service_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_service_ids(obj: Any) -> list[int]:
        return [service.pk for service in obj.services.all()]


class TicketOut(Schema):
    id: int
    branch_id: int
    service_id: int
    code: str = Field(description="Prefix and the day's number, e.g. A007.")
    day: date
    category: str
    status: str = Field(description=", ".join(TicketStatus.values))
    source: str
    client_id: int | None
    due_at: datetime | None = Field(description="The appointment's slot time, for appointment check-ins.")
    issued_at: datetime
    queued_at: datetime = Field(description="The place in line: arrival, or the slot time; kept on transfer.")
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    held_at: datetime | None
    recall_count: int
    transfer_count: int
    transferred_from_id: int | None
    counter_id: int | None
    served_by_id: int | None
    wait_seconds: float | None = Field(description="Door to counter: place in line to first call.")
    service_seconds: float | None = Field(description="Counter time: service start to finish.")


class PositionOut(Schema):
    place: int = Field(description="1: next.")
    minutes: int = Field(description="Estimated wait.")


class TicketDetailOut(TicketOut):
    position: PositionOut | None = Field(description="Place in line while waiting; null otherwise.")

    @staticmethod
    def resolve_position(obj: Any) -> Any:
        return selectors_queue.ticket_position(ticket=obj)


class ServiceFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)


class TicketFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    day: date | None = Field(None, description="The branch's local day; every day when left out.")
    status: Literal["waiting", "called", "serving", "on_hold", "done", "no_show", "cancelled"] | None = None
    service_id: int | None = Field(None, ge=1)


class TicketIssueIn(InSchema):
    service_id: int = Field(ge=1)
    category: Literal["normal", "elderly", "disabled", "pregnant", "with_child"] = "normal"
    client_id: int | None = Field(None, ge=1)
    due_at: datetime | None = Field(None, description="For appointment check-ins: queue at the slot time.")
    source: Literal["api", "appointment"] = "api"


class TransferIn(InSchema):
    service_id: int = Field(ge=1, description="A service of the ticket's branch.")


class CallIn(InSchema):
    counter_id: int = Field(ge=1)


@router.get("/desk/queue/services", response=list[QueueServiceOut], summary="List queue services")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def queue_service_list(request: HttpRequest, filters: Query[ServiceFilters]) -> Any:
    services = selectors_queue.service_list(user=current_user(request))
    return services.filter(branch_id=filters.branch_id) if filters.branch_id else services


@router.get("/desk/queue/counters", response=list[CounterOut], summary="List counters")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def counter_list(request: HttpRequest, filters: Query[ServiceFilters]) -> Any:
    counters = selectors_queue.counter_list(user=current_user(request))
    return counters.filter(branch_id=filters.branch_id) if filters.branch_id else counters


@router.get("/desk/queue/tickets", response=list[TicketOut], summary="List tickets")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def ticket_list(request: HttpRequest, filters: Query[TicketFilters]) -> Any:
    """Latest day first, then in calling order (priority, place in line)."""
    tickets = selectors_queue.ticket_list(
        user=current_user(request), day=filters.day, status=filters.status or "", service_id=filters.service_id
    )
    return tickets.filter(branch_id=filters.branch_id) if filters.branch_id else tickets


@router.post("/desk/queue/tickets", response={201: TicketDetailOut}, summary="Issue a ticket")
@requires(SERVE)
@idempotent
def ticket_issue(request: HttpRequest, payload: TicketIssueIn) -> Any:
    """The day's next number of the service. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    service = ref("service_id", selectors_queue.service_get, payload.service_id, user)
    client = client_ref("client_id", payload.client_id, user)
    ticket = services_queue.ticket_issue(
        service=service,
        actor=user,
        category=payload.category,
        client=client,
        due_at=payload.due_at,
        source=payload.source,
    )
    return Status(201, selectors_queue.ticket_get(user=user, pk=ticket.pk))


@router.get("/desk/queue/tickets/{int:ticket_id}", response=TicketDetailOut, summary="Get a ticket")
@requires(VIEW)
def ticket_get(request: HttpRequest, ticket_id: Id) -> Any:
    return selectors_queue.ticket_get(user=current_user(request), pk=ticket_id)


@router.post(
    "/desk/queue/counters/{int:counter_id}/call-next",
    response={200: TicketDetailOut, 204: None},
    summary="Call the next ticket to a counter",
)
@requires(SERVE)
def counter_call_next(request: HttpRequest, counter_id: Id) -> Any:
    """Priority categories first, then the earliest place in line; 204 when nobody waits. The ticket still at
    the counter is finished. Two counters calling at once never get the same ticket."""
    user = current_user(request)
    counter = selectors_queue.counter_get(user=user, pk=counter_id)
    ticket = services_queue.ticket_call_next(counter=counter, actor=user)
    if ticket is None:
        return Status(204, None)
    return selectors_queue.ticket_get(user=user, pk=ticket.pk)


@router.post("/desk/queue/tickets/{int:ticket_id}/call", response=TicketDetailOut, summary="Call a chosen ticket")
@requires(SERVE)
def ticket_call(request: HttpRequest, ticket_id: Id, payload: CallIn) -> Any:
    """Out of turn, e.g. back from hold."""
    user = current_user(request)
    ticket = selectors_queue.ticket_get(user=user, pk=ticket_id)
    counter = ref("counter_id", selectors_queue.counter_get, payload.counter_id, user)
    services_queue.ticket_call(ticket=ticket, counter=counter, actor=user)
    return selectors_queue.ticket_get(user=user, pk=ticket_id)


@router.post("/desk/queue/tickets/{int:ticket_id}/transfer", response=TicketDetailOut, summary="Transfer a ticket")
@requires(SERVE)
def ticket_transfer(request: HttpRequest, ticket_id: Id, payload: TransferIn) -> Any:
    """To another service's line, keeping its number and its place in time."""
    user = current_user(request)
    ticket = selectors_queue.ticket_get(user=user, pk=ticket_id)
    service = ref("service_id", selectors_queue.service_get, payload.service_id, user)
    services_queue.ticket_transfer(ticket=ticket, service=service, actor=user)
    return selectors_queue.ticket_get(user=user, pk=ticket_id)


def _action(name: str, service: Any, summary: str, description: str) -> None:
    url_name = "ticket_" + name.replace("-", "_")

    def endpoint(request: HttpRequest, ticket_id: Id) -> Any:
        user = current_user(request)
        ticket = selectors_queue.ticket_get(user=user, pk=ticket_id)
        service(ticket=ticket, actor=user)
        return selectors_queue.ticket_get(user=user, pk=ticket_id)

    endpoint.__name__ = url_name
    endpoint.__doc__ = description
    router.post(
        f"/desk/queue/tickets/{{int:ticket_id}}/{name}",
        response=TicketDetailOut,
        summary=summary,
        url_name=url_name,
    )(requires(SERVE)(endpoint))


_action("recall", services_queue.ticket_recall, "Recall a ticket", "Call a called ticket again (422 otherwise).")
_action("start", services_queue.ticket_start, "Start service", "The person reached the counter.")
_action("finish", services_queue.ticket_finish, "Finish a ticket", "The service is over.")
_action("hold", services_queue.ticket_hold, "Put a ticket on hold", "It keeps its place for resume.")
_action("resume", services_queue.ticket_resume, "Resume a ticket", "Back into the line at its place.")
_action("no-show", services_queue.ticket_no_show, "Mark a no-show", "The person did not come up.")
_action("cancel", services_queue.ticket_cancel, "Cancel a ticket", "The person left, or it was a mistake.")
