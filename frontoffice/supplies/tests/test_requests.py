"""Purchase requests: low stock pre-filled, the approval ladder by amount, and nobody approves their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from frontoffice.core.models import OutboundMessage
from frontoffice.supplies import selectors, services
from frontoffice.supplies.choices import RequestStatus

from .conftest import make_item


def _request(location, actor, item, quantity):
    return services.request_create(
        location=location, actor=actor, lines=[services.RequestLineData(item=item, quantity=Decimal(quantity))]
    )


@pytest.fixture
def monitor(organisation, manager, supplier):
    return make_item(organisation, manager, "Monitor 24 cale", supplier=supplier, price="700.00", unit="piece")


def test_low_stock_items_are_suggested_up_to_their_target(stocked, gloves, clerk):
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(12), actor=clerk)
    suggested = selectors.low_stock(user=clerk, location=stocked)
    assert [(level.item, services.suggested_quantity(level)) for level in suggested] == [(gloves, Decimal(42))]


@pytest.mark.parametrize(
    ("amount", "role"),
    [
        (Decimal("0.01"), "clerk"),
        (Decimal(500), "clerk"),
        (Decimal("500.01"), "manager"),
        (Decimal(5000), "manager"),
        (Decimal("5000.01"), "executive"),
    ],
)
def test_the_default_ladder_names_the_approver_by_amount(organisation, amount, role):
    assert services.approver_role_for(organisation, amount) == role


def test_an_organisation_sets_its_own_ladder(organisation, admin):
    services.ladder_set(organisation=organisation, actor=admin, steps=[(Decimal(100), "manager"), (None, "executive")])
    assert services.approver_role_for(organisation, Decimal(50)) == "manager"
    assert services.approver_role_for(organisation, Decimal(150)) == "executive"


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [(Decimal(100), "manager")],
        [(Decimal(500), "clerk"), (Decimal(100), "manager"), (None, "executive")],
        [(None, "manager"), (None, "executive")],
        [(Decimal(100), "nobody"), (None, "executive")],
    ],
)
def test_a_broken_ladder_is_refused(organisation, admin, steps):
    with pytest.raises(ValidationError):
        services.ladder_set(organisation=organisation, actor=admin, steps=steps)


def test_a_request_is_priced_from_the_last_price_and_approvers_are_told(
    stocked, gloves, clerk, agent, manager, executive
):
    for person in (manager, executive):
        person.email = f"{person.username}@example.invalid"
        person.save()
    request = _request(stocked, manager, gloves, 40)
    assert request.total == Decimal("20.00")
    assert request.approver_role == "clerk"
    assert request.number.startswith("ZZ-")
    told = set(OutboundMessage.objects.values_list("recipient", flat=True))
    assert told == {clerk.email, "executive@example.invalid"}  # everyone who may approve, but not the one who asked


def test_a_clerk_approves_a_small_request_of_someone_else(stocked, gloves, clerk, manager):
    request = _request(stocked, manager, gloves, 40)
    approved = services.request_approve(request=request, actor=clerk, comment="OK")
    assert approved.status == RequestStatus.APPROVED
    assert approved.decided_by == clerk and approved.decision_comment == "OK"


def test_nobody_approves_their_own_request(stocked, gloves, clerk):
    request = _request(stocked, clerk, gloves, 10)
    with pytest.raises(ValidationError) as caught:
        services.request_approve(request=request, actor=clerk)
    assert "You cannot approve your own request" in caught.value.messages[0]


def test_a_clerk_cannot_approve_above_the_clerks_rung_but_a_manager_can(stocked, monitor, clerk, manager, admin):
    request = _request(stocked, admin, monitor, 1)  # 700 PLN
    assert request.approver_role == "manager"
    with pytest.raises(ValidationError) as caught:
        services.request_approve(request=request, actor=clerk)
    assert "needs approval by a Front office manager or higher" in caught.value.messages[0]
    assert services.request_approve(request=request, actor=manager).status == RequestStatus.APPROVED


def test_only_an_executive_approves_above_five_thousand(stocked, monitor, clerk, manager, executive):
    request = _request(stocked, clerk, monitor, 8)  # 5,600 PLN
    with pytest.raises(ValidationError):
        services.request_approve(request=request, actor=manager)
    assert services.request_approve(request=request, actor=executive).status == RequestStatus.APPROVED


def test_a_rejection_needs_a_comment_and_tells_the_requester(stocked, gloves, clerk, manager):
    clerk.email = "recepcja@example.invalid"
    clerk.save()
    request = _request(stocked, clerk, gloves, 10)
    with pytest.raises(ValidationError) as caught:
        services.request_reject(request=request, actor=manager, comment=" ")
    assert "comment" in caught.value.message_dict
    services.request_reject(request=request, actor=manager, comment="Mamy zapas w drugim oddziale")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert OutboundMessage.objects.filter(recipient="recepcja@example.invalid").exists()


def test_a_decided_request_cannot_be_decided_again(stocked, gloves, clerk, manager, executive):
    request = _request(stocked, clerk, gloves, 10)
    services.request_approve(request=request, actor=manager)
    with pytest.raises(ValidationError):
        services.request_reject(request=request, actor=executive, comment="Za późno")


def test_a_fractional_quantity_of_gloves_is_refused_on_its_line(stocked, gloves, clerk):
    with pytest.raises(ValidationError) as caught:
        _request(stocked, clerk, gloves, "2.5")
    assert "whole number" in caught.value.message_dict["line-0"][0]
