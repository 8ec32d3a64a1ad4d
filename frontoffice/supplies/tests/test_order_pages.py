"""The purchase order pages: orders from approved requests, the detail and its PDF, sending, cancelling,
and receiving deliveries (partial ones, more than outstanding, another price)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from frontoffice.core.models import OutboundMessage
from frontoffice.supplies import services
from frontoffice.supplies import services_orders as orders
from frontoffice.supplies.choices import OrderStatus
from frontoffice.supplies.models import PurchaseOrder, Receipt, StockLevel

from .conftest import make_item


def _approved(location, clerk, manager, *lines):
    request = services.request_create(
        location=location,
        actor=clerk,
        lines=[services.RequestLineData(item=item, quantity=Decimal(quantity)) for item, quantity in lines],
    )
    return services.request_approve(request=request, actor=manager)


@pytest.fixture
def draft(stocked, gloves, gel, clerk, manager, branch):
    _approved(stocked, clerk, manager, (gloves, 30), (gel, 2))
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    return order


@pytest.fixture
def sent(draft, clerk):
    return orders.order_send(order=draft, actor=clerk)


def _on_hand(location, item):
    return StockLevel.objects.get(location=location, item=item).on_hand


@pytest.mark.parametrize("count", [1, 12])
def test_the_order_list_needs_the_same_few_queries_at_any_size(
    login, manager, clerk, stocked, organisation, branch, count, django_assert_max_num_queries
):
    for number in range(count):
        supplier = services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name=f"Hurtownia {number}", order_email=f"h{number}@example.com"),
        )
        item = make_item(organisation, manager, f"Bandaż {number}", supplier=supplier)
        _approved(stocked, clerk, manager, (item, 3))
    orders.orders_from_approved(branch=branch, actor=clerk)
    browser = login(manager)
    with django_assert_max_num_queries(12):
        page = browser.get(reverse("supplies:order_list"))
    assert page.status_code == 200
    assert page.text.count("ZAM-") == count
    assert page.text.count("30.00 PLN") == count  # 3 × 10.00, the total of each order


def test_the_order_list_filters_by_status(login, manager, draft, organisation, stocked, clerk, branch):
    paper = make_item(
        organisation,
        manager,
        "Papier A4",
        unit="pack",
        supplier=services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name="Biuro", order_email="b@b.example"),
        ),
    )
    _approved(stocked, clerk, manager, (paper, 2))
    (other,) = orders.orders_from_approved(branch=branch, actor=clerk)
    orders.order_cancel(order=other, actor=manager)
    browser = login(manager)
    drafts = browser.get(reverse("supplies:order_list"), {"status": "draft"}).text
    cancelled = browser.get(reverse("supplies:order_list"), {"status": "cancelled"}).text
    assert draft.number in drafts and other.number not in drafts
    assert other.number in cancelled and draft.number not in cancelled


def test_a_clerk_turns_approved_requests_into_a_draft_order(login, clerk, manager, stocked, gloves, gel, branch):
    _approved(stocked, clerk, manager, (gloves, 30), (gel, 2))
    response = login(clerk).post(reverse("supplies:order_create"), {"branch": branch.pk})
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supplies:order_detail", args=[order.pk])
    assert order.status == OrderStatus.DRAFT and order.lines.count() == 2


def test_nothing_to_order_says_so(login, clerk, branch):
    response = login(clerk).post(reverse("supplies:order_create"), {"branch": branch.pk}, follow=True)
    assert "Nothing to order for Oddział Północ" in response.text
    assert not PurchaseOrder.objects.exists()


def test_orders_cannot_be_made_for_another_branch(login, outsider_branch, outsider_org, branch, draft):
    for persona in (outsider_branch, outsider_org):
        assert login(persona).post(reverse("supplies:order_create"), {"branch": branch.pk}).status_code == 404


def test_the_detail_shows_lines_and_the_net_total(login, executive, draft):
    page = login(executive).get(reverse("supplies:order_detail", args=[draft.pk]))
    assert page.status_code == 200
    assert "Rękawiczki nitrylowe M" in page.text and "Żel do USG" in page.text
    assert "39.00 PLN" in page.text  # 30 × 0.50 + 2 × 12.00
    assert "Send to zamowienia@medisfera.example" not in page.text  # executives read orders only


def test_the_order_downloads_as_a_pdf(login, manager, draft):
    response = login(manager).get(reverse("supplies:order_pdf", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{draft.number}.pdf"' in response["Content-Disposition"]


def test_sending_queues_the_pdf_to_the_supplier_and_only_once(login, clerk, draft):
    browser = login(clerk)
    response = browser.post(reverse("supplies:order_send", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == OrderStatus.SENT
    assert OutboundMessage.objects.get(pk=draft.message_id).recipient == "zamowienia@medisfera.example"
    again = browser.post(reverse("supplies:order_send", args=[draft.pk]))
    assert again.status_code == 400 and "Only a draft order can be sent." in again.text
    assert OutboundMessage.objects.filter(recipient="zamowienia@medisfera.example").count() == 1


def test_an_order_is_cancelled_but_not_after_delivery(login, manager, sent, gloves, clerk):
    line = sent.lines.get(item=gloves)
    orders.receipt_create(order=sent, actor=clerk, lines={line.pk: orders.DeliveredLine(quantity=Decimal(1))})
    page = login(manager).post(reverse("supplies:order_cancel", args=[sent.pk]))
    assert page.status_code == 400 and "cannot be cancelled" in page.text


def test_a_draft_is_cancelled(login, manager, draft):
    assert login(manager).post(reverse("supplies:order_cancel", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == OrderStatus.CANCELLED


def test_the_receiving_form_offers_what_is_still_to_come(login, clerk, sent, gloves):
    page = login(clerk).get(reverse("supplies:receipt_create", args=[sent.pk]))
    line = sent.lines.get(item=gloves)
    assert page.status_code == 200
    assert f'name="quantity_{line.pk}" value="30"' in page.text and f'name="price_{line.pk}" value="0.50"' in page.text


def test_a_partial_delivery_at_another_price_is_received_and_flagged(login, clerk, sent, gloves, gel, stocked):
    lines = {line.item_id: line for line in sent.lines.all()}
    browser = login(clerk)
    response = browser.post(
        reverse("supplies:receipt_create", args=[sent.pk]),
        {
            f"quantity_{lines[gloves.pk].pk}": "10",
            f"price_{lines[gloves.pk].pk}": "0.55",
            f"quantity_{lines[gel.pk].pk}": "",
            f"price_{lines[gel.pk].pk}": "12.00",
            "note": "Reszta w przyszłym tygodniu",
        },
    )
    receipt = Receipt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supplies:receipt_detail", args=[receipt.pk])
    sent.refresh_from_db()
    assert sent.status == OrderStatus.PARTLY_RECEIVED
    assert _on_hand(stocked, gloves) == Decimal(30)
    detail = browser.get(response["Location"])
    assert "The invoiced price differs from the order on 1 line." in detail.text and "price differs" in detail.text
    assert "price differs" in browser.get(reverse("supplies:order_detail", args=[sent.pk])).text
    # the rest arrives later: the form offers only what is still to come
    again = browser.get(reverse("supplies:receipt_create", args=[sent.pk]))
    assert f'name="quantity_{lines[gloves.pk].pk}" value="20"' in again.text


def test_more_than_outstanding_is_refused_with_what_was_typed(login, clerk, sent, gloves, stocked):
    line = sent.lines.get(item=gloves)
    page = login(clerk).post(
        reverse("supplies:receipt_create", args=[sent.pk]), {f"quantity_{line.pk}": "31", f"price_{line.pk}": "0.50"}
    )
    assert page.status_code == 400
    assert "Only 30 of Rękawiczki nitrylowe M are still to come on this order; 31 is more." in page.text
    assert f'name="quantity_{line.pk}" value="31"' in page.text
    assert not Receipt.objects.exists() and _on_hand(stocked, gloves) == Decimal(20)


def test_a_fraction_of_a_whole_unit_item_is_refused(login, clerk, sent, gloves):
    line = sent.lines.get(item=gloves)
    page = login(clerk).post(reverse("supplies:receipt_create", args=[sent.pk]), {f"quantity_{line.pk}": "1.5"})
    assert page.status_code == 400 and "whole number" in page.text
    assert not Receipt.objects.exists()


def test_an_empty_delivery_is_refused(login, clerk, sent):
    page = login(clerk).post(reverse("supplies:receipt_create", args=[sent.pk]), {})
    assert page.status_code == 400 and "Enter what was delivered on at least one line." in page.text


def test_a_draft_order_is_not_received(login, clerk, draft):
    response = login(clerk).get(reverse("supplies:receipt_create", args=[draft.pk]), follow=True)
    assert "Deliveries are received against a sent order, not a draft one." in response.text


def test_an_executive_reads_but_does_not_receive_or_send(login, executive, sent, draft):
    browser = login(executive)
    assert browser.get(reverse("supplies:receipt_create", args=[sent.pk])).status_code == 403
    assert browser.post(reverse("supplies:order_cancel", args=[sent.pk])).status_code == 403
    assert browser.get(reverse("supplies:order_list")).status_code == 200


def test_another_branch_or_organisation_never_sees_the_order(login, outsider_branch, outsider_org, agent, sent, clerk):
    line = sent.lines.first()
    receipt = orders.receipt_create(order=sent, actor=clerk, lines={line.pk: orders.DeliveredLine(quantity=Decimal(1))})
    for persona in (outsider_branch, outsider_org):
        browser = login(persona)
        assert sent.number not in browser.get(reverse("supplies:order_list")).text
        for name in ("order_detail", "order_pdf", "receipt_create"):
            assert browser.get(reverse(f"supplies:{name}", args=[sent.pk])).status_code == 404
        for name in ("order_send", "order_cancel"):
            assert browser.post(reverse(f"supplies:{name}", args=[sent.pk])).status_code == 404
        assert browser.get(reverse("supplies:receipt_detail", args=[receipt.pk])).status_code == 404
    assert login(agent).get(reverse("supplies:order_detail", args=[sent.pk])).status_code == 403


def test_the_delivery_page_speaks_polish(login, clerk, sent, gloves):
    clerk.language = "pl"
    clerk.save(update_fields=["language"])
    line = sent.lines.get(item=gloves)
    receipt = orders.receipt_create(
        order=sent, actor=clerk, lines={line.pk: orders.DeliveredLine(quantity=Decimal(2), unit_price=Decimal("0.60"))}
    )
    page = login(clerk).get(reverse("supplies:receipt_detail", args=[receipt.pk]))
    assert "Zafakturowana cena różni się od zamówionej w 1 pozycji." in page.text
    assert "Wróć do zamówienia" in page.text
