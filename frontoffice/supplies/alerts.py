"""Who is told what: approvers of a new request, the requester of a decision, a location's owner of
low stock. Messages go through core's notifications (queued in the transaction, sent by the worker)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.accounts.models import StaffMember
from frontoffice.core.notifications import email_queue
from frontoffice.core.scoping import ORGANISATION_WIDE_ROLES

from .models import PurchaseRequest, StockLevel, StorageLocation


def _link(path: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + path


def _people(*, organisation_id: int, branch_id: int, roles: Iterable[str], exclude_user_id: int | None) -> list[Any]:
    roles = set(roles)
    wide = roles & ORGANISATION_WIDE_ROLES
    staff = (
        StaffMember.objects.filter(organisation_id=organisation_id, is_active=True, user__groups__name__in=roles)
        .filter(Q(branches=branch_id) | Q(user__groups__name__in=wide))
        .exclude(user__email="")
        .select_related("user")
        .distinct()
    )
    return [member.user for member in staff if member.user_id != exclude_user_id]


def request_submitted(*, request: PurchaseRequest, approver_roles: set[str]) -> int:
    organisation = request.branch.organisation
    people = _people(
        organisation_id=organisation.pk,
        branch_id=request.branch_id,
        roles=approver_roles,
        exclude_user_id=request.requested_by_id,
    )
    with translation.override(organisation.default_language):
        subject = _("Supply request %(number)s waits for your approval") % {"number": request.number}
        body = _(
            "%(who)s asks for supplies for %(location)s, estimated at %(total)s %(currency)s.\n\nOpen it: %(link)s"
        ) % {
            "who": request.requested_by.get_full_name() or request.requested_by.get_username(),
            "location": request.location.name,
            "total": request.total,
            "currency": request.currency,
            "link": _link(reverse("supplies:request_detail", kwargs={"pk": request.pk})),
        }
    for person in people:
        email_queue(to=person.email, subject=subject, body=body, organisation=organisation)
    return len(people)


def request_decided(*, request: PurchaseRequest) -> None:
    requester = request.requested_by
    if not requester.email:
        return
    organisation = request.branch.organisation
    with translation.override(organisation.default_language):
        subject = _("Supply request %(number)s: %(status)s") % {
            "number": request.number,
            "status": request.get_status_display(),
        }
        body = _("%(status)s by %(who)s.\n\n%(comment)s\n\nOpen it: %(link)s") % {
            "status": request.get_status_display(),
            "who": request.decided_by.get_full_name() if request.decided_by else "",
            "comment": request.decision_comment,
            "link": _link(reverse("supplies:request_detail", kwargs={"pk": request.pk})),
        }
    email_queue(to=requester.email, subject=subject, body=body, organisation=organisation)


def critical_low(*, level: StockLevel) -> None:
    """A critical item fell to its reorder point: tell the location's owner at once (once per drop)."""
    location = level.location
    level.alerted_at = timezone.now()
    level.save(update_fields=["alerted_at"])
    owner = location.owner
    if owner is None or not owner.email:
        return
    organisation = location.branch.organisation
    with translation.override(organisation.default_language):
        subject = _("Running low: %(item)s at %(location)s") % {"item": level.item.name, "location": location.name}
        body = _("Only %(on_hand)s %(unit)s of %(item)s are left at %(location)s (reorder point %(point)s).") % {
            "on_hand": level.on_hand.normalize(),
            "unit": level.item.get_unit_display(),
            "item": level.item.name,
            "location": location.name,
            "point": level.reorder_point.normalize(),
        }
    email_queue(to=owner.email, subject=subject, body=body, organisation=organisation)


@transaction.atomic
def low_stock_digest(now: datetime) -> int:
    """Once a day per location: e-mail its owner the items at or below their reorder point.

    Locations are locked with ``skip_locked`` and marked in the same transaction, so two sweeping
    processes never send the same digest twice."""
    sent = 0
    locations = (
        StorageLocation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(is_active=True, owner__isnull=False)
        .exclude(owner__email="")
        .select_related("owner", "branch__organisation")
    )
    for location in locations:
        today = timezone.localdate(now, ZoneInfo(location.branch.time_zone))
        if location.digest_sent_on == today:
            continue
        low = [
            level
            for level in location.levels.filter(on_hand__lte=F("reorder_point"), target_level__gt=0).select_related(
                "item"
            )
        ]
        location.digest_sent_on = today
        location.save(update_fields=["digest_sent_on"])
        if not low:
            continue
        organisation = location.branch.organisation
        with translation.override(organisation.default_language):
            subject = _("Low stock at %(location)s") % {"location": location.name}
            rows = "\n".join(
                _("- %(item)s: %(on_hand)s %(unit)s (reorder point %(point)s, target %(target)s)")
                % {
                    "item": level.item.name,
                    "on_hand": f"{level.on_hand.normalize():f}",
                    "unit": level.item.get_unit_display(),
                    "point": f"{level.reorder_point.normalize():f}",
                    "target": f"{level.target_level.normalize():f}",
                }
                for level in low
            )
            body = _("These items are at or below their reorder point:\n\n%(rows)s\n\nRequest them: %(link)s") % {
                "rows": rows,
                "link": _link(reverse("supplies:request_create") + f"?location={location.pk}"),
            }
        email_queue(to=location.owner.email, subject=subject, body=body, organisation=organisation)
        sent += 1
    return sent
