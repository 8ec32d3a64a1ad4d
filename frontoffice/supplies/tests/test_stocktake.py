"""Stocktakes: start a count, count in sittings, approve the differences as adjustments, or cancel.

Run on SQLite and PostgreSQL (``DATABASE_URL``); the race of two starts needs PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from frontoffice.core.models import AuditEntry
from frontoffice.supplies import services
from frontoffice.supplies.choices import MovementKind, StocktakeStatus
from frontoffice.supplies.models import StockLevel, StockMovement, Stocktake, StocktakeLine
from frontoffice.supplies.selectors_stocktake import stocktake_lines
from frontoffice.supplies.services_stocktake import (
    count_field,
    stocktake_approve,
    stocktake_cancel,
    stocktake_count,
    stocktake_start,
)
from tests.personas import staff_user

from .conftest import make_item


def on_hand(location, item):
    return StockLevel.objects.get(location=location, item=item).on_hand


def movements_sum(location, item):
    return StockMovement.objects.filter(location=location, item=item).aggregate(s=Sum("quantity"))["s"] or Decimal(0)


def assert_invariant(location):
    for level in StockLevel.objects.filter(location=location).select_related("item"):
        assert level.on_hand == movements_sum(location, level.item), level


@pytest.fixture
def second_clerk(organisation, branch):
    return staff_user(organisation, ["clerk"], [branch], "clerk2")


# --- start -----------------------------------------------------------------------------------------------


def test_starting_snapshots_what_the_books_expect_of_every_active_item(stocked, gloves, gel, clerk, manager):
    retired = make_item(stocked.branch.organisation, manager, "Stary formularz", category="office", unit="pack")
    services.stock_receive(location=stocked, item=retired, quantity=Decimal(3), actor=clerk)
    services.item_save(
        organisation=retired.organisation,
        actor=manager,
        item=retired,
        data=services.ItemData(name=retired.name, category="office", unit="pack", is_active=False),
    )

    stocktake = stocktake_start(location=stocked, actor=clerk)

    assert stocktake.status == StocktakeStatus.OPEN and stocktake.started_by == clerk
    expected = {line.item.name: line.expected for line in stocktake.lines.select_related("item")}
    assert expected == {gloves.name: Decimal(20), gel.name: Decimal("2.5")}
    assert all(line.counted is None for line in stocktake.lines.all())
    assert AuditEntry.objects.filter(action="supplies.stocktake_start").count() == 1


def test_a_second_open_stocktake_of_a_location_is_refused_until_the_first_is_closed(stocked, clerk, manager):
    first = stocktake_start(location=stocked, actor=clerk)

    with pytest.raises(ValidationError) as caught:
        stocktake_start(location=stocked, actor=manager)

    assert "already in progress" in caught.value.messages[0]
    stocktake_cancel(stocktake=first, actor=clerk)
    assert stocktake_start(location=stocked, actor=manager).status == StocktakeStatus.OPEN


def test_a_location_with_nothing_stocked_cannot_be_counted(storeroom, clerk):
    with pytest.raises(ValidationError) as caught:
        stocktake_start(location=storeroom, actor=clerk)
    assert "nothing to count" in caught.value.messages[0]
    assert not Stocktake.objects.exists()


# --- count -----------------------------------------------------------------------------------------------


def test_counts_are_saved_in_sittings_with_who_counted(stocked, gloves, gel, clerk, second_clerk):
    stocktake = stocktake_start(location=stocked, actor=clerk)

    stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: Decimal(18)})
    stocktake_count(stocktake=stocktake, actor=second_clerk, counts={gel.pk: Decimal("2.25"), gloves.pk: Decimal(18)})

    lines = {line.item_id: line for line in StocktakeLine.objects.filter(stocktake=stocktake)}
    assert (lines[gloves.pk].counted, lines[gloves.pk].counted_by) == (Decimal(18), clerk)  # the same figure again
    assert (lines[gel.pk].counted, lines[gel.pk].counted_by) == (Decimal("2.25"), second_clerk)
    assert on_hand(stocked, gloves) == Decimal(20)  # counting alone books nothing


def test_zero_is_a_count_and_an_empty_count_clears_the_line(stocked, gloves, clerk):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: Decimal(0)})
    assert StocktakeLine.objects.get(stocktake=stocktake, item=gloves).counted == Decimal(0)

    stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: None})

    line = StocktakeLine.objects.get(stocktake=stocktake, item=gloves)
    assert (line.counted, line.counted_by) == (None, None)


@pytest.mark.parametrize(
    ("typed", "message"), [(Decimal(-1), "below zero"), (Decimal("1.5"), "counted in whole units")]
)
def test_a_negative_or_fractional_count_is_refused_and_nothing_is_saved(stocked, gloves, gel, clerk, typed, message):
    stocktake = stocktake_start(location=stocked, actor=clerk)

    with pytest.raises(ValidationError) as caught:
        stocktake_count(stocktake=stocktake, actor=clerk, counts={gel.pk: Decimal("1.75"), gloves.pk: typed})

    assert message in caught.value.message_dict[count_field(gloves.pk)][0]
    assert not StocktakeLine.objects.filter(stocktake=stocktake, counted__isnull=False).exists()


def test_an_item_outside_the_stocktake_is_refused(stocked, gloves, clerk, manager, organisation):
    other = make_item(organisation, manager, "Papier ksero", category="office", unit="pack")
    stocktake = stocktake_start(location=stocked, actor=clerk)

    with pytest.raises(ValidationError) as caught:
        stocktake_count(stocktake=stocktake, actor=clerk, counts={other.pk: Decimal(1)})

    assert count_field(other.pk) in caught.value.message_dict


# --- approve ---------------------------------------------------------------------------------------------


def _counted(location, actor, counts):
    stocktake = stocktake_start(location=location, actor=actor)
    stocktake_count(stocktake=stocktake, actor=actor, counts=counts)
    return stocktake


def test_approval_books_each_difference_as_an_adjustment_with_who_and_why(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(17), gel.pk: Decimal("2.5")})

    stocktake_approve(stocktake=stocktake, actor=manager, reason="Rozbite opakowanie")

    stocktake.refresh_from_db()
    assert (stocktake.status, stocktake.approved_by, stocktake.reason) == (
        StocktakeStatus.APPROVED,
        manager,
        "Rozbite opakowanie",
    )
    movement = StockMovement.objects.get(stocktake=stocktake)  # the gel matched: one movement only
    assert (movement.kind, movement.item, movement.quantity) == (MovementKind.ADJUSTED, gloves, Decimal(-3))
    assert (movement.actor, movement.reason) == (manager, "Rozbite opakowanie")
    assert on_hand(stocked, gloves) == Decimal(17) and on_hand(stocked, gel) == Decimal("2.5")
    assert_invariant(stocked)
    assert AuditEntry.objects.filter(action="supplies.stocktake_approve").count() == 1


def test_a_count_above_the_books_adds_stock(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(26), gel.pk: Decimal(0)})

    stocktake_approve(stocktake=stocktake, actor=manager, reason="Dostawa bez dokumentu; żel zużyty")

    assert on_hand(stocked, gloves) == Decimal(26) and on_hand(stocked, gel) == Decimal(0)
    assert_invariant(stocked)


def test_stock_that_moved_during_the_count_ends_at_the_counted_figure(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(15), gel.pk: Decimal("2.5")})
    # after the count, before approval, someone takes 4 and a delivery brings 10
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(4), actor=clerk)
    services.stock_receive(location=stocked, item=gloves, quantity=Decimal(10), actor=clerk)
    views = {view.line.item_id: view for view in stocktake_lines(stocktake=stocktake)}
    assert views[gloves.pk].moved_since_start and views[gloves.pk].adjustment == Decimal(-11)

    stocktake_approve(stocktake=stocktake, actor=manager, reason="Różnica po liczeniu")

    assert on_hand(stocked, gloves) == Decimal(15)
    assert StockMovement.objects.get(stocktake=stocktake).quantity == Decimal(-11)
    assert_invariant(stocked)


def test_a_count_matching_the_books_needs_no_reason_and_books_nothing(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(20), gel.pk: Decimal("2.500")})

    stocktake_approve(stocktake=stocktake, actor=manager)

    assert Stocktake.objects.get(pk=stocktake.pk).status == StocktakeStatus.APPROVED
    assert not StockMovement.objects.filter(stocktake=stocktake).exists()


def test_differences_need_a_reason(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(19), gel.pk: Decimal("2.5")})

    with pytest.raises(ValidationError) as caught:
        stocktake_approve(stocktake=stocktake, actor=manager, reason="   ")

    assert "reason" in caught.value.message_dict
    assert Stocktake.objects.get(pk=stocktake.pk).status == StocktakeStatus.OPEN
    assert on_hand(stocked, gloves) == Decimal(20)


def test_every_line_must_be_counted_before_approval(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(19)})

    with pytest.raises(ValidationError) as caught:
        stocktake_approve(stocktake=stocktake, actor=manager, reason="Brak")

    assert "not counted yet: Żel do USG" in caught.value.messages[0]
    assert not StockMovement.objects.filter(stocktake=stocktake).exists()


def test_a_clerk_cannot_approve_even_their_own_count(stocked, gloves, gel, clerk):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(19), gel.pk: Decimal("2.5")})

    with pytest.raises(ValidationError) as caught:
        stocktake_approve(stocktake=stocktake, actor=clerk, reason="Brak")

    assert "manager or administrator" in caught.value.messages[0]
    assert on_hand(stocked, gloves) == Decimal(20)


def test_a_manager_who_counted_may_approve_their_own_count(stocked, gloves, gel, manager):
    stocktake = _counted(stocked, manager, {gloves.pk: Decimal(19), gel.pk: Decimal("2.5")})

    stocktake_approve(stocktake=stocktake, actor=manager, reason="Zgubione")

    assert on_hand(stocked, gloves) == Decimal(19)


def test_a_closed_stocktake_cannot_be_counted_approved_or_cancelled_again(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(19), gel.pk: Decimal("2.5")})
    stocktake_approve(stocktake=stocktake, actor=manager, reason="Zgubione")

    for attempt in (
        lambda: stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: Decimal(1)}),
        lambda: stocktake_approve(stocktake=stocktake, actor=manager, reason="Znowu"),
        lambda: stocktake_cancel(stocktake=stocktake, actor=manager),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "already closed (Approved)" in caught.value.messages[0]
    assert StockMovement.objects.filter(stocktake=stocktake).count() == 1
    assert on_hand(stocked, gloves) == Decimal(19)


def test_the_approved_review_shows_what_was_booked_not_what_moved_after(stocked, gloves, gel, clerk, manager):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(19), gel.pk: Decimal("2.5")})
    stocktake_approve(stocktake=stocktake, actor=manager, reason="Zgubione")
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(5), actor=clerk)

    views = {view.line.item_id: view for view in stocktake_lines(stocktake=Stocktake.objects.get(pk=stocktake.pk))}

    assert views[gloves.pk].adjustment == Decimal(-1) and views[gel.pk].adjustment == Decimal(0)
    assert views[gloves.pk].differs and not views[gel.pk].differs


# --- cancel ----------------------------------------------------------------------------------------------


def test_cancelling_leaves_stock_as_it_was(stocked, gloves, gel, clerk):
    stocktake = _counted(stocked, clerk, {gloves.pk: Decimal(3), gel.pk: Decimal(0)})

    stocktake_cancel(stocktake=stocktake, actor=clerk)

    assert Stocktake.objects.get(pk=stocktake.pk).status == StocktakeStatus.CANCELLED
    assert on_hand(stocked, gloves) == Decimal(20)
    assert not StockMovement.objects.filter(stocktake=stocktake).exists()


def test_only_the_starter_or_a_manager_cancels(stocked, clerk, second_clerk, manager):
    stocktake = stocktake_start(location=stocked, actor=clerk)

    with pytest.raises(ValidationError):
        stocktake_cancel(stocktake=stocktake, actor=second_clerk)

    assert stocktake_cancel(stocktake=stocktake, actor=manager).status == StocktakeStatus.CANCELLED


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_starting_a_count_at_once_open_one_stocktake(organisation, branch, manager, clerk):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs writing transactions one after another; the race needs PostgreSQL")
    location = services.location_save(branch=branch, actor=manager, name="Szafka")
    item = make_item(organisation, manager, "Opaska uciskowa")
    services.stock_receive(location=location, item=item, quantity=Decimal(4), actor=clerk)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def start(name, user):
        try:
            barrier.wait()
            outcomes[name] = stocktake_start(location=location, actor=user)
        except Exception as error:  # the outcome is what the test inspects
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(name, user)) for name, user in (("a", clerk), ("b", manager))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [o for o in outcomes.values() if isinstance(o, Stocktake)]
    refused = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert len(started) == 1 and len(refused) == 1, outcomes
    assert Stocktake.objects.filter(location=location, status=StocktakeStatus.OPEN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_consumption_racing_the_approval_still_ends_at_the_count_minus_what_was_taken_after(
    organisation, branch, manager, clerk
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs writing transactions one after another; the race needs PostgreSQL")
    location = services.location_save(branch=branch, actor=manager, name="Szafka")
    item = make_item(organisation, manager, "Opaska uciskowa")
    services.stock_receive(location=location, item=item, quantity=Decimal(10), actor=clerk)
    stocktake = _counted(location, clerk, {item.pk: Decimal(8)})
    barrier = threading.Barrier(2, timeout=30)
    errors: list[Exception] = []

    def approve():
        try:
            barrier.wait()
            stocktake_approve(stocktake=stocktake, actor=manager, reason="Brak dwóch")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    def take():
        try:
            barrier.wait()
            services.stock_consume(location=location, item=item, quantity=Decimal(1), actor=clerk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve), threading.Thread(target=take)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    # Whichever came first, the level is locked for each in turn: the count wins at approval, and a
    # take booked after it comes off the counted figure.
    assert on_hand(location, item) in (Decimal(8), Decimal(7))
    assert_invariant(location)
