"""Permission-matrix entries for the supplies catalogue, location, ladder, order and delivery pages.

Everyone who sees supplies reads the catalogue, locations and orders; managers and administrators keep
the catalogue (``manage_catalogue``); clerks, managers and administrators send orders and receive
deliveries (``manage_orders``). Items and suppliers belong to the organisation (``org_scoped``);
locations, their rules, orders and deliveries belong to ``branch`` (``scoped``).
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case

VIEWERS = frozenset({"clerk", "manager", "executive", "admin"})
HANDLERS = frozenset({"clerk", "manager", "admin"})
KEEPERS = frozenset({"manager", "admin"})


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A supplier and two of its items, a cupboard in ``branch`` with a visit rule, a draft order and a sent,
    partly delivered one."""
    from decimal import Decimal

    from frontoffice.desk import services as desk
    from frontoffice.supplies import services
    from frontoffice.supplies import services_orders as orders

    organisation, branch, manager, clerk = ctx["organisation"], ctx["branch"], ctx["manager"], ctx["clerk"]
    location = services.location_save(branch=branch, actor=manager, name="Szafka macierzy")
    suppliers = [
        services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name=name, order_email=f"{code}@example.com"),
        )
        for code, name in (("a", "Hurtownia macierzy A"), ("b", "Hurtownia macierzy B"))
    ]
    items = [
        services.item_save(
            organisation=organisation,
            actor=manager,
            data=services.ItemData(
                name=f"Maseczki macierz {supplier.name[-1]}",
                category="medical",
                unit="box",
                preferred_supplier=supplier,
                last_price=Decimal("2"),
            ),
        )
        for supplier in suppliers
    ]
    services.level_set(
        location=location, item=items[0], actor=manager, reorder_point=Decimal(1), target_level=Decimal(5)
    )
    visit_type = desk.visit_type_create(
        organisation=organisation, actor=manager, name="Wizyta macierzy", vertical="clinic", price=Decimal(0)
    )
    rule = services.visit_rule_save(
        location=location, visit_type_id=visit_type.pk, item=items[0], quantity=Decimal(1), actor=manager
    )
    request = services.request_create(
        location=location,
        actor=clerk,
        lines=[services.RequestLineData(item=item, quantity=Decimal(4)) for item in items],
    )
    services.request_approve(request=request, actor=manager)
    draft, sent = sorted(orders.orders_from_approved(branch=branch, actor=clerk), key=lambda order: order.supplier.name)
    sent = orders.order_send(order=sent, actor=clerk)
    line = sent.lines.get()
    receipt = orders.receipt_create(order=sent, actor=clerk, lines={line.pk: orders.DeliveredLine(quantity=Decimal(1))})
    return {
        "cat_location": location,
        "cat_supplier": suppliers[0],
        "cat_item": items[0],
        "cat_rule": rule,
        "cat_draft": draft,
        "cat_sent": sent,
        "cat_receipt": receipt,
    }


def _pk(key: str) -> Any:
    return lambda ctx: {"pk": ctx[key].pk}


CASES: dict[str, Case] = {
    # The catalogue
    "supplies:item_list": Case(roles=VIEWERS),
    "supplies:item_create": Case(roles=KEEPERS),
    "supplies:item_edit": Case(roles=KEEPERS, kwargs=_pk("cat_item"), org_scoped=True),
    "supplies:item_deactivate": Case(roles=KEEPERS, kwargs=_pk("cat_item"), org_scoped=True, method="post", ok=(302,)),
    "supplies:supplier_list": Case(roles=VIEWERS),
    "supplies:supplier_create": Case(roles=KEEPERS),
    "supplies:supplier_edit": Case(roles=KEEPERS, kwargs=_pk("cat_supplier"), org_scoped=True),
    "supplies:location_list": Case(roles=VIEWERS),
    "supplies:location_create": Case(roles=KEEPERS),
    "supplies:location_detail": Case(roles=VIEWERS, kwargs=_pk("cat_location"), scoped=True),
    "supplies:location_edit": Case(roles=KEEPERS, kwargs=_pk("cat_location"), scoped=True),
    "supplies:level_set": Case(
        roles=KEEPERS,
        kwargs=_pk("cat_location"),
        scoped=True,
        method="post",
        data=lambda ctx: {"item": ctx["cat_item"].pk, "reorder_point": "2", "target_level": "6"},
        ok=(302,),
    ),
    "supplies:ladder": Case(roles=KEEPERS),
    "supplies:visit_rule_list": Case(roles=KEEPERS),
    "supplies:visit_rule_delete": Case(roles=KEEPERS, kwargs=_pk("cat_rule"), scoped=True, method="post", ok=(302,)),
    # Orders and deliveries
    "supplies:order_list": Case(roles=VIEWERS),
    "supplies:order_create": Case(
        roles=HANDLERS, scoped=True, method="post", data=lambda ctx: {"branch": ctx["branch"].pk}, ok=(302,)
    ),
    "supplies:order_detail": Case(roles=VIEWERS, kwargs=_pk("cat_draft"), scoped=True),
    "supplies:order_pdf": Case(roles=VIEWERS, kwargs=_pk("cat_draft"), scoped=True),
    "supplies:order_send": Case(roles=HANDLERS, kwargs=_pk("cat_draft"), scoped=True, method="post", ok=(302,)),
    "supplies:order_cancel": Case(roles=HANDLERS, kwargs=_pk("cat_draft"), scoped=True, method="post", ok=(302,)),
    "supplies:receipt_create": Case(roles=HANDLERS, kwargs=_pk("cat_sent"), scoped=True),
    "supplies:receipt_detail": Case(roles=VIEWERS, kwargs=_pk("cat_receipt"), scoped=True),
}
