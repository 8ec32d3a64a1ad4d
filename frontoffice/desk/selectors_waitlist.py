"""Reads of the waitlist, scoped to the user's branches: entries, their offers, and the backfill figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_queryset

from .models.waitlist import FreedSlot, OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus
from .slots import zone_of

OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


@dataclass(frozen=True)
class EntryFilters:
    visit_type_id: int | None = None
    resource_id: int | None = None
    status: str = ""  # "" = waiting or offered; "all" = every status


def entry_queryset(*, user: Any) -> QuerySet[WaitlistEntry]:
    return scope_queryset(WaitlistEntry.objects.all(), user).select_related(
        "branch", "client", "visit_type", "resource", "current_appointment"
    )


def entry_list(*, user: Any, branch: Branch | None = None, filters: EntryFilters | None = None) -> QuerySet[Any]:
    """Entries in the order slots are offered: priority, then time on the list."""
    filters = filters or EntryFilters()
    rows = entry_queryset(user=user)
    if branch is not None:
        rows = rows.filter(branch=branch)
    if filters.visit_type_id:
        rows = rows.filter(visit_type_id=filters.visit_type_id)
    if filters.resource_id:
        rows = rows.filter(Q(resource_id=filters.resource_id) | Q(resource__isnull=True))
    if filters.status == "":
        rows = rows.filter(status__in=OPEN)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    pending = Count("offers", filter=Q(offers__status=OfferStatus.PENDING))
    return rows.annotate(offer_count=Count("offers"), pending_count=pending).order_by("-priority", "created_at", "pk")


def entry_get(*, user: Any, pk: int) -> WaitlistEntry:
    try:
        return entry_queryset(user=user).select_related("branch__organisation").get(pk=pk)
    except (WaitlistEntry.DoesNotExist, ValueError):
        raise Http404 from None


def entry_offers(*, entry: WaitlistEntry) -> QuerySet[WaitlistOffer]:
    return entry.offers.select_related("resource", "appointment", "message").order_by("-sent_at", "-pk")


def offer_for_link(*, offer_id: int, client_id: int) -> WaitlistOffer | None:
    """The offer a signed link names, if it still belongs to that client (no user: the link is the key)."""
    return (
        WaitlistOffer.objects.select_related(
            "entry__client", "entry__visit_type", "resource", "branch__organisation", "appointment"
        )
        .filter(pk=offer_id, entry__client_id=client_id)
        .first()
    )


@dataclass(frozen=True)
class Figures:
    date_from: date
    date_to: date
    freed: int
    offered: int
    backfilled: int
    declined: int
    expired: int
    withdrawn: int

    @property
    def backfill_rate(self) -> float | None:
        """Backfilled slots per freed slot, 0–1 (None when nothing was freed)."""
        return round(self.backfilled / self.freed, 3) if self.freed else None

    @property
    def backfill_percent(self) -> int | None:
        rate = self.backfill_rate
        return None if rate is None else round(rate * 100)


def figures(*, user: Any, branch: Branch, date_from: date, date_to: date) -> Figures:
    """Slots freed at ``branch`` between two local days, and what became of them: two aggregate queries."""
    zone = zone_of(branch)
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    slots = scope_queryset(FreedSlot.objects.all(), user).filter(branch=branch, freed_at__gte=start, freed_at__lt=end)
    slot_counts = slots.aggregate(freed=Count("pk"), backfilled=Count("pk", filter=Q(filled=True)))
    offers = WaitlistOffer.objects.filter(slot__in=slots.values("pk")).aggregate(
        offered=Count("pk"),
        declined=Count("pk", filter=Q(status=OfferStatus.DECLINED)),
        expired=Count("pk", filter=Q(status=OfferStatus.EXPIRED)),
        withdrawn=Count("pk", filter=Q(status=OfferStatus.WITHDRAWN)),
    )
    return Figures(date_from=date_from, date_to=date_to, **slot_counts, **offers)
