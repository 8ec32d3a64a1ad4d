"""Supplies fixtures: a supplier, a small catalogue and a storeroom in ``branch`` with stock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from frontoffice.supplies import services
from frontoffice.supplies.choices import ItemCategory, Unit
from tests.factories import DepartmentFactory


@pytest.fixture
def supplier(organisation, manager):
    return services.supplier_save(
        organisation=organisation,
        actor=manager,
        data=services.SupplierData(name="Medisfera Hurt", order_email="zamowienia@medisfera.example", nip="5260250995"),
    )


def make_item(organisation, actor, name, *, supplier=None, price="10.00", whole=True, critical=False, **extra):
    return services.item_save(
        organisation=organisation,
        actor=actor,
        data=services.ItemData(
            name=name,
            category=extra.pop("category", ItemCategory.MEDICAL),
            unit=extra.pop("unit", Unit.PAIR),
            whole_units_only=whole,
            preferred_supplier=supplier,
            last_price=Decimal(price),
            is_critical=critical,
            **extra,
        ),
    )


@pytest.fixture
def gloves(organisation, manager, supplier):
    return make_item(organisation, manager, "Rękawiczki nitrylowe M", supplier=supplier, price="0.50")


@pytest.fixture
def gel(organisation, manager, supplier):
    return make_item(
        organisation, manager, "Żel do USG", supplier=supplier, price="12.00", whole=False, unit=Unit.LITRE
    )


@pytest.fixture
def department(branch):
    return DepartmentFactory(branch=branch, name="Gabinet zabiegowy")


@pytest.fixture
def storeroom(branch, manager, department):
    return services.location_save(branch=branch, actor=manager, name="Magazynek", department=department, owner=manager)


@pytest.fixture
def foreign_storeroom(other_branch, manager):
    return services.location_save(branch=other_branch, actor=manager, name="Magazyn Południe")


@pytest.fixture
def stocked(storeroom, gloves, gel, clerk):
    """20 pairs of gloves and 2.5 l of gel in the storeroom; gloves reorder at 10, up to 50."""
    services.stock_receive(location=storeroom, item=gloves, quantity=Decimal(20), actor=clerk)
    services.stock_receive(location=storeroom, item=gel, quantity=Decimal("2.5"), actor=clerk)
    services.level_set(
        location=storeroom, item=gloves, actor=clerk, reorder_point=Decimal(10), target_level=Decimal(50)
    )
    return storeroom
