"""Permission-matrix entries for the desk's money pages and API (merged into tests/test_permission_matrix.py).

Payments, refunds, documents and drawers belong to ``branch``: a manager of another branch and an
administrator of another organisation get 404 for them (``scoped``). The world adds a paid sale with a
pending refund (asked for by the clerk) and an invoice, an extra charge on the stay, and a clerk's open
drawer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
TAKERS = frozenset({"clerk", "manager", "admin"})
APPROVERS = frozenset({"manager", "executive", "admin"})
ADMINS = frozenset({"admin"})
VOIDERS = frozenset({"clerk", "manager", "admin"})
CORRECTORS = frozenset({"clerk", "manager", "admin"})


def _sale(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["money_sale"].pk}


def _api_sale(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"visit_id": ctx["money_sale"].pk}


def _refund(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ctx["money_refund"].pk}


def _api_refund(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"refund_id": ctx["money_refund"].pk}


CASES: dict[str, Case] = {
    "desk:payment_take": Case(roles=TAKERS, kwargs=_sale, scoped=True),
    "desk:charge_add": Case(
        roles=TAKERS,
        kwargs=lambda ctx: {"pk": ctx["desk_stay"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {"description": "Minibar", "quantity": "1", "unit_price": "12.00", "vat_rate": "23"},
        ok=(302,),
    ),
    "desk:charge_void": Case(
        roles=VOIDERS,
        kwargs=lambda ctx: {"pk": ctx["desk_stay"].pk, "charge_pk": ctx["money_charge"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {"reason": "Pomyłka"},
        ok=(302,),
    ),
    "desk:sale_document_pdf": Case(roles=VIEWERS, kwargs=lambda ctx: {"pk": ctx["money_document"].pk}, scoped=True),
    "desk:invoice_correct": Case(roles=CORRECTORS, kwargs=lambda ctx: {"pk": ctx["money_invoice"].pk}, scoped=True),
    "desk:refund_request": Case(roles=TAKERS, kwargs=_sale, scoped=True),
    # The sale is paid: the receipt page issues nothing on GET; the invoice page asks for the buyer.
    "desk:receipt": Case(roles=TAKERS, kwargs=_sale, scoped=True),
    "desk:invoice": Case(roles=TAKERS, kwargs=_sale, scoped=True),
    "desk:refund_list": Case(roles=APPROVERS),
    "desk:refund_decide": Case(
        roles=APPROVERS,
        kwargs=_refund,
        scoped=True,
        method="post",
        data=lambda ctx: {"decision": "reject", "comment": "Brak paragonu"},
        ok=(302,),
    ),
    "desk:drawer": Case(roles=TAKERS),
    "desk:drawer_open": Case(
        roles=TAKERS,
        method="post",
        data=lambda ctx: {"opening_float": "100.00"},
        ok=(302,),
        # The clerk's drawer is open already (the world's); the others open theirs. Outsiders open one at
        # their own branch.
        overrides={"clerk": 400},
    ),
    "desk:drawer_close": Case(
        roles=TAKERS,
        method="post",
        data=lambda ctx: {"counted_amount": "150.00"},
        ok=(302,),
        # Only the clerk has an open drawer to close; the others are told they have none.
        overrides={"manager": 400, "admin": 400, "outsider_branch": 400, "outsider_org": 400},
    ),
    "desk:drawer_sessions": Case(roles=APPROVERS),
    "desk:money_settings": Case(roles=ADMINS),
    "api:folio_get": api_case(roles=VIEWERS, kwargs=_api_sale, scoped=True),
    "api:charge_create": api_case(
        roles=TAKERS,
        kwargs=lambda ctx: {"visit_id": ctx["desk_stay"].pk},
        scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {"description": "Parking", "unit_price": "30.00"},
    ),
    "api:charge_void": api_case(
        roles=VOIDERS,
        kwargs=lambda ctx: {"visit_id": ctx["desk_stay"].pk, "charge_id": ctx["money_charge"].pk},
        scoped=True,
        method="post",
        data=lambda ctx: {"reason": "Pomyłka"},
    ),
    "api:correction_create": api_case(
        roles=CORRECTORS,
        kwargs=lambda ctx: {"document_id": ctx["money_invoice"].pk},
        scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {"reason": "Anulowanie", "to_zero": True},
    ),
    "api:correction_list": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"document_id": ctx["money_invoice"].pk}, scoped=True
    ),
    "api:payment_create": api_case(
        roles=TAKERS,
        kwargs=lambda ctx: {"visit_id": ctx["desk_stay"].pk},
        scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {"method": "card", "amount": "10.00", "terminal_receipt": "T-77"},
    ),
    "api:refund_create": api_case(
        roles=TAKERS,
        kwargs=_api_sale,
        scoped=True,
        method="post",
        ok=(201,),
        data=lambda ctx: {"method": "card", "amount": "5.00", "reason": "Rysa"},
    ),
    "api:refund_list": api_case(roles=APPROVERS),
    "api:refund_approve": api_case(
        roles=APPROVERS, kwargs=_api_refund, scoped=True, method="post", data=lambda ctx: {"comment": "OK"}
    ),
    "api:refund_reject": api_case(
        roles=APPROVERS, kwargs=_api_refund, scoped=True, method="post", data=lambda ctx: {"comment": "Nie"}
    ),
    "api:drawer_list": api_case(roles=TAKERS),
    "api:drawer_open": api_case(
        roles=TAKERS,
        method="post",
        ok=(201,),
        data=lambda ctx: {"branch_id": ctx["branch"].pk, "opening_float": "50.00"},
        # The clerk's drawer is open already; the outsiders cannot see the branch (a field error).
        overrides={"clerk": 422, "outsider_branch": 422, "outsider_org": 422},
    ),
    "api:drawer_close": api_case(
        roles=TAKERS,
        kwargs=lambda ctx: {"session_id": ctx["money_drawer"].pk},
        method="post",
        data=lambda ctx: {"counted_amount": "150.00"},
        owner_only="clerk",
    ),
    "api:document_create": api_case(
        roles=TAKERS, kwargs=_api_sale, scoped=True, method="post", ok=(201,), data=lambda ctx: {"kind": "receipt"}
    ),
    "api:document_pdf": api_case(
        roles=VIEWERS, kwargs=lambda ctx: {"document_id": ctx["money_document"].pk}, scoped=True
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A sale paid by card with a pending refund the clerk asked for and its invoice, a receipt of another
    paid sale, breakfasts charged on the checked-in stay, and the clerk's open drawer (150.00 float)."""
    from frontoffice.desk import services as desk
    from frontoffice.desk.money import services

    branch, clerk, admin = ctx["branch"], ctx["clerk"], ctx["admin"]
    organisation = branch.organisation
    services.money_settings_update(
        organisation=organisation,
        actor=admin,
        expected_version=None,
        seller_nip="5260250274",
        approval_ladder=[{"above": "0", "role": "manager"}],
    )

    def paid_sale() -> Any:
        sale = desk.visit_create(
            branch=branch, actor=clerk, client=ctx["client"], visit_type=ctx["desk_sale"].visit_type
        )
        desk.visit_line_add(visit=sale, actor=clerk, description="Lampa", quantity=Decimal(1), unit_price=Decimal("80"))
        services.payment_take(visit=sale, actor=clerk, method="card", amount=Decimal("80"), terminal_receipt="T-1")
        return sale

    sale = paid_sale()
    refund = services.refund_request(visit=sale, actor=clerk, amount=Decimal("20"), method="card", reason="Rysa")
    invoice = services.document_issue(visit=sale, actor=clerk, kind="invoice", buyer_name="Firma ABC")
    document = services.document_issue(visit=paid_sale(), actor=clerk, kind="receipt")
    charge = services.charge_add(
        visit=ctx["desk_stay"], actor=clerk, description="Śniadania", quantity=Decimal(2), unit_price=Decimal("45")
    )
    drawer = services.drawer_open(branch=branch, actor=clerk, opening_float=Decimal("150.00"))
    return {
        "money_sale": sale,
        "money_refund": refund,
        "money_document": document,
        "money_invoice": invoice,
        "money_charge": charge,
        "money_drawer": drawer,
    }
