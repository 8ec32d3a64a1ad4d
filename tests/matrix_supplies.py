"""Permission-matrix entries for the supplies app (merged into tests/test_permission_matrix.py).

Clerks, managers and administrators run the storeroom (take, request, approve within the ladder);
executives see and approve; agents and security staff have no business with supplies. Managers,
executives and administrators read the reports. Locations, stock, movements and requests belong to
``branch`` (``scoped``).
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import MANAGERS_UP, Case

VIEWERS = frozenset({"clerk", "manager", "executive", "admin"})
HANDLERS = frozenset({"clerk", "manager", "admin"})
APPROVERS = frozenset({"clerk", "manager", "executive", "admin"})
# The reports (the adjustments one too, until security staff get a permission of their own to read it).
REPORT_READERS = MANAGERS_UP


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A storeroom in ``branch`` with gloves on hand, and a small request filed by the administrator."""
    from decimal import Decimal

    from frontoffice.supplies import services

    organisation, branch, manager, admin = ctx["organisation"], ctx["branch"], ctx["manager"], ctx["admin"]
    location = services.location_save(branch=branch, actor=manager, name="Magazynek macierzy")
    gloves = services.item_save(
        organisation=organisation,
        actor=manager,
        data=services.ItemData(name="Rękawiczki macierz", category="medical", unit="pair", last_price=Decimal("1")),
    )
    services.stock_receive(location=location, item=gloves, quantity=Decimal(100), actor=manager)
    request = services.request_create(
        location=location, actor=admin, lines=[services.RequestLineData(item=gloves, quantity=Decimal(5))]
    )
    return {"sup_location": location, "sup_item": gloves, "sup_request": request}


def _request(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["sup_request"].pk}


CASES: dict[str, Case] = {
    "supplies:take": Case(roles=HANDLERS),
    "supplies:stock_list": Case(roles=VIEWERS),
    "supplies:movement_list": Case(roles=VIEWERS),
    "supplies:request_list": Case(roles=VIEWERS),
    "supplies:request_create": Case(roles=HANDLERS),
    "supplies:request_detail": Case(roles=VIEWERS, kwargs=_request, scoped=True),
    # The admin filed the request: the admin is refused by the service (400, "your own request").
    "supplies:request_decide": Case(
        roles=APPROVERS,
        kwargs=_request,
        scoped=True,
        method="post",
        data=lambda ctx: {"decision": "approve", "comment": ""},
        ok=(302, 400),
    ),
    # Reports: lists of the user's branches (scoping is tested in frontoffice/supplies/tests/test_reports.py).
    "supplies:report_consumption": Case(roles=REPORT_READERS),
    "supplies:report_spend": Case(roles=REPORT_READERS),
    "supplies:report_low_stock": Case(roles=REPORT_READERS),
    "supplies:report_adjustments": Case(roles=REPORT_READERS),
}
