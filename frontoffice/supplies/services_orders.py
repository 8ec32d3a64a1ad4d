"""Orders and deliveries: approved request lines grouped per supplier into orders, an order sent as a
PDF by e-mail, and deliveries (partial ones too) that put the goods into stock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit
from frontoffice.core.models import Branch
from frontoffice.core.notifications import email_queue
from frontoffice.core.numbering import next_number
from frontoffice.core.pdf import PDF_CONTENT_TYPE, render_pdf

from .choices import RECEIVABLE, OrderStatus, RequestStatus
from .models import PurchaseOrder, PurchaseOrderLine, PurchaseRequest, PurchaseRequestLine, Receipt, ReceiptLine
from .services import check_quantity, stock_receive


@transaction.atomic
def orders_from_approved(*, branch: Branch, actor: Any) -> list[PurchaseOrder]:
    """One draft order per (location, supplier) from the branch's approved, not yet ordered request lines.

    Lines whose item has no supplier stay on their request until one is chosen."""
    organisation = branch.organisation
    requests = list(PurchaseRequest.objects.select_for_update().filter(branch=branch, status=RequestStatus.APPROVED))
    lines = (
        PurchaseRequestLine.objects.filter(request__in=requests, order_line__isnull=True, supplier__isnull=False)
        .select_related("request__location", "supplier", "item")
        .order_by("supplier__name", "request_id", "pk")
    )
    orders: dict[tuple[int, int], PurchaseOrder] = {}
    for line in lines:
        assert line.supplier is not None  # filtered above
        key = (line.request.location_id, line.supplier.pk)
        order = orders.get(key)
        if order is None:
            order = PurchaseOrder.objects.create(
                branch=branch,
                location=line.request.location,
                supplier=line.supplier,
                number=next_number(organisation=organisation, prefix="ZAM"),
                currency=line.request.currency,
                created_by=actor,
            )
            orders[key] = order
        PurchaseOrderLine.objects.create(
            order=order, item=line.item, quantity=line.quantity, unit_price=line.unit_price, request_line=line
        )
    for request in requests:
        if not request.lines.filter(order_line__isnull=True).exists():
            request.status = RequestStatus.ORDERED
            request.save(update_fields=["status"])
    for order in orders.values():
        audit(
            actor=actor,
            action="supplies.order_create",
            target=order,
            organisation=organisation,
            branch=branch,
            summary=f"{order.number}: {order.supplier.name}",
        )
    return list(orders.values())


def order_total(order: PurchaseOrder) -> Decimal:
    return sum((line.amount for line in order.lines.all()), Decimal(0))


def order_pdf(order: PurchaseOrder) -> bytes:
    organisation = order.branch.organisation
    with translation.override(organisation.default_language):
        return render_pdf(
            "supplies/order_pdf.html",
            {
                "order": order,
                "organisation": organisation,
                "lines": list(order.lines.select_related("item")),
                "total": order_total(order),
            },
        )


@transaction.atomic
def order_send(*, order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    """E-mail the order to the supplier's order address, with the order as a PDF attachment."""
    order = (
        PurchaseOrder.objects.select_for_update().select_related("supplier", "branch__organisation").get(pk=order.pk)
    )
    if order.status != OrderStatus.DRAFT:
        raise ValidationError(_("Only a draft order can be sent."), code="not_draft")
    if not order.lines.exists():
        raise ValidationError(_("The order has no lines."), code="empty")
    organisation = order.branch.organisation
    pdf = order_pdf(order)
    with translation.override(organisation.default_language):
        subject = _("Order %(number)s from %(organisation)s") % {"number": order.number, "organisation": organisation}
        body = _(
            "Good day,\n\nplease find our order %(number)s attached. Deliver to: %(location)s, %(address)s.\n\n"
            "Kind regards,\n%(organisation)s"
        ) % {
            "number": order.number,
            "location": order.location.name,
            "address": order.branch.address or order.branch.name,
            "organisation": organisation,
        }
    message = email_queue(
        to=order.supplier.order_email,
        subject=subject,
        body=body,
        organisation=organisation,
        attachments=[(f"{order.number}.pdf", pdf, PDF_CONTENT_TYPE)],
    )
    order.status = OrderStatus.SENT
    order.sent_at = timezone.now()
    order.message_id = message.pk
    order.save(update_fields=["status", "sent_at", "message_id"])
    audit(
        actor=actor,
        action="supplies.order_send",
        target=order,
        organisation=organisation,
        branch=order.branch,
        summary=f"{order.number} → {order.supplier.order_email}",
    )
    return order


@transaction.atomic
def order_cancel(*, order: PurchaseOrder, actor: Any) -> PurchaseOrder:
    order = PurchaseOrder.objects.select_for_update().select_related("branch__organisation").get(pk=order.pk)
    if order.status not in (OrderStatus.DRAFT, OrderStatus.SENT):
        raise ValidationError(_("An order that has been delivered cannot be cancelled."), code="received")
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    audit(
        actor=actor,
        action="supplies.order_cancel",
        target=order,
        organisation=order.branch.organisation,
        branch=order.branch,
        summary=order.number,
    )
    return order


@dataclass(frozen=True)
class DeliveredLine:
    quantity: Decimal
    unit_price: Decimal | None = None  # None: the ordered price


@transaction.atomic
def receipt_create(*, order: PurchaseOrder, actor: Any, lines: Mapping[int, DeliveredLine], note: str = "") -> Receipt:
    """Receive a delivery: ``lines`` maps order line ids to what came. More than is still outstanding is
    refused; a price other than the ordered one is flagged; stock goes up at the order's location."""
    order = (
        PurchaseOrder.objects.select_for_update()
        .select_related("location__branch__organisation", "branch__organisation")
        .get(pk=order.pk)
    )
    if order.status not in RECEIVABLE:
        raise ValidationError(
            _("Deliveries are received against a sent order, not a %(status)s one.")
            % {"status": order.get_status_display().lower()},
            code="not_receivable",
        )
    order_lines = {line.pk: line for line in order.lines.select_for_update().select_related("item")}
    errors: dict[str, list[ValidationError]] = {}
    wanted = {pk: came for pk, came in lines.items() if came.quantity}
    for pk, came in wanted.items():
        line = order_lines.get(pk)
        if line is None:
            errors.setdefault(f"line-{pk}", []).append(ValidationError(_("This line is not on the order.")))
            continue
        try:
            check_quantity(line.item, came.quantity)
        except ValidationError as error:
            errors.setdefault(f"line-{pk}", []).extend(error.error_dict["quantity"])
            continue
        if came.quantity > line.outstanding:
            errors.setdefault(f"line-{pk}", []).append(
                ValidationError(
                    _("Only %(outstanding)s of %(item)s are still to come on this order; %(received)s is more.")
                    % {
                        "outstanding": f"{line.outstanding.normalize():f}",
                        "item": line.item.name,
                        "received": f"{came.quantity.normalize():f}",
                    },
                    code="over_received",
                )
            )
    if errors:
        raise ValidationError(errors)
    if not wanted:
        raise ValidationError(_("Enter what was delivered on at least one line."), code="empty")
    receipt = Receipt.objects.create(order=order, received_by=actor, note=note.strip())
    differences = []
    for pk, came in wanted.items():
        line = order_lines[pk]
        price = line.unit_price if came.unit_price is None else came.unit_price
        delivered = ReceiptLine.objects.create(
            receipt=receipt,
            order_line=line,
            quantity=came.quantity,
            unit_price=price,
            price_differs=price != line.unit_price,
        )
        if delivered.price_differs:
            differences.append(line.item.name)
        line.received += came.quantity
        line.save(update_fields=["received"])
        stock_receive(
            location=order.location,
            item=line.item,
            quantity=came.quantity,
            actor=actor,
            unit_price=price,
            receipt_line=delivered,
        )
        line.item.last_price = price
        line.item.save(update_fields=["last_price"])
    complete = all(line.received >= line.quantity for line in order_lines.values())
    order.status = OrderStatus.RECEIVED if complete else OrderStatus.PARTLY_RECEIVED
    order.save(update_fields=["status"])
    audit(
        actor=actor,
        action="supplies.receipt_create",
        target=receipt,
        organisation=order.branch.organisation,
        branch=order.branch,
        summary=order.number,
        data={"price_differs": differences},
    )
    return receipt
