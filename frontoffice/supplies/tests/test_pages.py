"""The supplies pages: taking from stock on a phone, stock and movement lists, requests and decisions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from frontoffice.supplies import services
from frontoffice.supplies.choices import RequestStatus
from frontoffice.supplies.models import PurchaseRequest, StockLevel

from .conftest import make_item


def _on_hand(location, item):
    return StockLevel.objects.get(location=location, item=item).on_hand


def test_take_walks_from_location_to_item_to_quantity(login, clerk, stocked, gloves, foreign_storeroom):
    browser = login(clerk)
    url = reverse("supplies:take")
    # given the clerk's branch has one storeroom, the page starts at its items
    page = browser.get(url)
    assert "Rękawiczki nitrylowe M" in page.text
    page = browser.get(url, {"location": stocked.pk, "item": gloves.pk})
    assert page.status_code == 200 and "How many Rękawiczki nitrylowe M?" in page.text
    # when the clerk takes 4
    done = browser.post(url, {"location": stocked.pk, "item": gloves.pk, "quantity": "4"})
    # then stock is down and the page goes back to the location's items
    assert done.status_code == 302 and done["Location"].endswith(f"?location={stocked.pk}")
    assert _on_hand(stocked, gloves) == Decimal(16)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("1.5", "counted in whole units"), ("-1", "above zero"), ("25", "Only 20 pair"), ("", "This field is required")],
)
def test_a_bad_quantity_comes_back_with_a_message_and_what_was_typed(login, clerk, stocked, gloves, typed, message):
    page = login(clerk).post(reverse("supplies:take"), {"location": stocked.pk, "item": gloves.pk, "quantity": typed})
    assert page.status_code == 400
    assert message in page.text
    assert f'value="{typed}"' in page.text or typed == ""
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_a_location_of_another_branch_is_not_found(login, clerk, foreign_storeroom):
    page = login(clerk).get(reverse("supplies:take"), {"location": foreign_storeroom.pk})
    assert page.status_code == 404


def test_an_item_not_stocked_at_the_location_is_not_found(login, clerk, stocked, organisation, manager):
    other = make_item(organisation, manager, "Papier do drukarki", category="office", unit="pack")
    page = login(clerk).get(reverse("supplies:take"), {"location": stocked.pk, "item": other.pk})
    assert page.status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_the_stock_list_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, organisation, clerk, count, django_assert_max_num_queries
):
    for number in range(count):
        item = make_item(organisation, manager, f"Bandaż {number}")
        services.stock_receive(location=stocked, item=item, quantity=Decimal(3), actor=clerk)
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:stock_list"))
    assert page.status_code == 200
    assert page.text.count("Bandaż") == count


def test_the_stock_list_shows_only_low_items_when_asked(login, manager, stocked, gloves, clerk):
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(15), actor=clerk)
    page = login(manager).get(reverse("supplies:stock_list"), {"low_only": "on"})
    assert "Rękawiczki nitrylowe M" in page.text and "Żel do USG" not in page.text


@pytest.mark.parametrize("count", [1, 12])
def test_the_movement_list_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, gloves, clerk, count, django_assert_max_num_queries
):
    for _number in range(count):
        services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(1), reason="Uszkodzone", actor=clerk)
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:movement_list"))
    assert page.status_code == 200
    assert page.text.count("Uszkodzone") == count


@pytest.mark.parametrize("count", [1, 12])
def test_the_request_list_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, gloves, clerk, count, django_assert_max_num_queries
):
    for _number in range(count):
        services.request_create(
            location=stocked, actor=clerk, lines=[services.RequestLineData(item=gloves, quantity=Decimal(2))]
        )
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:request_list"))
    assert page.status_code == 200
    assert page.text.count("ZZ-") == count


def test_a_new_request_starts_with_the_low_stock_items(login, clerk, stocked, gloves):
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(12), actor=clerk)
    page = login(clerk).get(reverse("supplies:request_create"), {"location": stocked.pk})
    assert page.status_code == 200
    assert 'name="lines-0-quantity" value="42"' in page.text


def test_a_clerk_sends_a_request_and_a_manager_approves_it(login, client, clerk, manager, stocked, gloves):
    data = {
        "location": stocked.pk,
        "note": "Na przyszły tydzień",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": gloves.pk,
        "lines-0-quantity": "30",
        "lines-1-item": "",
        "lines-1-quantity": "",
    }
    sent = login(clerk).post(reverse("supplies:request_create"), data)
    request = PurchaseRequest.objects.get()
    assert sent.status_code == 302 and request.total == Decimal("15.00")
    decided = login(manager).post(
        reverse("supplies:request_decide", args=[request.pk]), {"decision": "approve", "comment": "Zgoda"}
    )
    assert decided.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.decided_by == manager


def test_a_fractional_line_comes_back_with_its_message(login, clerk, stocked, gloves):
    data = {
        "location": stocked.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": gloves.pk,
        "lines-0-quantity": "2.5",
    }
    page = login(clerk).post(reverse("supplies:request_create"), data)
    assert page.status_code == 400
    assert "whole number" in page.text and 'value="2.5"' in page.text
    assert not PurchaseRequest.objects.exists()


def test_approving_your_own_request_is_refused_with_the_comment_kept(login, manager, stocked, gloves):
    request = services.request_create(
        location=stocked, actor=manager, lines=[services.RequestLineData(item=gloves, quantity=Decimal(2))]
    )
    page = login(manager).post(
        reverse("supplies:request_decide", args=[request.pk]), {"decision": "approve", "comment": "Sam sobie"}
    )
    assert page.status_code == 400
    assert "You cannot approve your own request" in page.text and "Sam sobie" in page.text
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
