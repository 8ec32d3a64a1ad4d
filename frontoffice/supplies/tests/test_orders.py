"""Orders: approved lines grouped per supplier, the PDF e-mailed to the supplier, and deliveries received."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from frontoffice.core.models import AuditEntry, OutboundMessage
from frontoffice.core.notifications import message_deliver
from frontoffice.supplies import services
from frontoffice.supplies import services_orders as orders
from frontoffice.supplies.choices import OrderStatus, RequestStatus
from frontoffice.supplies.models import StockLevel

from .conftest import make_item


@pytest.fixture
def approved(stocked, gloves, gel, clerk, manager):
    request = services.request_create(
        location=stocked,
        actor=clerk,
        lines=[
            services.RequestLineData(item=gloves, quantity=Decimal(30)),
            services.RequestLineData(item=gel, quantity=Decimal(2)),
        ],
    )
    return services.request_approve(request=request, actor=manager, comment="OK")


def test_approved_lines_become_one_order_per_supplier(approved, branch, clerk, organisation, manager, stocked):
    other_supplier = services.supplier_save(
        organisation=organisation,
        actor=manager,
        data=services.SupplierData(name="Biuro Max", order_email="b@max.example"),
    )
    paper = make_item(organisation, manager, "Papier A4", supplier=other_supplier, unit="pack", price="20.00")
    second = services.request_create(
        location=stocked, actor=clerk, lines=[services.RequestLineData(item=paper, quantity=Decimal(5))]
    )
    services.request_approve(request=second, actor=manager)
    made = orders.orders_from_approved(branch=branch, actor=clerk)
    assert sorted((o.supplier.name, o.lines.count()) for o in made) == [("Biuro Max", 1), ("Medisfera Hurt", 2)]
    approved.refresh_from_db()
    assert approved.status == RequestStatus.ORDERED
    assert orders.orders_from_approved(branch=branch, actor=clerk) == []


def test_an_order_goes_to_the_supplier_as_a_pdf(approved, branch, clerk):
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    sent = orders.order_send(order=order, actor=clerk)
    assert sent.status == OrderStatus.SENT
    message = OutboundMessage.objects.get(pk=sent.message_id)
    assert message.recipient == "zamowienia@medisfera.example"
    message_deliver(message_id=message.pk)
    (email,) = mail.outbox
    filename, content, content_type = email.attachments[0]
    assert filename == f"{order.number}.pdf" and content_type == "application/pdf"
    assert content.startswith(b"%PDF")
    with pytest.raises(ValidationError):
        orders.order_send(order=sent, actor=clerk)


def test_a_partial_delivery_puts_stock_up_and_leaves_the_rest_outstanding(approved, branch, clerk, stocked, gloves):
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    orders.order_send(order=order, actor=clerk)
    glove_line = order.lines.get(item=gloves)
    orders.receipt_create(order=order, actor=clerk, lines={glove_line.pk: orders.DeliveredLine(quantity=Decimal(10))})
    order.refresh_from_db()
    glove_line.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_RECEIVED
    assert glove_line.outstanding == Decimal(20)
    assert StockLevel.objects.get(location=stocked, item=gloves).on_hand == Decimal(30)


def test_receiving_more_than_ordered_is_refused(approved, branch, clerk, stocked, gloves):
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    orders.order_send(order=order, actor=clerk)
    glove_line = order.lines.get(item=gloves)
    with pytest.raises(ValidationError) as caught:
        orders.receipt_create(
            order=order, actor=clerk, lines={glove_line.pk: orders.DeliveredLine(quantity=Decimal(31))}
        )
    assert (
        "Only 30 of Rękawiczki nitrylowe M are still to come" in caught.value.message_dict[f"line-{glove_line.pk}"][0]
    )
    assert StockLevel.objects.get(location=stocked, item=gloves).on_hand == Decimal(20)


def test_a_full_delivery_at_another_price_is_flagged_and_closes_the_order(approved, branch, clerk, gloves, gel):
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    orders.order_send(order=order, actor=clerk)
    lines = {line.item_id: line for line in order.lines.all()}
    receipt = orders.receipt_create(
        order=order,
        actor=clerk,
        lines={
            lines[gloves.pk].pk: orders.DeliveredLine(quantity=Decimal(30), unit_price=Decimal("0.55")),
            lines[gel.pk].pk: orders.DeliveredLine(quantity=Decimal(2)),
        },
    )
    order.refresh_from_db()
    gloves.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert [line.price_differs for line in receipt.lines.order_by("order_line__item__name")] == [True, False]
    assert gloves.last_price == Decimal("0.55")
    assert AuditEntry.objects.get(action="supplies.receipt_create").data == {"price_differs": [gloves.name]}


def test_a_draft_order_cannot_be_received(approved, branch, clerk):
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    line = order.lines.first()
    with pytest.raises(ValidationError):
        orders.receipt_create(order=order, actor=clerk, lines={line.pk: orders.DeliveredLine(quantity=Decimal(1))})
