"""A finished visit books what its visit type uses, through the desk's workflow hooks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services as desk
from frontoffice.desk.services import VisitData
from frontoffice.supplies import services
from frontoffice.supplies.models import StockLevel, StockMovement


def _finished_visit(organisation, branch, clerk, manager, name="Konsultacja"):
    visit_type = desk.visit_type_create(
        organisation=organisation, actor=manager, name=name, vertical="clinic", price=Decimal("0")
    )
    client = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Jan", family_name="Testowy"), branch=branch
    )
    visit = desk.visit_create(
        branch=branch,
        actor=clerk,
        client=client,
        visit_type=visit_type,
        data=VisitData(scheduled_at=timezone.now() + timedelta(hours=1)),
    )
    return visit_type, visit


def test_finishing_a_visit_uses_two_pairs_of_gloves(organisation, branch, clerk, manager, stocked, gloves):
    visit_type, visit = _finished_visit(organisation, branch, clerk, manager)
    services.visit_rule_save(
        location=stocked, visit_type_id=visit_type.pk, item=gloves, quantity=Decimal(2), actor=manager
    )
    for status in ("arrived", "in_progress"):
        visit = desk.visit_transition(visit=visit, to_status=status, actor=clerk)
    assert not StockMovement.objects.filter(visit_id=visit.pk).exists()
    desk.visit_transition(visit=visit, to_status="finished", actor=clerk)
    movement = StockMovement.objects.get(visit_id=visit.pk)
    assert movement.quantity == Decimal(-2) and movement.actor == clerk
    assert StockLevel.objects.get(location=stocked, item=gloves).on_hand == Decimal(18)


def test_an_empty_shelf_never_blocks_the_desk(organisation, branch, clerk, manager, storeroom, gloves):
    visit_type, visit = _finished_visit(organisation, branch, clerk, manager)
    services.visit_rule_save(
        location=storeroom, visit_type_id=visit_type.pk, item=gloves, quantity=Decimal(2), actor=manager
    )
    for status in ("arrived", "in_progress", "finished"):
        visit = desk.visit_transition(visit=visit, to_status=status, actor=clerk)
    assert visit.status == "finished"
    assert not StockMovement.objects.filter(visit_id=visit.pk).exists()
