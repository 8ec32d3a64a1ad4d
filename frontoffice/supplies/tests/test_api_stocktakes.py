"""The stocktake API: start, count, approve and cancel, with the same rules and scoping as the pages."""

from __future__ import annotations

import json
from decimal import Decimal

from frontoffice.supplies.choices import StocktakeStatus
from frontoffice.supplies.models import StockLevel, StockMovement, Stocktake
from frontoffice.supplies.services_stocktake import stocktake_count, stocktake_start

BASE = "/api/v1/supplies/stocktakes"


def _post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def _on_hand(location, item):
    return StockLevel.objects.get(location=location, item=item).on_hand


def test_a_clerk_starts_counts_and_a_manager_approves_through_the_api(login, clerk, manager, stocked, gloves, gel):
    client = login(clerk)
    started = _post(client, BASE, {"location_id": stocked.pk}, **{"Idempotency-Key": "count-1"})
    again = _post(client, BASE, {"location_id": stocked.pk}, **{"Idempotency-Key": "count-1"})
    assert started.status_code == 201 and again.json()["id"] == started.json()["id"]
    body = started.json()
    assert body["status"] == "open" and body["line_count"] == 2
    assert {line["item_name"]: line["expected"] for line in body["lines"]} == {gloves.name: "20.000", gel.name: "2.500"}

    counted = _post(
        client,
        f"{BASE}/{body['id']}/counts",
        {"counts": [{"item_id": gloves.pk, "counted": "18"}, {"item_id": gel.pk, "counted": "2.5"}]},
    )
    assert counted.status_code == 200
    lines = {line["item_id"]: line for line in counted.json()["lines"]}
    assert Decimal(lines[gloves.pk]["adjustment"]) == Decimal(-2) and lines[gloves.pk]["counted_by_id"] == clerk.pk

    approved = _post(login(manager), f"{BASE}/{body['id']}/approve", {"reason": "Zgubione"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by_id"] == manager.pk
    assert _on_hand(stocked, gloves) == Decimal(18)
    assert StockMovement.objects.get(stocktake_id=body["id"]).reason == "Zgubione"


def test_a_second_start_of_a_location_is_refused_with_the_reason(login, clerk, stocked):
    client = login(clerk)
    _post(client, BASE, {"location_id": stocked.pk})
    refused = _post(client, BASE, {"location_id": stocked.pk})
    assert refused.status_code == 422
    assert "already in progress" in refused.json()["errors"][0]["message"]


def test_a_location_of_another_branch_is_refused_as_unknown(login, clerk, foreign_storeroom):
    refused = _post(login(clerk), BASE, {"location_id": foreign_storeroom.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "location_id"
    assert not Stocktake.objects.exists()


def test_a_bad_count_is_named_by_its_place_in_the_body_and_nothing_is_saved(login, clerk, stocked, gloves, gel):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    refused = _post(
        login(clerk),
        f"{BASE}/{stocktake.pk}/counts",
        {"counts": [{"item_id": gel.pk, "counted": "1"}, {"item_id": gloves.pk, "counted": "1.5"}]},
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "counts.1.counted" and "whole units" in error["message"]
    assert not stocktake.lines.filter(counted__isnull=False).exists()


def test_an_item_listed_twice_is_refused(login, clerk, stocked, gloves):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    refused = _post(
        login(clerk),
        f"{BASE}/{stocktake.pk}/counts",
        {"counts": [{"item_id": gloves.pk, "counted": "1"}, {"item_id": gloves.pk, "counted": "2"}]},
    )
    assert refused.status_code == 422


def test_approval_without_a_reason_names_the_field(login, clerk, manager, stocked, gloves, gel):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    stocktake_count(stocktake=stocktake, actor=clerk, counts={gloves.pk: Decimal(1), gel.pk: Decimal(1)})
    refused = _post(login(manager), f"{BASE}/{stocktake.pk}/approve", {"reason": ""})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    assert _on_hand(stocked, gloves) == Decimal(20)


def test_a_clerk_may_not_approve_through_the_api(login, clerk, stocked):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    assert _post(login(clerk), f"{BASE}/{stocktake.pk}/approve", {"reason": "x"}).status_code == 403


def test_an_agent_may_not_list_or_start(login, agent, stocked):
    client = login(agent)
    assert client.get(BASE).status_code == 403
    assert _post(client, BASE, {"location_id": stocked.pk}).status_code == 403


def test_outsiders_see_nothing_and_touch_nothing(login, clerk, outsider_branch, outsider_org, stocked):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    for outsider in (outsider_branch, outsider_org):
        client = login(outsider)
        assert client.get(BASE).json()["count"] == 0
        assert client.get(f"{BASE}/{stocktake.pk}").status_code == 404
        assert _post(client, f"{BASE}/{stocktake.pk}/approve", {"reason": "x"}).status_code == 404
        assert _post(client, f"{BASE}/{stocktake.pk}/cancel").status_code == 404
    assert Stocktake.objects.get(pk=stocktake.pk).status == StocktakeStatus.OPEN


def test_the_list_filters_by_status_and_location(login, clerk, manager, stocked):
    stocktake = stocktake_start(location=stocked, actor=clerk)
    client = login(manager)
    assert client.get(BASE, {"status": "open", "location_id": stocked.pk}).json()["count"] == 1
    _post(client, f"{BASE}/{stocktake.pk}/cancel")
    assert client.get(BASE, {"status": "open"}).json()["count"] == 0
    listed = client.get(BASE, {"status": "cancelled"}).json()["items"]
    assert [(row["id"], row["location_name"], row["line_count"]) for row in listed] == [(stocktake.pk, "Magazynek", 2)]


def test_the_list_needs_the_same_few_queries_at_any_size(login, manager, clerk, stocked, django_assert_max_num_queries):
    client = login(manager)
    for rows in (1, 8):
        while Stocktake.objects.count() < rows:
            started = stocktake_start(location=stocked, actor=clerk)
            Stocktake.objects.filter(pk=started.pk).update(status=StocktakeStatus.CANCELLED)
        with django_assert_max_num_queries(10):
            assert client.get(BASE).json()["count"] == rows
