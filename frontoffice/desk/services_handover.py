"""Writes of the shift handover log: write a handover, acknowledge it, mark an open item done (or open again).

Open items carry over: a new handover lists every item of the branch that is still open
(``Handover.carried_items``) besides its own new ones, until someone marks it done.
Every function is keyword-only, atomic and audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import StaleEdit, bump_version
from frontoffice.core.models import Branch

from .handover_summaries import HandoverContext, collect_summaries
from .models import Handover, HandoverItem, Visit

MAX_ITEMS = 30


@dataclass(frozen=True)
class ItemData:
    text: str
    client: Client | None = None
    visit: Visit | None = None


def _person(user: Any) -> str:
    if user is None:
        return _("someone")
    return str(user.get_full_name() or user.get_username())


def _item_errors(branch: Branch, position: int, item: ItemData) -> list[str]:
    """What is wrong with one item, as messages naming its position (1-based)."""
    errors = []
    number = {"number": position}
    if not item.text.strip():
        errors.append(_("Item %(number)s: write what is to be done.") % number)
    if len(item.text.strip()) > 500:
        errors.append(_("Item %(number)s: keep it under 500 characters.") % number)
    if item.client is not None and (
        item.client.organisation_id != branch.organisation_id or not item.client.is_active_record
    ):
        errors.append(_("Item %(number)s: this client cannot be mentioned (merged, erased or not yours).") % number)
    if item.visit is not None and item.visit.branch_id != branch.pk:
        errors.append(_("Item %(number)s: mention only visits of this branch.") % number)
    return errors


@transaction.atomic
def handover_create(
    *, branch: Branch, actor: Any, notes: str = "", items: Sequence[ItemData] = (), request_key: str = ""
) -> Handover:
    """Write a handover for the next shift at ``branch``.

    Stores the summary providers' blocks, carries over every still-open item of the
    branch and adds ``items`` as new open items. A repeated ``request_key`` (a
    double-submitted form) returns the handover already written.
    """
    # One handover at a time per branch, so "since the previous one" and the carried items are consistent.
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    author = signed_in_user(actor)
    if request_key and author is not None:
        existing = Handover.objects.filter(written_by=author, request_key=request_key).first()
        if existing is not None:
            return existing
    notes = notes.strip()
    if len(items) > MAX_ITEMS:
        raise ValidationError(_("At most %(count)s items in one handover.") % {"count": MAX_ITEMS})
    errors = [message for position, item in enumerate(items, 1) for message in _item_errors(branch, position, item)]
    if errors:
        raise ValidationError({"items": errors})
    if not notes and not items:
        raise ValidationError(_("Write a note or at least one open item for the next shift."))
    now = timezone.now()
    previous = Handover.objects.filter(branch=branch).order_by("-written_at", "-pk").first()
    summaries = collect_summaries(
        HandoverContext(branch=branch, author=actor, since=previous.written_at if previous else None, until=now)
    )
    handover = Handover(
        organisation_id=branch.organisation_id,
        branch=branch,
        written_by=author,
        written_at=now,
        notes=notes,
        summaries=summaries,
        request_key=request_key[:64] if author is not None else "",
        updated_by=author,
    )
    handover.full_clean()
    handover.save()
    carried = list(HandoverItem.objects.filter(branch=branch, done_at__isnull=True).values_list("pk", flat=True))
    handover.carried_items.set(carried)
    HandoverItem.objects.bulk_create(
        HandoverItem(
            handover=handover,
            branch=branch,
            position=position,
            text=item.text.strip(),
            client=item.client,
            visit=item.visit,
        )
        for position, item in enumerate(items, 1)
    )
    audit(
        actor=actor,
        action="handover.create",
        target=handover,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Shift handover written"),
        data={"items": len(items), "carried": len(carried), "summaries": [block["key"] for block in summaries]},
    )
    return handover


@transaction.atomic
def handover_acknowledge(*, handover: Handover, actor: Any) -> Handover:
    """The incoming clerk confirms having read the handover. Repeating it is harmless."""
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    user = signed_in_user(actor)
    if handover.acknowledged_at is not None:
        if user is not None and handover.acknowledged_by_id == user.pk:
            return handover
        raise StaleEdit(
            _("This handover was already acknowledged by %(who)s at %(when)s.")
            % {
                "who": _person(handover.acknowledged_by),
                "when": formats.date_format(timezone.localtime(handover.acknowledged_at), "DATETIME_FORMAT"),
            },
            code="acknowledged",
        )
    if user is not None and handover.written_by_id == user.pk:
        raise ValidationError(
            _("You wrote this handover; someone from the next shift acknowledges it."), code="own_handover"
        )
    handover.acknowledged_by = user
    handover.acknowledged_at = timezone.now()
    bump_version(handover, user=actor)
    handover.save()
    audit(
        actor=actor,
        action="handover.acknowledge",
        target=handover,
        organisation=handover.organisation,
        branch=handover.branch,
        summary=_("Shift handover acknowledged"),
    )
    return handover


@transaction.atomic
def handover_item_set_done(*, item: HandoverItem, actor: Any, done: bool = True) -> HandoverItem:
    """Mark an open item done (it stops carrying over), or open it again. Repeating either is harmless."""
    item = HandoverItem.objects.select_for_update(of=("self",)).select_related("handover__organisation").get(pk=item.pk)
    if item.is_done == done:
        return item
    item.done_at = timezone.now() if done else None
    item.done_by = signed_in_user(actor) if done else None
    item.save(update_fields=["done_at", "done_by"])
    audit(
        actor=actor,
        action="handover.item_done" if done else "handover.item_reopen",
        target=item.handover,
        organisation=item.handover.organisation,
        branch=item.branch,
        summary=_("Handover item done") if done else _("Handover item opened again"),
        data={"item": item.pk},
    )
    return item
