"""Stocktakes: count a location, compare with the books, and approve the differences as adjustments.

The flow is open → approved (or open → cancelled). Starting snapshots what the books expect of every
stock level at the location; counting may happen in several sittings; approval books each difference
as an ``adjusted`` movement through ``services.stock_adjust`` (so ``_book`` keeps the stock invariant),
linked to the stocktake, with the approver as "who" and the stocktake's reason as "why".

Stock keeps moving while people count (a box is taken, a delivery arrives). The rule: the counted
figure is the truth at approval. Each adjustment is computed against the level's on-hand stock *at
approval*, under the level's row lock, so that after approval on-hand equals what was counted —
not against the ``expected`` snapshot, which would double-book anything that moved in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.validation import full_clean_held

from .choices import StocktakeStatus
from .models import StockLevel, Stocktake, StocktakeLine, StorageLocation
from .permissions import SuppliesPermission
from .services import _show, check_quantity, stock_adjust

# Approving books adjustments: managers and administrators (who keep the catalogue) may do it.
APPROVE_PERMISSION = SuppliesPermission.MANAGE_CATALOGUE.perm


def count_field(item_id: int) -> str:
    """The name under which a line's count (and its error) travels: form field and error key alike."""
    return f"count_{item_id}"


def may_approve(*, user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(APPROVE_PERMISSION))


def _locked(stocktake: Stocktake) -> Stocktake:
    """The stocktake, row-locked for this transaction, refused unless it is still being counted."""
    locked = (
        Stocktake.objects.select_for_update(of=("self",))
        .select_related("location__branch__organisation")
        .get(pk=stocktake.pk)
    )
    if locked.status != StocktakeStatus.OPEN:
        raise ValidationError(
            _("This stocktake is already closed (%(status)s).") % {"status": locked.get_status_display()},
            code="closed",
        )
    return locked


@transaction.atomic
def stocktake_start(*, location: StorageLocation, actor: Any) -> Stocktake:
    """Open a count of ``location``; each active item's line expects what the books say is on hand now."""
    # The location's row lock serialises two people pressing "start" at once; the partial unique
    # constraint is the last word should anything get past it.
    location = (
        StorageLocation.objects.select_for_update(of=("self",))
        .select_related("branch__organisation")
        .get(pk=location.pk)
    )
    if not location.is_active:
        raise ValidationError(_("This storage location is no longer in use."), code="inactive")
    if Stocktake.objects.filter(location=location, status=StocktakeStatus.OPEN).exists():
        raise ValidationError(
            _("A stocktake of %(location)s is already in progress: finish or cancel it first.")
            % {"location": location.name},
            code="open",
        )
    levels = list(
        StockLevel.objects.filter(location=location, item__is_active=True).select_related("item").order_by("item__name")
    )
    if not levels:
        raise ValidationError(
            _("Nothing is stocked at %(location)s yet, so there is nothing to count.") % {"location": location.name},
            code="empty",
        )
    try:
        with transaction.atomic():
            stocktake = Stocktake.objects.create(location=location, started_by=signed_in_user(actor))
    except IntegrityError:
        raise ValidationError(
            _("A stocktake of %(location)s is already in progress: finish or cancel it first.")
            % {"location": location.name},
            code="open",
        ) from None
    StocktakeLine.objects.bulk_create(
        StocktakeLine(stocktake=stocktake, item=level.item, expected=level.on_hand) for level in levels
    )
    audit(
        actor=actor,
        action="supplies.stocktake_start",
        target=stocktake,
        organisation=location.branch.organisation,
        branch=location.branch,
        summary=location.name,
        data={"lines": len(levels)},
    )
    return stocktake


def _check_count(line: StocktakeLine, value: Decimal) -> None:
    field = count_field(line.item_id)
    if value < 0:
        raise ValidationError({field: _("A count cannot be below zero.")}, code="negative")
    if value > 0:
        check_quantity(line.item, value, field=field)


@transaction.atomic
def stocktake_count(*, stocktake: Stocktake, actor: Any, counts: Mapping[int, Decimal | None]) -> list[StocktakeLine]:
    """Save counted quantities by item id; ``None`` clears a count. Lines not named keep what they had.

    Counting may be partial and spread over several sittings. Every figure is checked first (zero is a
    count; negatives and fractions of whole-unit items are not) and nothing is saved if one is wrong."""
    stocktake = _locked(stocktake)
    lines = {line.item_id: line for line in stocktake.lines.select_related("item")}
    errors: dict[str, list[ValidationError]] = {}
    for item_id, value in counts.items():
        line = lines.get(item_id)
        if line is None:
            errors.setdefault(count_field(item_id), []).append(
                ValidationError(_("This item is not part of this stocktake."), code="unknown_item")
            )
            continue
        if value is None:
            continue
        try:
            _check_count(line, value)
        except ValidationError as error:
            for key, messages in error.error_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    now, who = timezone.now(), signed_in_user(actor)
    changed = []
    for item_id, value in counts.items():
        line = lines[item_id]
        if line.counted == value:
            continue  # the same figure sent again (the whole form is posted each time) keeps who counted it
        line.counted = value
        line.counted_by, line.counted_at = (None, None) if value is None else (who, now)
        changed.append(line)
    StocktakeLine.objects.bulk_update(changed, ["counted", "counted_by", "counted_at"])
    if changed:
        audit(
            actor=actor,
            action="supplies.stocktake_count",
            target=stocktake,
            organisation=stocktake.location.branch.organisation,
            branch=stocktake.location.branch,
            summary=stocktake.location.name,
            data={
                "counts": {str(line.item_id): None if line.counted is None else str(line.counted) for line in changed}
            },
        )
    return sorted(lines.values(), key=lambda line: line.item.name)


@transaction.atomic
def stocktake_approve(*, stocktake: Stocktake, actor: Any, reason: str = "") -> Stocktake:
    """Close the count and book every difference, so that on-hand stock equals what was counted.

    Only a manager or administrator approves (``APPROVE_PERMISSION``), the counter included only when
    they hold it. Every line must be counted, and a reason is required when anything is adjusted."""
    if not may_approve(user=actor):
        raise ValidationError(_("Only a manager or administrator may approve a stocktake."), code="not_allowed")
    stocktake = _locked(stocktake)
    location = stocktake.location
    lines = list(stocktake.lines.select_related("item").order_by("item__name", "pk"))
    missing = [line.item.name for line in lines if line.counted is None]
    if missing:
        raise ValidationError(
            _("Count every item before approving; not counted yet: %(items)s.") % {"items": ", ".join(missing)},
            code="not_counted",
        )
    # Lock every level of the count at once, in one order, before any is changed (see stock_transfer).
    levels = {
        level.item_id: level
        for level in StockLevel.objects.select_for_update()
        .filter(location=location, item_id__in=[line.item_id for line in lines])
        .order_by("pk")
    }
    changes = []
    for line in lines:
        assert line.counted is not None  # checked above
        level = levels.get(line.item_id)
        now_on_hand = level.on_hand if level is not None else Decimal(0)
        if line.counted != now_on_hand:
            changes.append((line, line.counted - now_on_hand))
    reason = reason.strip()
    if changes and not reason:
        raise ValidationError(
            {"reason": _("Say why the counted stock differs from the books: a reason is required.")},
            code="required",
        )
    for line, change in changes:
        stock_adjust(location=location, item=line.item, change=change, reason=reason, actor=actor, stocktake=stocktake)
    stocktake.status = StocktakeStatus.APPROVED
    stocktake.approved_by = signed_in_user(actor)
    stocktake.approved_at = timezone.now()
    stocktake.reason = reason
    full_clean_held(stocktake)
    stocktake.save(update_fields=["status", "approved_by", "approved_at", "reason"])
    audit(
        actor=actor,
        action="supplies.stocktake_approve",
        target=stocktake,
        organisation=location.branch.organisation,
        branch=location.branch,
        summary=f"{location.name}: {reason}" if reason else location.name,
        data={"adjustments": {line.item.name: _show(change) for line, change in changes}},
    )
    return stocktake


@transaction.atomic
def stocktake_cancel(*, stocktake: Stocktake, actor: Any) -> Stocktake:
    """Drop a count without touching stock: the person who started it, or a manager or administrator."""
    stocktake = _locked(stocktake)
    if stocktake.started_by_id != getattr(actor, "pk", None) and not may_approve(user=actor):
        raise ValidationError(
            _("Only the person who started this stocktake, or a manager, may cancel it."), code="not_allowed"
        )
    stocktake.status = StocktakeStatus.CANCELLED
    stocktake.save(update_fields=["status"])
    audit(
        actor=actor,
        action="supplies.stocktake_cancel",
        target=stocktake,
        organisation=stocktake.location.branch.organisation,
        branch=stocktake.location.branch,
        summary=stocktake.location.name,
    )
    return stocktake
