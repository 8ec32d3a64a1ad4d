"""Every write of the supplies app: catalogue, stock movements, requests and their approval.

On-hand stock is the sum of a level's movements. ``_book`` is the only place that writes a movement; it
runs with the ``StockLevel`` row locked (``select_for_update``) and updates the cached ``on_hand`` in the
same transaction, so two people taking the last box at once are served one after the other and the second
is refused (unless the organisation allows stock below zero).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import check_version
from frontoffice.core.models import Branch, Department, Organisation
from frontoffice.core.numbering import next_number
from frontoffice.core.validation import full_clean_held

from . import alerts
from .choices import INCOMING, NEEDS_REASON, OUTGOING, MovementKind, RequestStatus
from .models import (
    ApprovalStep,
    Item,
    PurchaseRequest,
    PurchaseRequestLine,
    StockLevel,
    StockMovement,
    StorageLocation,
    Supplier,
    SuppliesSettings,
    VisitConsumption,
)

# The ladder an organisation starts with until it sets its own (the example).
DEFAULT_LADDER: tuple[tuple[Decimal | None, str], ...] = (
    (Decimal(500), "clerk"),
    (Decimal(5000), "manager"),
    (None, "executive"),
)


# --- settings and catalogue ----------------------------------------------------------------------------


def settings_of(organisation: Organisation) -> SuppliesSettings:
    found = SuppliesSettings.objects.filter(organisation=organisation).first()
    return found or SuppliesSettings(organisation=organisation)


@transaction.atomic
def settings_update(*, organisation: Organisation, actor: Any, allow_negative_stock: bool) -> SuppliesSettings:
    current, _created = SuppliesSettings.objects.get_or_create(organisation=organisation)
    current.allow_negative_stock = allow_negative_stock
    current.save()
    audit(
        actor=actor,
        action="supplies.settings_update",
        target=current,
        organisation=organisation,
        summary=str(_("Supplies settings changed")),
        data={"allow_negative_stock": allow_negative_stock},
    )
    return current


@dataclass(frozen=True)
class SupplierData:
    name: str
    order_email: str
    nip: str = ""
    contact_person: str = ""
    phone: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    is_active: bool = True


@transaction.atomic
def supplier_save(
    *,
    organisation: Organisation,
    actor: Any,
    data: SupplierData,
    supplier: Supplier | None = None,
    expected_version: int | None = None,
) -> Supplier:
    """Create a supplier, or update ``supplier`` with ``data``. The NIP is kept as digits only.
    With ``expected_version``, an update of a supplier changed since is refused ("changed by X at T")."""
    if supplier is not None:
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        check_version(supplier, expected_version)
    supplier = supplier or Supplier(organisation=organisation)
    for field, value in data.__dict__.items():
        setattr(supplier, field, value)
    supplier.nip = "".join(ch for ch in data.nip if ch.isdigit()) if data.nip.strip() else ""
    if data.nip.strip() and len(supplier.nip) != 10:
        supplier.nip = data.nip.strip()  # let the validator say what is wrong with what was typed
    supplier.updated_by = signed_in_user(actor)
    if supplier.pk:
        supplier.version += 1
    full_clean_held(supplier)
    supplier.validate_constraints()  # the unique name involves the held organisation, which full_clean_held skips
    supplier.save()
    audit(
        actor=actor,
        action="supplies.supplier_save",
        target=supplier,
        organisation=organisation,
        summary=supplier.name,
    )
    return supplier


@dataclass(frozen=True)
class ItemData:
    name: str
    category: str
    unit: str
    whole_units_only: bool = True
    pack_size: Decimal = Decimal(1)
    preferred_supplier: Supplier | None = None
    last_price: Decimal | None = None
    currency: str = "PLN"
    vat_rate: Decimal = Decimal(23)
    is_critical: bool = False
    code: str = ""
    is_active: bool = True


@transaction.atomic
def item_save(
    *,
    organisation: Organisation,
    actor: Any,
    data: ItemData,
    item: Item | None = None,
    expected_version: int | None = None,
) -> Item:
    """Create an item, or update ``item`` with ``data``; with ``expected_version`` a stale update is refused."""
    if data.preferred_supplier is not None and data.preferred_supplier.organisation_id != organisation.pk:
        raise ValidationError({"preferred_supplier": _("Choose a supplier of your organisation.")})
    if item is not None:
        item = Item.objects.select_for_update().get(pk=item.pk)
        check_version(item, expected_version)
    item = item or Item(organisation=organisation)
    for field, value in data.__dict__.items():
        setattr(item, field, value)
    item.updated_by = signed_in_user(actor)
    if item.pk:
        item.version += 1
    full_clean_held(item)
    item.validate_constraints()  # the unique name involves the held organisation, which full_clean_held skips
    item.save()
    audit(actor=actor, action="supplies.item_save", target=item, organisation=organisation, summary=item.name)
    return item


@transaction.atomic
def location_save(
    *,
    branch: Branch,
    actor: Any,
    name: str,
    department: Department | None = None,
    owner: Any = None,
    location: StorageLocation | None = None,
) -> StorageLocation:
    if department is not None and department.branch_id != branch.pk:
        raise ValidationError({"department": _("Choose a department of this branch.")})
    location = location or StorageLocation(branch=branch)
    location.name, location.department, location.owner = name, department, owner
    location.updated_by = signed_in_user(actor)
    full_clean_held(location)
    location.save()
    audit(
        actor=actor,
        action="supplies.location_save",
        target=location,
        organisation=branch.organisation,
        branch=branch,
        summary=location.name,
    )
    return location


def _level(*, location: StorageLocation, item: Item, lock: bool = True) -> StockLevel:
    """The level of ``item`` at ``location`` (created at zero the first time), locked for this transaction."""
    if item.organisation_id != location.branch.organisation_id:
        raise ValidationError({"item": _("Choose an item of your organisation's catalogue.")})
    level, _created = StockLevel.objects.get_or_create(location=location, item=item)
    if lock:
        level = StockLevel.objects.select_for_update().get(pk=level.pk)
    level.location, level.item = location, item
    return level


@transaction.atomic
def level_set(
    *, location: StorageLocation, item: Item, actor: Any, reorder_point: Decimal, target_level: Decimal
) -> StockLevel:
    """Set when ``item`` should be reordered at ``location`` and up to how much."""
    if target_level < reorder_point:
        raise ValidationError({"target_level": _("The target level cannot be below the reorder point.")})
    level = _level(location=location, item=item)
    level.reorder_point, level.target_level = reorder_point, target_level
    full_clean_held(level)
    level.save(update_fields=["reorder_point", "target_level"])
    audit(
        actor=actor,
        action="supplies.level_set",
        target=level,
        organisation=location.branch.organisation,
        branch=location.branch,
        summary=str(level),
        data={"reorder_point": str(reorder_point), "target_level": str(target_level)},
    )
    return level


# --- stock movements -----------------------------------------------------------------------------------


def check_quantity(item: Item, quantity: Decimal | None, *, field: str = "quantity") -> Decimal:
    """``quantity`` if it is above zero and whole where the item's unit forbids fractions; else a clear error."""
    if quantity is None:
        raise ValidationError({field: _("Enter a quantity.")}, code="required")
    if quantity <= 0:
        raise ValidationError({field: _("Enter a quantity above zero.")}, code="not_positive")
    if item.whole_units_only and quantity != quantity.to_integral_value():
        raise ValidationError(
            {field: _("%(item)s is counted in whole units: enter a whole number.") % {"item": item.name}},
            code="fraction",
        )
    return quantity


def _show(quantity: Decimal) -> str:
    normal = quantity.normalize()
    return f"{normal:f}"


def _book(
    *,
    level: StockLevel,
    kind: str,
    quantity: Decimal,
    actor: Any,
    reason: str = "",
    unit_price: Decimal | None = None,
    department: Department | None = None,
    visit_id: int | None = None,
    receipt_line: Any = None,
    stocktake: Any = None,
    allow_negative: bool | None = None,
) -> StockMovement:
    """Write one movement on a locked level and move the cached on-hand stock with it."""
    if (kind in OUTGOING and quantity >= 0) or (kind in INCOMING and quantity <= 0):
        raise ValueError(f"{kind} movements go the other way")
    if kind in NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": _("Say why: a reason is required for adjustments and write-offs.")})
    location, item = level.location, level.item
    after = level.on_hand + quantity
    if quantity < 0 and after < 0:
        if allow_negative is None:
            allow_negative = settings_of(location.branch.organisation).allow_negative_stock
        if not allow_negative:
            raise ValidationError(
                {
                    "quantity": _(
                        "Only %(on_hand)s %(unit)s of %(item)s are on hand at %(location)s; you cannot take %(wanted)s."
                    )
                    % {
                        "on_hand": _show(level.on_hand),
                        "unit": item.get_unit_display(),
                        "item": item.name,
                        "location": location.name,
                        "wanted": _show(-quantity),
                    }
                },
                code="not_enough",
            )
    movement = StockMovement(
        level=level,
        location=location,
        item=item,
        branch=location.branch,
        department=department if department is not None else location.department,
        kind=kind,
        quantity=quantity,
        unit_price=unit_price,
        reason=reason.strip(),
        actor=signed_in_user(actor),
        visit_id=visit_id,
        receipt_line=receipt_line,
        stocktake=stocktake,
    )
    full_clean_held(movement, exclude=["department", "receipt_line", "stocktake"])
    movement.save()
    level.on_hand = after
    if not level.is_low and level.alerted_at is not None:
        level.alerted_at = None  # restocked: the next drop alerts again
    level.save(update_fields=["on_hand", "alerted_at"])
    if level.is_low and level.alerted_at is None and item.is_critical:
        alerts.critical_low(level=level)
    return movement


@transaction.atomic
def stock_consume(
    *,
    location: StorageLocation,
    item: Item,
    quantity: Decimal,
    actor: Any,
    department: Department | None = None,
    visit_id: int | None = None,
) -> StockMovement:
    """Take ``quantity`` of ``item`` from ``location`` (the "take from stock" page, a finished visit)."""
    check_quantity(item, quantity)
    level = _level(location=location, item=item)
    return _book(
        level=level,
        kind=MovementKind.CONSUMED,
        quantity=-quantity,
        actor=actor,
        department=department,
        visit_id=visit_id,
    )


@transaction.atomic
def stock_receive(
    *,
    location: StorageLocation,
    item: Item,
    quantity: Decimal,
    actor: Any,
    unit_price: Decimal | None = None,
    receipt_line: Any = None,
) -> StockMovement:
    check_quantity(item, quantity)
    level = _level(location=location, item=item)
    return _book(
        level=level,
        kind=MovementKind.RECEIVED,
        quantity=quantity,
        actor=actor,
        unit_price=unit_price,
        receipt_line=receipt_line,
    )


@transaction.atomic
def stock_adjust(
    *,
    location: StorageLocation,
    item: Item,
    change: Decimal,
    reason: str,
    actor: Any,
    stocktake: Any = None,
) -> StockMovement:
    """Correct the books by ``change`` (either sign); the reason is mandatory and kept with who and when."""
    if change == 0:
        raise ValidationError({"quantity": _("An adjustment must change the stock.")})
    check_quantity(item, abs(change))
    level = _level(location=location, item=item)
    movement = _book(
        level=level,
        kind=MovementKind.ADJUSTED,
        quantity=change,
        actor=actor,
        reason=reason,
        stocktake=stocktake,
        allow_negative=True if stocktake is not None else None,
    )
    audit(
        actor=actor,
        action="supplies.stock_adjust",
        target=movement,
        organisation=location.branch.organisation,
        branch=location.branch,
        summary=f"{item.name} {_show(change)}: {reason.strip()}",
    )
    return movement


@transaction.atomic
def stock_write_off(
    *, location: StorageLocation, item: Item, quantity: Decimal, reason: str, actor: Any
) -> StockMovement:
    """Take spoilt, expired or lost stock off the books, with the reason."""
    check_quantity(item, quantity)
    level = _level(location=location, item=item)
    movement = _book(level=level, kind=MovementKind.WRITTEN_OFF, quantity=-quantity, actor=actor, reason=reason)
    audit(
        actor=actor,
        action="supplies.stock_write_off",
        target=movement,
        organisation=location.branch.organisation,
        branch=location.branch,
        summary=f"{item.name} {_show(quantity)}: {reason.strip()}",
    )
    return movement


@transaction.atomic
def stock_transfer(
    *, source: StorageLocation, target: StorageLocation, item: Item, quantity: Decimal, actor: Any
) -> tuple[StockMovement, StockMovement]:
    """Move stock between two locations of one organisation: two movements, one transaction."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another location to move the stock to.")})
    if source.branch.organisation_id != target.branch.organisation_id:
        raise ValidationError({"target": _("Choose a location of your organisation.")})
    check_quantity(item, quantity)
    # Lock both levels in one order (by location) so two opposite transfers cannot deadlock.
    first, second = sorted((source, target), key=lambda place: place.pk)
    levels = {place.pk: _level(location=place, item=item) for place in (first, second)}
    out = _book(level=levels[source.pk], kind=MovementKind.TRANSFERRED_OUT, quantity=-quantity, actor=actor)
    into = _book(level=levels[target.pk], kind=MovementKind.TRANSFERRED_IN, quantity=quantity, actor=actor)
    return out, into


# --- automatic consumption per visit type ------------------------------------------------------------


@transaction.atomic
def visit_rule_save(
    *, location: StorageLocation, visit_type_id: int, item: Item, quantity: Decimal, actor: Any
) -> VisitConsumption:
    check_quantity(item, quantity)
    if item.organisation_id != location.branch.organisation_id:
        raise ValidationError({"item": _("Choose an item of your organisation's catalogue.")})
    rule, _created = VisitConsumption.objects.update_or_create(
        location=location, visit_type_id=visit_type_id, item=item, defaults={"quantity": quantity}
    )
    audit(
        actor=actor,
        action="supplies.visit_rule_save",
        target=rule,
        organisation=location.branch.organisation,
        branch=location.branch,
        summary=f"{item.name} × {_show(quantity)}",
    )
    return rule


def visit_finished(*, visit_id: int, visit_type_id: int, branch_id: int, actor: Any) -> list[StockMovement]:
    """Book what a finished visit used, by the rules of its visit type at the visit's branch.

    Runs inside the desk's transition; a shortage never blocks the desk (the visit is over whatever
    the books say), so each rule takes what is there and books the rest below zero only where allowed."""
    rules = VisitConsumption.objects.filter(
        visit_type_id=visit_type_id, location__branch_id=branch_id, location__is_active=True
    ).select_related("location__branch__organisation", "location__department", "item")
    booked = []
    for rule in rules:
        level = _level(location=rule.location, item=rule.item)
        allowed = settings_of(rule.location.branch.organisation).allow_negative_stock
        quantity = rule.quantity if allowed else min(rule.quantity, max(level.on_hand, Decimal(0)))
        if quantity <= 0:
            continue
        booked.append(
            _book(
                level=level,
                kind=MovementKind.CONSUMED,
                quantity=-quantity,
                actor=actor,
                visit_id=visit_id,
                allow_negative=allowed,
            )
        )
    return booked


# --- approval ladder -------------------------------------------------------------------------------------


def ladder_of(organisation: Organisation) -> list[tuple[Decimal | None, str]]:
    steps = [(step.up_to, step.role) for step in ApprovalStep.objects.filter(organisation=organisation)]
    return steps or list(DEFAULT_LADDER)


@transaction.atomic
def ladder_set(
    *, organisation: Organisation, actor: Any, steps: Sequence[tuple[Decimal | None, str]]
) -> list[ApprovalStep]:
    """Replace the organisation's ladder. Amounts rise step by step; the last step has no limit."""
    from frontoffice.accounts.choices import Role

    if not steps:
        raise ValidationError(_("The ladder needs at least one step."))
    limits = [up_to for up_to, _role in steps]
    if limits[-1] is not None or any(limit is None for limit in limits[:-1]):
        raise ValidationError(_("Only the last step may have no limit, and it must have none."))
    bounded = [limit for limit in limits[:-1] if limit is not None]
    if any(low >= high for low, high in itertools.pairwise(bounded)) or any(v <= 0 for v in bounded):
        raise ValidationError(_("Each step's amount must be above zero and above the step before it."))
    if any(role not in Role.values for _limit, role in steps):
        raise ValidationError(_("Choose a role for every step."))
    ApprovalStep.objects.filter(organisation=organisation).delete()
    created = [ApprovalStep.objects.create(organisation=organisation, up_to=up_to, role=role) for up_to, role in steps]
    audit(
        actor=actor,
        action="supplies.ladder_set",
        target=organisation,
        organisation=organisation,
        summary=str(_("Approval ladder changed")),
        data={"steps": [[str(up_to) if up_to is not None else None, role] for up_to, role in steps]},
    )
    return created


def approver_role_for(organisation: Organisation, amount: Decimal) -> str:
    for up_to, role in ladder_of(organisation):
        if up_to is None or amount <= up_to:
            return role
    return ladder_of(organisation)[-1][1]


def roles_that_may_approve(organisation: Organisation, required_role: str) -> set[str]:
    """The required rung's role and every role higher up the ladder (a manager approves what a clerk may)."""
    roles = [role for _up_to, role in ladder_of(organisation)]
    start = roles.index(required_role) if required_role in roles else len(roles) - 1
    return set(roles[start:])


def _staff_roles(user: Any) -> set[str]:
    staff = getattr(user, "staff", None)
    return set(staff.role_codes) if staff is not None and staff.is_active else set()


# --- purchase requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestLineData:
    item: Item
    quantity: Decimal


def suggested_quantity(level: StockLevel) -> Decimal:
    """What brings a low level back to its target, in whole units where the item needs them."""
    wanted = level.shortfall
    if level.item.whole_units_only:
        wanted = wanted.to_integral_value(rounding=ROUND_CEILING)
    return wanted


@transaction.atomic
def request_create(
    *, location: StorageLocation, actor: Any, lines: Sequence[RequestLineData], note: str = ""
) -> PurchaseRequest:
    """File a request; the ladder names who approves it, and those people are told."""
    organisation = location.branch.organisation
    errors: dict[str, list[ValidationError]] = {}
    if not lines:
        raise ValidationError(_("Add at least one item to the request."))
    for index, line in enumerate(lines):
        if line.item.organisation_id != organisation.pk:
            errors.setdefault(f"line-{index}", []).append(
                ValidationError(_("Choose an item of your organisation's catalogue."))
            )
            continue
        try:
            check_quantity(line.item, line.quantity)
        except ValidationError as error:
            errors.setdefault(f"line-{index}", []).extend(error.error_dict["quantity"])
    if errors:
        raise ValidationError(errors)
    request = PurchaseRequest(
        branch=location.branch,
        location=location,
        requested_by=actor,
        note=note.strip(),
        currency=organisation.currency,
        number=next_number(organisation=organisation, prefix="ZZ"),
    )
    built = [
        PurchaseRequestLine(
            item=line.item,
            quantity=line.quantity,
            unit_price=line.item.last_price or Decimal(0),
            supplier=line.item.preferred_supplier,
        )
        for line in lines
    ]
    request.total = sum((line.amount for line in built), Decimal(0))
    request.approver_role = approver_role_for(organisation, request.total)
    full_clean_held(request)
    request.save()
    for built_line in built:
        built_line.request = request
    PurchaseRequestLine.objects.bulk_create(built)
    audit(
        actor=actor,
        action="supplies.request_create",
        target=request,
        organisation=organisation,
        branch=location.branch,
        summary=f"{request.number}: {request.total} {request.currency}",
    )
    alerts.request_submitted(
        request=request, approver_roles=roles_that_may_approve(organisation, request.approver_role)
    )
    return request


def may_approve(*, request: PurchaseRequest, user: Any) -> bool:
    organisation = request.branch.organisation
    return bool(_staff_roles(user) & roles_that_may_approve(organisation, request.approver_role))


def _locked_request(request: PurchaseRequest) -> PurchaseRequest:
    locked = PurchaseRequest.objects.select_for_update().select_related("branch__organisation").get(pk=request.pk)
    if locked.status != RequestStatus.SUBMITTED:
        raise ValidationError(
            _("This request was already decided (%(status)s).") % {"status": locked.get_status_display()},
            code="decided",
        )
    return locked


@transaction.atomic
def request_approve(*, request: PurchaseRequest, actor: Any, comment: str = "") -> PurchaseRequest:
    request = _locked_request(request)
    if request.requested_by_id == actor.pk:
        raise ValidationError(_("You cannot approve your own request; another approver must."), code="own")
    if not may_approve(request=request, user=actor):
        raise ValidationError(
            _("This request (%(amount)s %(currency)s) needs approval by a %(role)s or higher.")
            % {"amount": request.total, "currency": request.currency, "role": role_label(request.approver_role)},
            code="ladder",
        )
    return _decide(request=request, actor=actor, status=RequestStatus.APPROVED, comment=comment)


@transaction.atomic
def request_reject(*, request: PurchaseRequest, actor: Any, comment: str) -> PurchaseRequest:
    request = _locked_request(request)
    if request.requested_by_id == actor.pk:
        raise ValidationError(_("You cannot decide your own request; withdraw it instead."), code="own")
    if not may_approve(request=request, user=actor):
        raise ValidationError(
            _("This request (%(amount)s %(currency)s) needs approval by a %(role)s or higher.")
            % {"amount": request.total, "currency": request.currency, "role": role_label(request.approver_role)},
            code="ladder",
        )
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the request is rejected.")}, code="required")
    return _decide(request=request, actor=actor, status=RequestStatus.REJECTED, comment=comment)


@transaction.atomic
def request_cancel(*, request: PurchaseRequest, actor: Any) -> PurchaseRequest:
    request = _locked_request(request)
    if request.requested_by_id != actor.pk:
        raise ValidationError(_("Only the person who asked may withdraw a request."), code="not_own")
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    audit(
        actor=actor,
        action="supplies.request_cancel",
        target=request,
        organisation=request.branch.organisation,
        branch=request.branch,
        summary=request.number,
    )
    return request


def role_label(role: str) -> str:
    from frontoffice.accounts.choices import Role

    return str(Role(role).label) if role in Role.values else role


def _decide(*, request: PurchaseRequest, actor: Any, status: str, comment: str) -> PurchaseRequest:
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit(
        actor=actor,
        action=f"supplies.request_{'approve' if status == RequestStatus.APPROVED else 'reject'}",
        target=request,
        organisation=request.branch.organisation,
        branch=request.branch,
        summary=f"{request.number}: {comment.strip()}"[:300],
    )
    alerts.request_decided(request=request)
    return request
