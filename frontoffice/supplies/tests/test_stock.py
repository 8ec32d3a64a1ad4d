"""Stock: movements are the truth, the cached on-hand follows them, and bad quantities are refused."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontoffice.core.models import AuditEntry, OutboundMessage
from frontoffice.supplies import services
from frontoffice.supplies.choices import MovementKind
from frontoffice.supplies.models import StockLevel, StockMovement

from .conftest import make_item


def on_hand(location, item):
    return StockLevel.objects.get(location=location, item=item).on_hand


def movements_sum(location, item):
    return StockMovement.objects.filter(location=location, item=item).aggregate(s=Sum("quantity"))["s"] or Decimal(0)


def test_supplier_with_a_wrong_nip_is_refused(organisation, manager):
    with pytest.raises(ValidationError) as caught:
        services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name="Zła Firma", order_email="a@zla.example", nip="1234567890"),
        )
    assert "nip" in caught.value.message_dict


def test_supplier_nip_is_kept_as_digits(supplier):
    assert supplier.nip == "5260250995"


def test_consuming_takes_stock_out_and_records_who(stocked, gloves, clerk, department):
    movement = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(3), actor=clerk)
    assert movement.kind == MovementKind.CONSUMED
    assert movement.quantity == Decimal(-3)
    assert movement.actor == clerk
    assert movement.department == department
    assert on_hand(stocked, gloves) == Decimal(17)


@pytest.mark.parametrize("quantity", [Decimal(0), Decimal(-2), Decimal("1.5")])
def test_a_negative_zero_or_fractional_quantity_of_a_whole_unit_item_is_refused(stocked, gloves, clerk, quantity):
    with pytest.raises(ValidationError) as caught:
        services.stock_consume(location=stocked, item=gloves, quantity=quantity, actor=clerk)
    assert "quantity" in caught.value.message_dict
    assert on_hand(stocked, gloves) == Decimal(20)


def test_a_fraction_of_an_item_measured_in_litres_is_fine(stocked, gel, clerk):
    services.stock_consume(location=stocked, item=gel, quantity=Decimal("0.25"), actor=clerk)
    assert on_hand(stocked, gel) == Decimal("2.25")


def test_consuming_more_than_is_on_hand_is_refused_with_what_is_there(stocked, gloves, clerk):
    with pytest.raises(ValidationError) as caught:
        services.stock_consume(location=stocked, item=gloves, quantity=Decimal(21), actor=clerk)
    assert "Only 20 pair of Rękawiczki nitrylowe M are on hand at Magazynek" in caught.value.message_dict["quantity"][0]
    assert on_hand(stocked, gloves) == Decimal(20)


def test_an_organisation_may_allow_stock_below_zero(stocked, gloves, clerk, organisation, admin):
    services.settings_update(organisation=organisation, actor=admin, allow_negative_stock=True)
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(25), actor=clerk)
    assert on_hand(stocked, gloves) == Decimal(-5)


@pytest.mark.parametrize("reason", ["", "   "])
def test_adjustments_and_write_offs_need_a_reason(stocked, gloves, clerk, reason):
    with pytest.raises(ValidationError) as adjusting:
        services.stock_adjust(location=stocked, item=gloves, change=Decimal(-1), reason=reason, actor=clerk)
    with pytest.raises(ValidationError) as writing_off:
        services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(1), reason=reason, actor=clerk)
    assert "reason" in adjusting.value.message_dict and "reason" in writing_off.value.message_dict
    assert on_hand(stocked, gloves) == Decimal(20)


def test_a_write_off_is_recorded_with_who_and_why_in_the_audit(stocked, gloves, clerk):
    movement = services.stock_write_off(
        location=stocked, item=gloves, quantity=Decimal(2), reason="Rozdarte opakowanie", actor=clerk
    )
    assert movement.reason == "Rozdarte opakowanie" and movement.quantity == Decimal(-2)
    entry = AuditEntry.objects.get(action="supplies.stock_write_off")
    assert entry.actor == clerk and "Rozdarte opakowanie" in entry.summary


def test_a_transfer_moves_stock_between_locations_in_one_step(stocked, foreign_storeroom, gloves, clerk):
    out, into = services.stock_transfer(
        source=stocked, target=foreign_storeroom, item=gloves, quantity=Decimal(5), actor=clerk
    )
    assert (out.kind, into.kind) == (MovementKind.TRANSFERRED_OUT, MovementKind.TRANSFERRED_IN)
    assert on_hand(stocked, gloves) == Decimal(15)
    assert on_hand(foreign_storeroom, gloves) == Decimal(5)


def test_an_item_of_another_organisation_cannot_be_stocked(stocked, other_organisation, outsider_org, clerk):
    foreign = make_item(other_organisation, outsider_org, "Ręczniki")
    with pytest.raises(ValidationError):
        services.stock_receive(location=stocked, item=foreign, quantity=Decimal(1), actor=clerk)


def test_a_critical_item_running_low_alerts_the_owner_once(storeroom, organisation, manager, clerk, supplier):
    manager.email = "kierownik@example.invalid"
    manager.save()
    oxygen = make_item(organisation, manager, "Maseczki tlenowe", supplier=supplier, critical=True)
    services.stock_receive(location=storeroom, item=oxygen, quantity=Decimal(6), actor=clerk)
    services.level_set(
        location=storeroom, item=oxygen, actor=manager, reorder_point=Decimal(3), target_level=Decimal(10)
    )
    services.stock_consume(location=storeroom, item=oxygen, quantity=Decimal(3), actor=clerk)
    services.stock_consume(location=storeroom, item=oxygen, quantity=Decimal(1), actor=clerk)
    alerts = OutboundMessage.objects.filter(recipient="kierownik@example.invalid", subject__startswith="Running low")
    assert alerts.count() == 1


operations = st.lists(
    st.tuples(
        st.sampled_from(["receive", "consume", "adjust", "write_off", "transfer"]),
        st.integers(min_value=-5, max_value=12),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_on_hand_is_always_the_sum_of_the_movements_and_never_below_zero(
    storeroom, foreign_storeroom, gloves, clerk, steps
):
    with transaction.atomic():
        for operation, amount in steps:
            quantity = Decimal(amount)
            try:
                with transaction.atomic():
                    if operation == "receive":
                        services.stock_receive(location=storeroom, item=gloves, quantity=quantity, actor=clerk)
                    elif operation == "consume":
                        services.stock_consume(location=storeroom, item=gloves, quantity=quantity, actor=clerk)
                    elif operation == "adjust":
                        services.stock_adjust(
                            location=storeroom, item=gloves, change=quantity, reason="Przeliczenie", actor=clerk
                        )
                    elif operation == "write_off":
                        services.stock_write_off(
                            location=storeroom, item=gloves, quantity=quantity, reason="Zniszczone", actor=clerk
                        )
                    else:
                        services.stock_transfer(
                            source=storeroom, target=foreign_storeroom, item=gloves, quantity=quantity, actor=clerk
                        )
            except ValidationError:
                pass
            for place in (storeroom, foreign_storeroom):
                if StockLevel.objects.filter(location=place, item=gloves).exists():
                    assert on_hand(place, gloves) == movements_sum(place, gloves)
                    assert on_hand(place, gloves) >= 0
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_unit_at_once_leave_stock_at_zero(organisation, branch, manager, clerk, agent):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs writing transactions one after another; the race needs PostgreSQL")
    location = services.location_save(branch=branch, actor=manager, name="Szafka")
    last = make_item(organisation, manager, "Opaska uciskowa")
    services.stock_receive(location=location, item=last, quantity=Decimal(1), actor=clerk)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def take(name, user):
        try:
            barrier.wait()
            outcomes[name] = services.stock_consume(location=location, item=last, quantity=Decimal(1), actor=user)
        except Exception as error:  # the outcome is what the test inspects
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(name, user)) for name, user in (("a", clerk), ("b", manager))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [o for o in outcomes.values() if isinstance(o, StockMovement)]
    refused = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert len(taken) == 1 and len(refused) == 1, outcomes
    assert on_hand(location, last) == Decimal(0) == movements_sum(location, last)


def test_the_daily_digest_lists_low_items_to_the_owner_once_a_day(stocked, gloves, clerk, manager):
    from django.utils import timezone

    from frontoffice.supplies.alerts import low_stock_digest

    manager.email = "kierownik@example.invalid"
    manager.save()
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(12), actor=clerk)
    now = timezone.now()
    assert low_stock_digest(now) == 1
    assert low_stock_digest(now) == 0
    digest = OutboundMessage.objects.get(subject="Low stock at Magazynek")
    assert "Rękawiczki nitrylowe M: 8 pair" in digest.body
