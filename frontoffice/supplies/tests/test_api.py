"""The supplies API: catalogue, locations and stock, movements, requests with their approval, orders and
deliveries; every refusal of the services comes back as 422 naming the field, with nothing written."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontoffice.core.apikit import STALE_EDIT, VALIDATION_ERROR
from frontoffice.supplies import services
from frontoffice.supplies import services_orders as orders
from frontoffice.supplies.choices import OrderStatus, RequestStatus
from frontoffice.supplies.models import PurchaseRequest, Receipt, StockLevel, StockMovement
from tests.factories import DepartmentFactory
from tests.test_api_support import assert_problem, bearer_client

from .conftest import make_item

API = "/api/v1/supplies"


def _send(client, method, path, body=None, **headers):
    return getattr(client, method)(API + path, json.dumps(body or {}), content_type="application/json", headers=headers)


def _post(client, path, body=None, **headers):
    return _send(client, "post", path, body, **headers)


def _errors(response) -> dict[str | None, str]:
    body = assert_problem(response, 422, type=VALIDATION_ERROR)
    return {error["field"]: error["message"] for error in body["errors"]}


def _on_hand(location, item) -> Decimal:
    return StockLevel.objects.get(location=location, item=item).on_hand


@pytest.fixture
def cupboard(branch, manager):
    return services.location_save(branch=branch, actor=manager, name="Szafka w rejestracji")


@pytest.fixture
def submitted(stocked, gloves, clerk):
    """A clerk's request for 30 pairs of gloves (15 PLN: a clerk's rung)."""
    return services.request_create(
        location=stocked, actor=clerk, lines=[services.RequestLineData(item=gloves, quantity=Decimal(30))]
    )


@pytest.fixture
def sent_order(submitted, manager, branch, clerk):
    services.request_approve(request=submitted, actor=manager)
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    return orders.order_send(order=order, actor=clerk)


# --- catalogue ---------------------------------------------------------------------------------------------


def test_a_manager_adds_an_item_and_changes_it_with_the_version_read(login, manager, supplier):
    client = login(manager)
    created = _post(
        client,
        "/items",
        {"name": "Maseczki", "category": "medical", "unit": "box", "preferred_supplier_id": supplier.pk},
        **{"Idempotency-Key": "item-1"},
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["currency"], item["version"], item["whole_units_only"]) == ("PLN", 1, True)

    changed = _send(client, "put", f"/items/{item['id']}", {"name": "Maseczki FFP2", "unit": "box", "version": 1})
    stale = _send(client, "put", f"/items/{item['id']}", {"name": "Maseczki stare", "unit": "box", "version": 1})

    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert changed.json()["preferred_supplier_id"] is None  # PUT replaces every field
    assert assert_problem(stale, 409, type=STALE_EDIT)["detail"].startswith("This record was changed by")
    assert client.get(f"{API}/items/{item['id']}").json()["name"] == "Maseczki FFP2"


def test_an_item_named_like_another_or_with_a_foreign_supplier_is_refused(
    login, manager, gloves, outsider_org, other_organisation
):
    foreign = services.supplier_save(
        organisation=other_organisation,
        actor=outsider_org,
        data=services.SupplierData(name="Obcy Hurt", order_email="obcy@example.invalid"),
    )
    client = login(manager)

    same_name = _post(client, "/items", {"name": gloves.name})
    foreign_supplier = _post(client, "/items", {"name": "Nowe", "preferred_supplier_id": foreign.pk})

    assert "Another item already has this name." in _errors(same_name).values()
    assert _errors(foreign_supplier) == {
        "preferred_supplier_id": "No such record, or it is outside your organisation or branches."
    }


def test_suppliers_are_added_with_a_checked_nip_and_listed_by_words(login, manager, supplier):
    client = login(manager)
    wrong = _post(client, "/suppliers", {"name": "Zły NIP", "order_email": "a@b.example", "nip": "123-456-78-90"})
    bad_email = _post(client, "/suppliers", {"name": "Zły adres", "order_email": "nie-adres"})
    good = _post(client, "/suppliers", {"name": "Biuro Max", "order_email": "b@max.example", "nip": "526-025-09-95"})

    assert "nip" in _errors(wrong) and "order_email" in _errors(bad_email)
    assert good.status_code == 201 and good.json()["nip"] == "5260250995"
    assert [row["name"] for row in client.get(f"{API}/suppliers", {"q": "max"}).json()["items"]] == ["Biuro Max"]
    changed = _send(
        client,
        "put",
        f"/suppliers/{supplier.pk}",
        {"name": supplier.name, "order_email": "nowy@m.example", "version": 1},
    )
    assert changed.json()["order_email"] == "nowy@m.example"


def test_items_are_filtered_by_words_category_and_supplier(login, clerk, organisation, manager, gloves, gel):
    make_item(organisation, manager, "Papier A4", category="office", unit="pack")
    client = login(clerk)

    def names(**query):
        return [row["name"] for row in client.get(f"{API}/items", query).json()["items"]]

    assert names(q="usg") == ["Żel do USG"]
    assert names(category="office") == ["Papier A4"]
    assert names(supplier_id=gloves.preferred_supplier_id) == ["Rękawiczki nitrylowe M", "Żel do USG"]


def test_a_clerk_reads_the_catalogue_but_cannot_change_it(login, clerk, gloves):
    client = login(clerk)

    assert client.get(f"{API}/items/{gloves.pk}").status_code == 200
    assert_problem(_post(client, "/items", {"name": "Nowe"}), 403)
    assert_problem(_send(client, "put", f"/items/{gloves.pk}", {"name": "X", "version": 1}), 403)


def test_another_organisations_catalogue_is_never_reachable(login, outsider_org, gloves, supplier):
    client = login(outsider_org)

    assert_problem(client.get(f"{API}/items/{gloves.pk}"), 404)
    assert_problem(client.get(f"{API}/suppliers/{supplier.pk}"), 404)
    assert_problem(_send(client, "put", f"/items/{gloves.pk}", {"name": "Przejęte", "version": 1}), 404)
    assert client.get(f"{API}/items").json()["count"] == 0


# --- locations and stock -----------------------------------------------------------------------------------


def test_stock_levels_are_filtered_by_location_item_and_low_only(login, clerk, stocked, gloves, gel, cupboard):
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(12), actor=clerk)
    services.stock_receive(location=cupboard, item=gloves, quantity=Decimal(3), actor=clerk)
    client = login(clerk)

    def rows(**query):
        page = client.get(f"{API}/stock", query).json()
        return [(row["location_id"], row["item_name"], row["on_hand"]) for row in page["items"]]

    assert rows(location_id=stocked.pk) == [(stocked.pk, gloves.name, "8.000"), (stocked.pk, gel.name, "2.500")]
    assert {row[0] for row in rows(item_id=gloves.pk)} == {stocked.pk, cupboard.pk}
    low = client.get(f"{API}/stock", {"low_only": "true"}).json()["items"]
    assert [(row["item_id"], row["is_low"], row["shortfall"]) for row in low] == [(gloves.pk, True, "42.000")]


def test_locations_are_those_of_your_branches(login, clerk, admin, stocked, foreign_storeroom):
    assert [row["id"] for row in login(clerk).get(f"{API}/locations").json()["items"]] == [stocked.pk]
    assert_problem(login(clerk).get(f"{API}/locations/{foreign_storeroom.pk}"), 404)
    assert login(admin).get(f"{API}/locations/{foreign_storeroom.pk}").json()["name"] == "Magazyn Południe"


def test_a_manager_sets_the_reorder_point_and_target(login, manager, stocked, gel):
    client = login(manager)

    answer = _send(
        client, "put", f"/locations/{stocked.pk}/levels/{gel.pk}", {"reorder_point": 3, "target_level": "10"}
    )
    below = _send(client, "put", f"/locations/{stocked.pk}/levels/{gel.pk}", {"reorder_point": 5, "target_level": 2})

    assert answer.status_code == 200
    assert (answer.json()["reorder_point"], answer.json()["is_low"]) == ("3.000", True)
    assert _errors(below) == {"target_level": "The target level cannot be below the reorder point."}
    assert StockLevel.objects.get(location=stocked, item=gel).target_level == Decimal(10)


def test_levels_are_set_only_by_the_catalogue_keepers_of_the_branch(login, clerk, outsider_branch, stocked, gel):
    body = {"reorder_point": 1, "target_level": 2}
    assert_problem(_send(login(clerk), "put", f"/locations/{stocked.pk}/levels/{gel.pk}", body), 403)
    assert_problem(_send(login(outsider_branch), "put", f"/locations/{stocked.pk}/levels/{gel.pk}", body), 404)


# --- movements ---------------------------------------------------------------------------------------------


def test_taking_from_stock_books_a_movement_found_by_the_filters(login, clerk, manager, stocked, gloves, department):
    client = login(clerk)

    taken = _post(client, "/movements/consume", {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 2})

    assert taken.status_code == 201, taken.content
    assert (taken.json()["kind"], taken.json()["quantity"], taken.json()["department_id"]) == (
        "consumed",
        "-2.000",
        department.pk,
    )
    assert _on_hand(stocked, gloves) == Decimal(18)
    today = timezone.localdate().isoformat()
    found = client.get(
        f"{API}/movements",
        {"kind": "consumed", "actor_id": clerk.pk, "item_id": gloves.pk, "location_id": stocked.pk, "date_from": today},
    ).json()
    assert [row["id"] for row in found["items"]] == [taken.json()["id"]]
    assert client.get(f"{API}/movements", {"actor_id": manager.pk}).json()["count"] == 0
    assert client.get(f"{API}/movements", {"date_to": "2000-01-01"}).json()["count"] == 0


def test_corrections_write_offs_and_transfers_are_booked(login, clerk, stocked, gloves, cupboard):
    client = login(clerk)

    adjusted = _post(
        client,
        "/movements/adjust",
        {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": -3, "reason": "Liczenie"},
    )
    written = _post(
        client,
        "/movements/write-off",
        {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 2, "reason": "Podarte"},
    )
    moved = _post(
        client,
        "/movements/transfer",
        {"source_id": stocked.pk, "target_id": cupboard.pk, "item_id": gloves.pk, "quantity": 5},
    )

    assert (adjusted.status_code, adjusted.json()["reason"]) == (201, "Liczenie")
    assert (written.status_code, written.json()["kind"]) == (201, "written_off")
    assert moved.status_code == 201
    assert (moved.json()["outgoing"]["quantity"], moved.json()["incoming"]["location_id"]) == ("-5.000", cupboard.pk)
    assert (_on_hand(stocked, gloves), _on_hand(cupboard, gloves)) == (Decimal(10), Decimal(5))


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        (
            "/movements/consume",
            {"quantity": 21},
            "quantity",
            "Only 20 pair of Rękawiczki nitrylowe M are on hand at Magazynek; you cannot take 21.",
        ),
        (
            "/movements/consume",
            {"quantity": "1.5"},
            "quantity",
            "Rękawiczki nitrylowe M is counted in whole units: enter a whole number.",
        ),
        ("/movements/consume", {"quantity": 0}, "quantity", "Enter a quantity above zero."),
        ("/movements/consume", {"quantity": -1}, "quantity", "Enter a quantity above zero."),
        (
            "/movements/adjust",
            {"quantity": -2},
            "reason",
            "Say why: a reason is required for adjustments and write-offs.",
        ),
        (
            "/movements/adjust",
            {"quantity": 2, "reason": "   "},
            "reason",
            "Say why: a reason is required for adjustments and write-offs.",
        ),
        ("/movements/adjust", {"quantity": 0, "reason": "x"}, "quantity", "An adjustment must change the stock."),
        (
            "/movements/write-off",
            {"quantity": 1},
            "reason",
            "Say why: a reason is required for adjustments and write-offs.",
        ),
        (
            "/movements/write-off",
            {"quantity": 25, "reason": "Zalane"},
            "quantity",
            "Only 20 pair of Rękawiczki nitrylowe M are on hand at Magazynek; you cannot take 25.",
        ),
    ],
)
def test_a_bad_movement_is_refused_with_the_reason_and_nothing_is_booked(
    login, clerk, stocked, gloves, path, body, field, message
):
    before = StockMovement.objects.count()

    refused = _post(login(clerk), path, {"location_id": stocked.pk, "item_id": gloves.pk, **body})

    assert _errors(refused) == {field: message}
    assert StockMovement.objects.count() == before
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_a_refusal_speaks_the_users_language(clerk, stocked, gloves):
    clerk.language = "pl"
    clerk.save(update_fields=["language"])

    refused = bearer_client(clerk).post(
        f"{API}/movements/write-off",
        json.dumps({"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 1}),
        content_type="application/json",
    )

    assert _errors(refused) == {"reason": "Podaj przyczynę: korekty i spisania jej wymagają."}


def test_a_transfer_to_the_same_or_an_unseen_location_is_refused(login, clerk, stocked, gloves, foreign_storeroom):
    client = login(clerk)
    body = {"source_id": stocked.pk, "item_id": gloves.pk, "quantity": 1}

    same = _post(client, "/movements/transfer", {**body, "target_id": stocked.pk})
    elsewhere = _post(client, "/movements/transfer", {**body, "target_id": foreign_storeroom.pk})

    assert _errors(same) == {"target_id": "Choose another location to move the stock to."}
    assert _errors(elsewhere) == {"target_id": "No such record, or it is outside your organisation or branches."}
    assert _on_hand(stocked, gloves) == Decimal(20)


@pytest.mark.parametrize("persona", ["outsider_branch", "outsider_org"])
def test_stock_of_another_branch_or_organisation_cannot_be_taken(request, login, stocked, gloves, persona):
    client = login(request.getfixturevalue(persona))

    refused = _post(client, "/movements/consume", {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 1})

    assert "location_id" in _errors(refused)
    assert client.get(f"{API}/movements").json()["count"] == 0
    assert client.get(f"{API}/stock").json()["count"] == 0


@pytest.mark.parametrize("persona", ["agent", "guard"])
def test_agents_and_guards_have_no_business_with_supplies(request, login, stocked, gloves, persona):
    client = login(request.getfixturevalue(persona))

    assert_problem(client.get(f"{API}/stock"), 403)
    assert_problem(
        _post(client, "/movements/consume", {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 1}), 403
    )


def test_an_executive_reads_stock_but_does_not_take_or_correct_it(login, executive, stocked, gloves):
    client = login(executive)
    body = {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 1}

    assert client.get(f"{API}/stock").json()["count"] == 2
    assert_problem(_post(client, "/movements/consume", body), 403)
    assert_problem(_post(client, "/movements/write-off", {**body, "reason": "Zalane"}), 403)


# --- purchase requests -------------------------------------------------------------------------------------


def test_a_request_is_filed_once_per_idempotency_key_and_priced_by_the_ladder(login, clerk, stocked, gloves, gel):
    client = login(clerk)
    body = {
        "location_id": stocked.pk,
        "note": "Na poniedziałek",
        "lines": [
            {"item_id": gloves.pk, "quantity": 40},
            {"item_id": gel.pk, "quantity": "1.5"},
        ],
    }

    first = _post(client, "/requests", body, **{"Idempotency-Key": "req-1"})
    again = _post(client, "/requests", body, **{"Idempotency-Key": "req-1"})

    assert first.status_code == 201, first.content
    filed = first.json()
    assert (filed["status"], filed["total"], filed["approver_role"]) == ("submitted", "38.00", "clerk")
    assert [(line["item_name"], line["amount"]) for line in filed["lines"]] == [
        ("Rękawiczki nitrylowe M", "20.00"),
        ("Żel do USG", "18.00"),
    ]
    assert again.json()["id"] == filed["id"] and PurchaseRequest.objects.count() == 1


def test_a_bad_request_line_is_named_and_nothing_is_filed(
    login, clerk, stocked, gloves, other_organisation, outsider_org
):
    foreign = make_item(other_organisation, outsider_org, "Obce mydło")
    client = login(clerk)

    fraction = _post(
        client,
        "/requests",
        {
            "location_id": stocked.pk,
            "lines": [
                {"item_id": gloves.pk, "quantity": 2},
                {"item_id": gloves.pk, "quantity": "0.5"},
            ],
        },
    )
    foreign_item = _post(
        client, "/requests", {"location_id": stocked.pk, "lines": [{"item_id": foreign.pk, "quantity": 1}]}
    )
    empty = _post(client, "/requests", {"location_id": stocked.pk, "lines": []})

    assert _errors(fraction) == {
        "lines.1.quantity": "Rękawiczki nitrylowe M is counted in whole units: enter a whole number."
    }
    assert _errors(foreign_item) == {
        "lines.0.item_id": "No such record, or it is outside your organisation or branches."
    }
    assert _errors(empty) == {None: "Add at least one item to the request."}
    assert PurchaseRequest.objects.count() == 0


def test_another_approver_approves_but_nobody_approves_their_own(login, clerk, manager, submitted):
    own = _post(login(clerk), f"/requests/{submitted.pk}/approve", {})
    assert _errors(own) == {None: "You cannot approve your own request; another approver must."}

    approved = _post(login(manager), f"/requests/{submitted.pk}/approve", {"comment": "OK"})
    twice = _post(login(manager), f"/requests/{submitted.pk}/approve", {})

    assert (approved.status_code, approved.json()["status"], approved.json()["decided_by_id"]) == (
        200,
        "approved",
        manager.pk,
    )
    assert _errors(twice) == {None: "This request was already decided (Approved)."}


def test_a_rejection_needs_a_comment(login, manager, submitted):
    client = login(manager)

    silent = _post(client, f"/requests/{submitted.pk}/reject", {})
    rejected = _post(client, f"/requests/{submitted.pk}/reject", {"comment": "Mamy zapas"})

    assert _errors(silent) == {"comment": "Say why the request is rejected."}
    assert (rejected.json()["status"], rejected.json()["decision_comment"]) == ("rejected", "Mamy zapas")


def test_a_request_above_the_rung_is_refused_with_the_ladder(login, clerk, manager, stocked, organisation, supplier):
    monitor = make_item(organisation, manager, "Monitor", supplier=supplier, price="700.00", unit="piece")
    big = services.request_create(
        location=stocked, actor=manager, lines=[services.RequestLineData(item=monitor, quantity=Decimal(1))]
    )

    refused = _post(login(clerk), f"/requests/{big.pk}/approve", {})

    assert _errors(refused) == {None: "This request (700.00 PLN) needs approval by a Front office manager or higher."}


def test_only_the_requester_withdraws_a_request(login, clerk, manager, submitted):
    by_other = _post(login(manager), f"/requests/{submitted.pk}/cancel")
    by_owner = _post(login(clerk), f"/requests/{submitted.pk}/cancel")

    assert _errors(by_other) == {None: "Only the person who asked may withdraw a request."}
    assert by_owner.json()["status"] == RequestStatus.CANCELLED


def test_requests_are_listed_with_their_lines_and_filtered(login, executive, submitted, stocked):
    client = login(executive)

    page = client.get(f"{API}/requests", {"status": "submitted", "location_id": stocked.pk}).json()

    assert [(row["number"], len(row["lines"])) for row in page["items"]] == [(submitted.number, 1)]
    assert client.get(f"{API}/requests", {"status": "approved"}).json()["count"] == 0


@pytest.mark.parametrize("persona", ["outsider_branch", "outsider_org"])
def test_a_request_of_another_branch_is_never_reachable(request, login, submitted, persona):
    client = login(request.getfixturevalue(persona))

    assert_problem(client.get(f"{API}/requests/{submitted.pk}"), 404)
    assert_problem(_post(client, f"/requests/{submitted.pk}/approve", {}), 404)
    assert client.get(f"{API}/requests").json()["count"] == 0
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_an_agent_cannot_request_or_approve(login, agent, submitted, stocked, gloves):
    client = login(agent)

    assert_problem(_post(client, "/requests", {"location_id": stocked.pk, "lines": []}), 403)
    assert_problem(_post(client, f"/requests/{submitted.pk}/approve", {}), 403)


# --- orders and deliveries ---------------------------------------------------------------------------------


def test_approved_requests_become_orders_that_are_sent_and_downloaded(login, clerk, manager, submitted, branch):
    services.request_approve(request=submitted, actor=manager)
    client = login(clerk)

    made = _post(client, "/orders/from-approved", {"branch_id": branch.pk}, **{"Idempotency-Key": "ord-1"})
    again = _post(client, "/orders/from-approved", {"branch_id": branch.pk}, **{"Idempotency-Key": "ord-1"})
    nothing_left = _post(client, "/orders/from-approved", {"branch_id": branch.pk})

    assert made.status_code == 201, made.content
    (order,) = made.json()
    assert (order["status"], order["supplier_name"], order["total"]) == ("draft", "Medisfera Hurt", "15.00")
    assert [(line["quantity"], line["outstanding"]) for line in order["lines"]] == [("30.000", "30.000")]
    assert again.json() == made.json() and nothing_left.json() == []

    sent = _post(client, f"/orders/{order['id']}/send")
    resent = _post(client, f"/orders/{order['id']}/send")
    pdf = client.get(f"{API}/orders/{order['id']}/pdf")

    assert sent.json()["status"] == "sent" and sent.json()["sent_at"]
    assert _errors(resent) == {None: "Only a draft order can be sent."}
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{order["number"]}.pdf"'
    assert [row["id"] for row in client.get(f"{API}/orders", {"status": "sent"}).json()["items"]] == [order["id"]]


def test_orders_are_made_only_for_your_branches(login, clerk, other_branch):
    refused = _post(login(clerk), "/orders/from-approved", {"branch_id": other_branch.pk})

    assert _errors(refused) == {"branch_id": "No such record, or it is outside your organisation or branches."}


def test_a_sent_order_is_cancelled_but_not_once_delivered(login, clerk, sent_order):
    line = sent_order.lines.get()
    client = login(clerk)
    _post(client, f"/orders/{sent_order.pk}/receipts", {"lines": [{"order_line_id": line.pk, "quantity": 1}]})

    refused = _post(client, f"/orders/{sent_order.pk}/cancel")

    assert _errors(refused) == {None: "An order that has been delivered cannot be cancelled."}


def test_cancelling_a_draft_order(login, clerk, manager, submitted, branch):
    services.request_approve(request=submitted, actor=manager)
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)

    cancelled = _post(login(clerk), f"/orders/{order.pk}/cancel")

    assert cancelled.json()["status"] == OrderStatus.CANCELLED


def test_a_partial_delivery_goes_into_stock_and_a_price_difference_is_flagged(
    login, clerk, sent_order, stocked, gloves
):
    line = sent_order.lines.get()
    client = login(clerk)

    first = _post(
        client,
        f"/orders/{sent_order.pk}/receipts",
        {"note": "Część", "lines": [{"order_line_id": line.pk, "quantity": 10, "unit_price": "0.55"}]},
        **{"Idempotency-Key": "rc-1"},
    )
    replay = _post(
        client,
        f"/orders/{sent_order.pk}/receipts",
        {"note": "Część", "lines": [{"order_line_id": line.pk, "quantity": 10, "unit_price": "0.55"}]},
        **{"Idempotency-Key": "rc-1"},
    )

    assert first.status_code == 201, first.content
    delivered = first.json()
    assert [(row["quantity"], row["price_differs"], row["item_id"]) for row in delivered["lines"]] == [
        ("10.000", True, gloves.pk)
    ]
    assert replay.json()["id"] == delivered["id"] and Receipt.objects.count() == 1
    assert _on_hand(stocked, gloves) == Decimal(30)
    order = client.get(f"{API}/orders/{sent_order.pk}").json()
    assert (order["status"], order["lines"][0]["outstanding"]) == ("partly_received", "20.000")
    assert [row["id"] for row in client.get(f"{API}/orders/{sent_order.pk}/receipts").json()["items"]] == [
        delivered["id"]
    ]
    assert client.get(f"{API}/orders/{sent_order.pk}/receipts/{delivered['id']}").json()["note"] == "Część"


@pytest.mark.parametrize(
    ("lines", "field", "message"),
    [
        (
            [{"quantity": 31}],
            "lines.0.quantity",
            "Only 30 of Rękawiczki nitrylowe M are still to come on this order; 31 is more.",
        ),
        (
            [{"quantity": "2.5"}],
            "lines.0.quantity",
            "Rękawiczki nitrylowe M is counted in whole units: enter a whole number.",
        ),
        ([{"quantity": 0}], None, "Enter what was delivered on at least one line."),
        ([{"quantity": 1}, {"quantity": 1}], "lines.1.order_line_id", "This order line is named twice."),
        ([{"order_line_id": 999_999, "quantity": 1}], "lines.0.order_line_id", "This line is not on the order."),
    ],
)
def test_a_bad_delivery_is_refused_and_nothing_is_received(
    login, clerk, sent_order, stocked, gloves, lines, field, message
):
    line = sent_order.lines.get()

    refused = _post(
        login(clerk),
        f"/orders/{sent_order.pk}/receipts",
        {"lines": [{"order_line_id": line.pk, **row} for row in lines]},
    )

    assert _errors(refused) == {field: message}
    assert Receipt.objects.count() == 0 and _on_hand(stocked, gloves) == Decimal(20)


def test_a_delivery_against_a_draft_order_is_refused(login, clerk, manager, submitted, branch):
    services.request_approve(request=submitted, actor=manager)
    (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
    line = order.lines.get()

    refused = _post(
        login(clerk), f"/orders/{order.pk}/receipts", {"lines": [{"order_line_id": line.pk, "quantity": 1}]}
    )

    assert _errors(refused) == {None: "Deliveries are received against a sent order, not a draft one."}


@pytest.mark.parametrize("persona", ["outsider_branch", "outsider_org"])
def test_an_order_of_another_branch_is_never_reachable(request, login, sent_order, persona):
    client = login(request.getfixturevalue(persona))
    line = sent_order.lines.get()

    assert_problem(client.get(f"{API}/orders/{sent_order.pk}"), 404)
    assert_problem(client.get(f"{API}/orders/{sent_order.pk}/pdf"), 404)
    assert_problem(client.get(f"{API}/orders/{sent_order.pk}/receipts"), 404)
    assert_problem(_post(client, f"/orders/{sent_order.pk}/cancel"), 404)
    assert_problem(
        _post(client, f"/orders/{sent_order.pk}/receipts", {"lines": [{"order_line_id": line.pk, "quantity": 1}]}), 404
    )
    assert client.get(f"{API}/orders").json()["count"] == 0


def test_an_executive_reads_orders_but_does_not_send_or_receive_them(login, executive, sent_order):
    client = login(executive)

    assert client.get(f"{API}/orders/{sent_order.pk}").status_code == 200
    assert_problem(_post(client, f"/orders/{sent_order.pk}/cancel"), 403)
    assert_problem(_post(client, f"/orders/{sent_order.pk}/receipts", {"lines": []}), 403)


# --- lists cost the same number of queries however many rows they show ---------------------------------------


LISTS = ["/items", "/suppliers", "/locations", "/stock", "/movements", "/requests", "/orders"]


def _grow(n, *, organisation, branch, manager, clerk, storeroom):
    """``n`` more of everything: a supplier, an item in stock, a location, an approved and ordered request,
    and a sent order delivered in two parts."""
    for _ in range(n):
        index = StockLevel.objects.count()
        supplier = services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name=f"Dostawca {index}", order_email=f"d{index}@example.invalid"),
        )
        item = make_item(organisation, manager, f"Towar {index}", supplier=supplier)
        services.location_save(branch=branch, actor=manager, name=f"Półka {index}")
        services.stock_receive(location=storeroom, item=item, quantity=Decimal(5), actor=clerk)
        request = services.request_create(
            location=storeroom, actor=clerk, lines=[services.RequestLineData(item=item, quantity=Decimal(4))]
        )
        services.request_approve(request=request, actor=manager)
        (order,) = orders.orders_from_approved(branch=branch, actor=clerk)
        orders.order_send(order=order, actor=clerk)
        line = order.lines.get()
        for _part in range(2):
            orders.receipt_create(order=order, actor=clerk, lines={line.pk: orders.DeliveredLine(quantity=Decimal(1))})


def test_list_pages_cost_the_same_queries_for_few_or_many_rows(login, organisation, branch, manager, clerk, storeroom):
    world = {"organisation": organisation, "branch": branch, "manager": manager, "clerk": clerk, "storeroom": storeroom}
    client = login(manager)

    def counts() -> dict[str, tuple[int, int]]:
        order_id = client.get(f"{API}/orders").json()["items"][0]["id"]
        found = {}
        for path in [*LISTS, f"/orders/{order_id}/receipts"]:
            client.get(API + path)  # warm the session and permission caches
            with CaptureQueriesContext(connection) as queries:
                page = client.get(API + path).json()
            found[path.split("/")[1] if "receipts" not in path else "receipts"] = (len(queries), page["count"])
        return found

    _grow(2, **world)
    few = counts()
    _grow(5, **world)
    many = counts()

    assert {path: queries for path, (queries, _rows) in few.items()} == {
        path: queries for path, (queries, _rows) in many.items()
    }
    assert all(many[path][1] > few[path][1] for path in many if path != "receipts")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/movements/consume", {"quantity": "NaN"}),
        ("/movements/consume", {"quantity": "Infinity"}),
        ("/movements/consume", {"quantity": "1e30"}),
        ("/movements/consume", {"quantity": "0.0001"}),
        ("/movements/consume", {"quantity": "dwa"}),
        ("/movements/consume", {"quantity": 1, "location_id": 2**63}),
        ("/movements/consume", {"quantity": 1, "department_id": 0}),
        ("/movements/consume", {"quantity": 1, "colour": "red"}),
        ("/movements/adjust", {"quantity": 1, "reason": "a\x00b"}),
        ("/movements/adjust", {"quantity": 1, "reason": "x" * 301}),
    ],
)
def test_odd_input_is_a_422_never_a_server_error(login, clerk, stocked, gloves, path, body):
    before = StockMovement.objects.count()

    refused = _post(login(clerk), path, {"location_id": stocked.pk, "item_id": gloves.pk, **body})

    assert_problem(refused, 422)
    assert StockMovement.objects.count() == before


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/stock", {"q": "a\x00"}),
        ("/items", {"q": "x" * 101}),
        ("/movements", {"location_id": "x"}),
        ("/movements", {"kind": "stolen"}),
        ("/movements", {"date_from": "2026-13-01"}),
        ("/movements", {"item_id": 2**63}),
        ("/movements", {"actor_id": 0}),
        ("/orders", {"status": "lost"}),
        ("/requests", {"branch_id": 2**63}),
    ],
)
def test_odd_filters_are_a_422(login, clerk, path, query):
    assert_problem(login(clerk).get(API + path, query), 422)


def test_consumption_is_booked_to_a_department_of_the_locations_branch_only(
    login, clerk, stocked, gloves, department, other_branch
):
    reception = DepartmentFactory(branch=stocked.branch, name="Rejestracja")
    elsewhere = DepartmentFactory(branch=other_branch, name="Gabinet Południe")
    client = login(clerk)
    body = {"location_id": stocked.pk, "item_id": gloves.pk, "quantity": 1}

    booked = _post(client, "/movements/consume", {**body, "department_id": reception.pk})
    refused = _post(client, "/movements/consume", {**body, "department_id": elsewhere.pk})

    assert booked.json()["department_id"] == reception.pk
    assert _errors(refused) == {"department_id": "Choose a department of the location's branch."}
