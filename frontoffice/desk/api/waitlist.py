"""The waitlist through the API: entries (list, add, remove), an entry's offers, and the backfill figures."""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, requires

from .. import selectors, selectors_calendar, selectors_waitlist, services_waitlist, slots
from ..models.waitlist import WaitlistChannel, WaitlistPriority, WaitlistStatus
from ..permissions import CalendarPermission
from .refs import client_ref, ref

router = Router(tags=["Desk"])

VIEW = CalendarPermission.VIEW_CALENDAR.perm
BOOK = CalendarPermission.BOOK_APPOINTMENTS.perm
MANAGE = CalendarPermission.MANAGE_RESOURCES.perm


class EntryOut(Schema):
    id: int
    branch_id: int
    client_id: int
    visit_type_id: int
    resource_id: int | None = Field(description="Null: anyone who does the visit type.")
    date_from: date
    date_to: date
    priority: int = Field(description="0 normal, 1 high, 2 urgent; higher is offered first.")
    channel: str = Field(description="sms or email: how slots are offered.")
    current_appointment_id: int | None = Field(description="The later appointment to cancel when one is accepted.")
    note: str
    status: str = Field(description="waiting, offered, booked, removed or expired (the window passed).")
    removed_reason: str
    skip_reason: str = Field(description="Why the client was last passed over (contact or consent).")
    created_at: datetime
    version: int


class EntryFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    visit_type_id: int | None = Field(None, ge=1)
    resource_id: int | None = Field(None, ge=1)
    status: WaitlistStatus | None = Field(None, description="Default: waiting or offered.")


class EntryCreateIn(InSchema):
    branch_id: int = Field(ge=1)
    client_id: int = Field(ge=1)
    visit_type_id: int = Field(ge=1)
    resource_id: int | None = Field(None, ge=1)
    date_from: date
    date_to: date
    priority: WaitlistPriority = WaitlistPriority.NORMAL
    channel: WaitlistChannel | None = Field(None, description="Default: the client's preferred channel.")
    current_appointment_id: int | None = Field(None, ge=1)
    note: str = Field("", max_length=300)


class RemoveIn(InSchema):
    reason: str = Field(min_length=1, max_length=300)


class OfferOut(Schema):
    id: int
    resource_id: int
    starts_at: datetime
    ends_at: datetime
    sent_at: datetime
    expires_at: datetime
    status: str = Field(description="pending, accepted, declined, expired or withdrawn (the time was taken).")
    responded_at: datetime | None
    appointment_id: int | None
    message_id: int | None


class FiguresFilters(InSchema):
    branch_id: int = Field(ge=1)
    date_from: date | None = Field(None, description="Default: 29 days before `date_to`.")
    date_to: date | None = Field(None, description="Default: today at the branch.")


class FiguresOut(Schema):
    date_from: date
    date_to: date
    freed: int = Field(description="Slots freed (cancelled, no-show, moved away) in the period.")
    offered: int = Field(description="Offers sent for them.")
    backfilled: int = Field(description="Freed slots booked by a waitlisted client.")
    declined: int
    expired: int
    withdrawn: int
    backfill_rate: float | None = Field(description="backfilled / freed, 0–1; null when nothing was freed.")


@router.get("/desk/waitlist", response=list[EntryOut], summary="List waitlist entries")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def waitlist_list(request: HttpRequest, filters: Query[EntryFilters]) -> Any:
    """Entries at your branches in the order slots are offered (priority, then time on the list)."""
    user = current_user(request)
    rows = selectors_waitlist.entry_list(
        user=user,
        filters=selectors_waitlist.EntryFilters(
            visit_type_id=filters.visit_type_id, resource_id=filters.resource_id, status=filters.status or ""
        ),
    )
    return rows.filter(branch_id=filters.branch_id) if filters.branch_id else rows


@router.post("/desk/waitlist", response={201: EntryOut}, summary="Add a client to the waitlist")
@requires(BOOK)
@idempotent
def waitlist_create(request: HttpRequest, payload: EntryCreateIn) -> Any:
    """Puts a client on a branch's waitlist. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, payload.branch_id, user)
    client = client_ref("client_id", payload.client_id, user)
    entry = services_waitlist.entry_create(
        branch=branch,
        actor=user,
        client=client,
        visit_type=ref("visit_type_id", selectors.visit_type_get, payload.visit_type_id, user),
        resource=ref("resource_id", selectors_calendar.resource_get, payload.resource_id, user),
        date_from=payload.date_from,
        date_to=payload.date_to,
        priority=payload.priority,
        channel=payload.channel or "",
        current_appointment=ref(
            "current_appointment_id", selectors_calendar.appointment_get, payload.current_appointment_id, user
        ),
        note=payload.note,
    )
    return Status(201, entry)


@router.get("/desk/waitlist/figures", response=FiguresOut, summary="Waitlist backfill figures")
@requires(MANAGE)
def waitlist_figures(request: HttpRequest, filters: Query[FiguresFilters]) -> Any:
    """Slots freed at a branch in a period (its local days) and what became of them."""
    user = current_user(request)
    branch = ref("branch_id", core_selectors.branch_get, filters.branch_id, user)
    date_to = filters.date_to or timezone.localdate(timezone.now(), slots.zone_of(branch))
    date_from = filters.date_from or date_to - timedelta(days=29)
    if date_to < date_from:
        raise ValidationError({"date_to": _("The last day must not be before the first day.")})
    return selectors_waitlist.figures(user=user, branch=branch, date_from=date_from, date_to=date_to)


@router.get("/desk/waitlist/{int:entry_id}", response=EntryOut, summary="Get a waitlist entry")
@requires(VIEW)
def waitlist_get(request: HttpRequest, entry_id: Id) -> Any:
    return selectors_waitlist.entry_get(user=current_user(request), pk=entry_id)


@router.post("/desk/waitlist/{int:entry_id}/remove", response=EntryOut, summary="Take a client off the waitlist")
@requires(BOOK)
def waitlist_remove(request: HttpRequest, entry_id: Id, payload: RemoveIn) -> Any:
    """With a reason; a pending offer is withdrawn and the slot offered to the next client."""
    user = current_user(request)
    entry = selectors_waitlist.entry_get(user=user, pk=entry_id)
    services_waitlist.entry_remove(entry=entry, actor=user, reason=payload.reason)
    return selectors_waitlist.entry_get(user=user, pk=entry_id)


@router.get("/desk/waitlist/{int:entry_id}/offers", response=list[OfferOut], summary="List an entry's offers")
@requires(VIEW)
def waitlist_offers(request: HttpRequest, entry_id: Id) -> Any:
    entry = selectors_waitlist.entry_get(user=current_user(request), pk=entry_id)
    return list(selectors_waitlist.entry_offers(entry=entry))
