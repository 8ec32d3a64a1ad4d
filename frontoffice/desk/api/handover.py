"""Shift handovers through the API: list, read, write (idempotent), acknowledge; open items done or open again."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, requires

from .. import selectors, selectors_handover, services_handover
from ..permissions import DeskPermission
from .refs import client_ref, ref

router = Router(tags=["Desk"])

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username()) if user is not None else ""


class SummaryOut(Schema):
    key: str
    title: str
    text: str
    tone: str = Field(description='"" or "warn".')
    lines: list[list[str]] = Field(description="[label, value] pairs.")


class HandoverItemOut(Schema):
    id: int
    handover_id: int = Field(description="The handover the item was first written in.")
    text: str
    client_id: int | None = Field(description="The client mentioned; null when none or when you may not see them.")
    client_name: str
    visit_id: int | None = Field(description="The visit mentioned; null when none or when you may not see it.")
    visit_number: str
    mention_hidden: bool = Field(description="True when the item mentions a record you may not see.")
    done: bool
    done_at: datetime | None
    done_by_id: int | None

    @staticmethod
    def resolve_client_id(obj: Any) -> int | None:
        return obj.shown_client.pk if obj.shown_client else None

    @staticmethod
    def resolve_client_name(obj: Any) -> str:
        return obj.shown_client.display_name if obj.shown_client else ""

    @staticmethod
    def resolve_visit_id(obj: Any) -> int | None:
        return obj.shown_visit.pk if obj.shown_visit else None

    @staticmethod
    def resolve_visit_number(obj: Any) -> str:
        return obj.shown_visit.number if obj.shown_visit else ""

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return bool(obj.is_done)


class HandoverListItem(Schema):
    id: int
    branch_id: int
    written_at: datetime
    written_by_id: int | None
    written_by_name: str
    notes: str
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    version: int

    @staticmethod
    def resolve_written_by_name(obj: Any) -> str:
        return _name(obj.written_by)


class HandoverOut(HandoverListItem):
    summaries: list[SummaryOut] = Field(description="Blocks from the summary providers (e.g. the cash drawer).")
    items: list[HandoverItemOut] = Field(description="Open items written in this handover.")
    carried_items: list[HandoverItemOut] = Field(description="Items of earlier handovers still open when written.")

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())

    @staticmethod
    def resolve_carried_items(obj: Any) -> list[Any]:
        return list(obj.carried_items.all())


class HandoverFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    unacknowledged: bool = Field(False, description="Only handovers nobody has acknowledged yet.")


class HandoverItemIn(InSchema):
    text: str = Field(max_length=500)
    client_id: int | None = Field(None, ge=1, description="A client of your organisation to mention.")
    visit_id: int | None = Field(None, ge=1, description="A visit of the handover's branch to mention.")


class HandoverCreateIn(InSchema):
    branch_id: int = Field(ge=1, description="A branch you work at.")
    notes: str = Field("", max_length=5000)
    items: list[HandoverItemIn] = Field(default_factory=list, max_length=services_handover.MAX_ITEMS)


class ItemDoneIn(InSchema):
    done: bool = Field(True, description="false opens the item again.")


@router.get("/desk/handovers", response=list[HandoverListItem], summary="List shift handovers")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def handover_list(request: HttpRequest, filters: Query[HandoverFilters]) -> Any:
    """Handovers at your branches, latest first."""
    handovers = selectors_handover.handover_list(user=current_user(request), unacknowledged=filters.unacknowledged)
    return handovers.filter(branch_id=filters.branch_id) if filters.branch_id else handovers


@router.post("/desk/handovers", response={201: HandoverOut}, summary="Write a shift handover")
@requires(EDIT)
@idempotent
def handover_create(request: HttpRequest, payload: HandoverCreateIn) -> Any:
    """Notes and new open items for the next shift; still-open items of the branch are carried over and the
    summary providers' blocks stored. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, payload.branch_id, user)
    items = []
    for index, item in enumerate(payload.items):
        client = client_ref(f"items.{index}.client_id", item.client_id, user)
        visit = ref(f"items.{index}.visit_id", selectors.visit_get, item.visit_id, user)
        items.append(services_handover.ItemData(text=item.text, client=client, visit=visit))
    handover = services_handover.handover_create(branch=branch, actor=user, notes=payload.notes, items=items)
    return Status(201, selectors_handover.handover_get(user=user, pk=handover.pk))


@router.get("/desk/handovers/{int:handover_id}", response=HandoverOut, summary="Get a shift handover")
@requires(VIEW)
def handover_get(request: HttpRequest, handover_id: Id) -> Any:
    return selectors_handover.handover_get(user=current_user(request), pk=handover_id)


@router.post(
    "/desk/handovers/{int:handover_id}/acknowledge", response=HandoverOut, summary="Acknowledge a shift handover"
)
@requires(EDIT)
def handover_acknowledge(request: HttpRequest, handover_id: Id) -> Any:
    """Records who read it and when. Repeating it is harmless; 409 when someone else acknowledged it first;
    422 for the handover's own author."""
    user = current_user(request)
    handover = selectors_handover.handover_get(user=user, pk=handover_id)
    services_handover.handover_acknowledge(handover=handover, actor=user)
    return selectors_handover.handover_get(user=user, pk=handover_id)


@router.post("/desk/handover-items/{int:item_id}/done", response=HandoverItemOut, summary="Mark an open item done")
@requires(EDIT)
def handover_item_done(request: HttpRequest, item_id: Id, payload: ItemDoneIn) -> Any:
    """A done item is no longer carried over to later handovers; `done: false` opens it again."""
    user = current_user(request)
    item = selectors_handover.item_get(user=user, pk=item_id)
    item = services_handover.handover_item_set_done(item=item, actor=user, done=payload.done)
    selectors_handover.resolve_mentions(user=user, items=[item])
    return item
