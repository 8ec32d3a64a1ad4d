"""Stocktake pages (list, start, count, review and approve, cancel) and the "move or correct stock" page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from frontoffice.supplies import services
from frontoffice.supplies.choices import MovementKind, StocktakeStatus
from frontoffice.supplies.models import StockLevel, StockMovement, Stocktake, StocktakeLine
from frontoffice.supplies.services_stocktake import count_field, stocktake_count, stocktake_start
from tests.personas import staff_user


def _on_hand(location, item):
    return StockLevel.objects.get(location=location, item=item).on_hand


def _counted(stocktake, item):
    return StocktakeLine.objects.get(stocktake=stocktake, item=item).counted


# --- list and start --------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 12])
def test_the_stocktake_list_needs_the_same_few_queries_at_any_size(
    login, manager, clerk, stocked, count, django_assert_max_num_queries
):
    for _number in range(count):
        stocktake = stocktake_start(location=stocked, actor=clerk)
        Stocktake.objects.filter(pk=stocktake.pk).update(status=StocktakeStatus.CANCELLED)
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:stocktake_list"))
    assert page.status_code == 200
    assert page.text.count("0 of 2") == count


def test_the_list_filters_by_status(login, manager, clerk, stocked):
    cancelled = stocktake_start(location=stocked, actor=clerk)
    Stocktake.objects.filter(pk=cancelled.pk).update(status=StocktakeStatus.CANCELLED)
    stocktake_start(location=stocked, actor=clerk)
    page = login(manager).get(reverse("supplies:stocktake_list"), {"status": "open"})
    assert page.text.count('class="badge badge--open"') == 1
    assert 'class="badge badge--cancelled"' not in page.text


def test_a_clerk_starts_a_count_and_lands_on_the_count_page(login, clerk, stocked):
    done = login(clerk).post(reverse("supplies:stocktake_start"), {"location": stocked.pk})
    stocktake = Stocktake.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("supplies:stocktake_count", args=[stocktake.pk])


def test_starting_a_second_count_of_a_location_says_why_not(login, clerk, manager, stocked):
    stocktake_start(location=stocked, actor=manager)
    page = login(clerk).post(reverse("supplies:stocktake_start"), {"location": stocked.pk})
    assert page.status_code == 400
    assert "A stocktake of Magazynek is already in progress" in page.text
    assert Stocktake.objects.count() == 1


def test_a_location_of_another_branch_cannot_be_started(login, clerk, foreign_storeroom):
    page = login(clerk).post(reverse("supplies:stocktake_start"), {"location": foreign_storeroom.pk})
    assert page.status_code == 400 and not Stocktake.objects.exists()


# --- count -----------------------------------------------------------------------------------------------


def test_the_count_page_shows_one_input_per_item_with_what_is_expected(login, clerk, stocked, gloves, gel):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    page = login(clerk).get(reverse("supplies:stocktake_count", args=[stocktake.pk]))
    assert page.status_code == 200
    assert f'name="{count_field(gloves.pk)}"' in page.text and f'name="{count_field(gel.pk)}"' in page.text
    assert "expected 20 pair" in page.text and "expected 2.5 litre" in page.text
    assert 'inputmode="decimal"' in page.text


def test_counts_typed_on_the_page_are_saved_partly(login, clerk, stocked, gloves, gel):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    done = login(clerk).post(
        reverse("supplies:stocktake_count", args=[stocktake.pk]),
        {count_field(gloves.pk): "18", count_field(gel.pk): ""},
    )
    assert done.status_code == 302
    assert _counted(stocktake, gloves) == Decimal(18) and _counted(stocktake, gel) is None


def test_a_fractional_count_of_a_whole_unit_item_comes_back_with_the_message_and_what_was_typed(
    login, clerk, stocked, gloves, gel
):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    page = login(clerk).post(
        reverse("supplies:stocktake_count", args=[stocktake.pk]),
        {count_field(gloves.pk): "17.5", count_field(gel.pk): "1.25"},
    )
    assert page.status_code == 400
    assert "counted in whole units" in page.text
    assert 'value="17.5"' in page.text and 'value="1.25"' in page.text
    assert _counted(stocktake, gel) is None  # nothing half-saved


def test_a_negative_count_is_refused_on_the_page(login, clerk, stocked, gloves):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    page = login(clerk).post(reverse("supplies:stocktake_count", args=[stocktake.pk]), {count_field(gloves.pk): "-1"})
    assert page.status_code == 400 and "cannot be below zero" in page.text


def test_a_second_phone_does_not_wipe_a_count_with_the_blank_it_still_shows(
    login, clerk, manager, stocked, gloves, gel
):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    # the manager's page was loaded with both lines empty; meanwhile the clerk counts the gloves
    stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: Decimal(18)})
    login(manager).post(
        reverse("supplies:stocktake_count", args=[stocktake.pk]),
        {
            count_field(gloves.pk): "",
            f"initial-{count_field(gloves.pk)}": "",
            count_field(gel.pk): "2",
            f"initial-{count_field(gel.pk)}": "",
        },
    )
    assert _counted(stocktake, gloves) == Decimal(18) and _counted(stocktake, gel) == Decimal(2)


def test_a_closed_stocktake_sends_the_count_page_to_the_review(login, clerk, manager, stocked):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    Stocktake.objects.filter(pk=stocktake.pk).update(status=StocktakeStatus.CANCELLED)
    page = login(clerk).get(reverse("supplies:stocktake_count", args=[stocktake.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("supplies:stocktake_detail", args=[stocktake.pk])


# --- review, approve, cancel -------------------------------------------------------------------------------


@pytest.fixture
def counted(stocked, gloves, gel, clerk):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: Decimal(17), gel.pk: Decimal("2.5")})
    return stocktake


def test_the_review_highlights_the_differences_and_offers_approval_to_a_manager(login, manager, counted):
    page = login(manager).get(reverse("supplies:stocktake_detail", args=[counted.pk]))
    assert page.status_code == 200
    assert page.text.count('class="row--warn"') == 1
    assert "<strong>-3</strong>" in page.text
    assert "Approve and book the differences" in page.text


def test_a_clerk_reviews_but_is_not_offered_approval(login, clerk, counted):
    page = login(clerk).get(reverse("supplies:stocktake_detail", args=[counted.pk]))
    assert page.status_code == 200 and "Approve and book the differences" not in page.text
    assert "Cancel the stocktake" in page.text  # the clerk started it


def test_the_review_warns_when_stock_moved_since_the_start(login, manager, clerk, counted, stocked, gloves):
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(2), actor=clerk)
    page = login(manager).get(reverse("supplies:stocktake_detail", args=[counted.pk]))
    assert "Stock moved at this location since the count started" in page.text
    assert "<strong>-1</strong>" in page.text  # 17 counted − 18 on hand now


def test_approving_without_a_reason_is_refused_with_a_message(login, manager, counted, stocked, gloves):
    page = login(manager).post(reverse("supplies:stocktake_approve", args=[counted.pk]), {"reason": ""})
    assert page.status_code == 400
    assert "a reason is required" in page.text
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_a_manager_approves_and_the_books_show_the_count(login, manager, counted, stocked, gloves):
    done = login(manager).post(reverse("supplies:stocktake_approve", args=[counted.pk]), {"reason": "Zgubione"})
    assert done.status_code == 302
    assert _on_hand(stocked, gloves) == Decimal(17)
    movement = StockMovement.objects.get(stocktake=counted)
    assert (movement.kind, movement.actor, movement.reason) == (MovementKind.ADJUSTED, manager, "Zgubione")
    page = login(manager).get(reverse("supplies:stocktake_detail", args=[counted.pk]))
    assert "Approved" in page.text and "Zgubione" in page.text and "Approve and book" not in page.text


def test_a_clerk_cannot_approve(login, clerk, counted, stocked, gloves):
    page = login(clerk).post(reverse("supplies:stocktake_approve", args=[counted.pk]), {"reason": "Zgubione"})
    assert page.status_code == 403
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_an_outsider_cannot_see_or_approve_a_stocktake(login, outsider_branch, counted):
    browser = login(outsider_branch)
    assert browser.get(reverse("supplies:stocktake_detail", args=[counted.pk])).status_code == 404
    assert browser.post(reverse("supplies:stocktake_approve", args=[counted.pk]), {"reason": "x"}).status_code == 404


def test_cancelling_from_the_review(login, clerk, counted, stocked, gloves):
    done = login(clerk).post(reverse("supplies:stocktake_cancel", args=[counted.pk]))
    assert done.status_code == 302
    assert Stocktake.objects.get(pk=counted.pk).status == StocktakeStatus.CANCELLED
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_another_clerk_cannot_cancel_someone_elses_count(login, organisation, branch, counted):
    other = staff_user(organisation, ["clerk"], [branch], "clerk2")
    done = login(other).post(reverse("supplies:stocktake_cancel", args=[counted.pk]), follow=True)
    assert "Only the person who started this stocktake" in done.text
    assert Stocktake.objects.get(pk=counted.pk).status == StocktakeStatus.OPEN


# --- move or correct stock ---------------------------------------------------------------------------------


def _level(location, item):
    return StockLevel.objects.get(location=location, item=item)


def test_the_stock_list_links_each_row_to_move_or_correct(login, clerk, stocked, gloves):
    page = login(clerk).get(reverse("supplies:stock_list"))
    assert reverse("supplies:level_move", args=[_level(stocked, gloves).pk]) in page.text


def test_moving_stock_to_another_location(login, clerk, manager, branch, stocked, gloves):
    cupboard = services.location_save(branch=branch, actor=manager, name="Szafka w gabinecie")
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    done = login(clerk).post(url, {"action": "transfer", "transfer-target": cupboard.pk, "transfer-quantity": "5"})
    assert done.status_code == 302
    assert _on_hand(stocked, gloves) == Decimal(15) and _on_hand(cupboard, gloves) == Decimal(5)


def test_moving_more_than_is_on_hand_comes_back_with_the_message_and_what_was_typed(
    login, clerk, manager, branch, stocked, gloves
):
    cupboard = services.location_save(branch=branch, actor=manager, name="Szafka w gabinecie")
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    page = login(clerk).post(url, {"action": "transfer", "transfer-target": cupboard.pk, "transfer-quantity": "25"})
    assert page.status_code == 400
    assert "Only 20 pair of Rękawiczki nitrylowe M are on hand" in page.text
    assert 'value="25"' in page.text
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_a_location_of_another_branch_is_not_a_transfer_target(login, clerk, stocked, gloves, foreign_storeroom):
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    page = login(clerk).post(
        url, {"action": "transfer", "transfer-target": foreign_storeroom.pk, "transfer-quantity": "1"}
    )
    assert page.status_code == 400 and _on_hand(stocked, gloves) == Decimal(20)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"adjust-quantity": "-2", "adjust-reason": ""}, "a reason is required"),
        ({"adjust-quantity": "0.5", "adjust-reason": "Pomyłka"}, "counted in whole units"),
        ({"adjust-quantity": "0", "adjust-reason": "Pomyłka"}, "must change the stock"),
    ],
)
def test_a_bad_adjustment_comes_back_with_the_message(login, clerk, stocked, gloves, data, message):
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    page = login(clerk).post(url, {"action": "adjust", **data})
    assert page.status_code == 400 and message in page.text
    assert f'value="{data["adjust-quantity"]}"' in page.text
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_an_adjustment_with_a_reason_corrects_the_books(login, clerk, stocked, gloves):
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    done = login(clerk).post(url, {"action": "adjust", "adjust-quantity": "-2", "adjust-reason": "Pomyłka w dostawie"})
    assert done.status_code == 302 and _on_hand(stocked, gloves) == Decimal(18)
    assert StockMovement.objects.get(kind=MovementKind.ADJUSTED).reason == "Pomyłka w dostawie"


def test_a_write_off_needs_a_reason_and_keeps_what_was_typed(login, clerk, stocked, gloves):
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    page = login(clerk).post(url, {"action": "write_off", "write_off-quantity": "3", "write_off-reason": ""})
    assert page.status_code == 400 and "a reason is required" in page.text and 'value="3"' in page.text
    done = login(clerk).post(
        url, {"action": "write_off", "write_off-quantity": "3", "write_off-reason": "Przeterminowane"}
    )
    assert done.status_code == 302 and _on_hand(stocked, gloves) == Decimal(17)


def test_a_stock_level_of_another_branch_is_not_found(login, outsider_branch, stocked, gloves):
    url = reverse("supplies:level_move", args=[_level(stocked, gloves).pk])
    assert login(outsider_branch).get(url).status_code == 404
