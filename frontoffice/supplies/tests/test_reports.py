"""Supply reports: consumption, spend by supplier, stock below the reorder point, adjustments and write-offs
by person; each scoped to the user's branches, filtered from the query string and downloadable as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from frontoffice.core.csv_export import safe_cell
from frontoffice.supplies import selectors_reports as reports
from frontoffice.supplies import services
from frontoffice.supplies import services_orders as orders
from frontoffice.supplies.choices import OrderStatus
from frontoffice.supplies.models import PurchaseOrder, PurchaseOrderLine, Receipt, StockMovement
from tests.factories import DepartmentFactory

from .conftest import make_item

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


def _at(movement_or_receipt, moment: datetime) -> None:
    """Move a row to ``moment`` (the services stamp the present)."""
    model = type(movement_or_receipt)
    field = "received_at" if model is Receipt else "created_at"
    model.objects.filter(pk=movement_or_receipt.pk).update(**{field: moment})


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _sent_order(location, supplier, actor, lines):
    """A sent order built directly (sending it renders a PDF, which these tests do not need)."""
    order = PurchaseOrder.objects.create(
        branch=location.branch,
        location=location,
        supplier=supplier,
        number=f"ZAM-T-{PurchaseOrder.objects.count() + 1}",
        status=OrderStatus.SENT,
        created_by=actor,
    )
    for item, quantity, price in lines:
        PurchaseOrderLine.objects.create(order=order, item=item, quantity=quantity, unit_price=Decimal(price))
    return order


def _receive(order, actor, quantities, *, prices=None, when=None):
    by_item = {line.item_id: line for line in order.lines.all()}
    prices = prices or {}
    receipt = orders.receipt_create(
        order=order,
        actor=actor,
        lines={
            by_item[item.pk].pk: orders.DeliveredLine(quantity=Decimal(quantity), unit_price=prices.get(item.pk))
            for item, quantity in quantities
        },
    )
    if when is not None:
        _at(receipt, when)
    return receipt


# --- consumption --------------------------------------------------------------------------------------------


@pytest.fixture
def reception(branch):
    return DepartmentFactory(branch=branch, name="Rejestracja")


def test_consumption_is_summed_per_month_department_and_item_with_its_value(
    login, manager, stocked, gloves, gel, clerk, department, reception
):
    # given gloves (0.50 a pair) taken in January and February, by two departments, and gel with no price
    took = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(4), actor=clerk)
    _at(took, datetime(2026, 1, 10, 9, tzinfo=UTC))
    took = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(3), actor=clerk)
    _at(took, datetime(2026, 1, 20, 9, tzinfo=UTC))
    took = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(2), actor=clerk, department=reception)
    _at(took, datetime(2026, 1, 21, 9, tzinfo=UTC))
    took = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(5), actor=clerk)
    _at(took, datetime(2026, 2, 3, 9, tzinfo=UTC))
    gel.last_price = None
    gel.save(update_fields=["last_price"])
    took = services.stock_consume(location=stocked, item=gel, quantity=Decimal("0.5"), actor=clerk)
    _at(took, datetime(2026, 2, 4, 9, tzinfo=UTC))
    # and a write-off, which is not consumption
    services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(1), reason="Podarte", actor=clerk)
    # when the manager reads the report for the quarter
    rows = reports.consumption_report(
        user=manager, filters=reports.ConsumptionFilters(period=reports.Period(date(2026, 1, 1), date(2026, 3, 31)))
    )
    # then there is one row per month, department and item, newest month first
    assert [(r.month, r.department, r.item, r.quantity, r.value) for r in rows] == [
        (date(2026, 2, 1), "Gabinet zabiegowy", "Rękawiczki nitrylowe M", Decimal(5), Decimal("2.50")),
        (date(2026, 2, 1), "Gabinet zabiegowy", "Żel do USG", Decimal("0.5"), None),
        (date(2026, 1, 1), "Gabinet zabiegowy", "Rękawiczki nitrylowe M", Decimal(7), Decimal("3.50")),
        (date(2026, 1, 1), "Rejestracja", "Rękawiczki nitrylowe M", Decimal(2), Decimal("1.00")),
    ]
    page = login(manager).get(reverse("supplies:report_consumption"), PERIOD)
    assert page.status_code == 200
    assert "Żel do USG" in page.text and "no price" in page.text
    assert "7.00" in page.text  # the total value: 2.50 + 3.50 + 1.00


def test_a_month_is_the_organisations_local_month(manager, stocked, gloves, clerk):
    # given gloves taken at 00:30 on 1 March in Warsaw, still 28 February in UTC
    took = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(2), actor=clerk)
    _at(took, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    rows = reports.consumption_report(
        user=manager, filters=reports.ConsumptionFilters(period=reports.Period(date(2026, 2, 1), date(2026, 3, 31)))
    )
    assert [(r.month, r.quantity) for r in rows] == [(date(2026, 3, 1), Decimal(2))]
    # and a period ending on 28 February does not include it
    rows = reports.consumption_report(
        user=manager, filters=reports.ConsumptionFilters(period=reports.Period(date(2026, 2, 1), date(2026, 2, 28)))
    )
    assert rows == []


def test_consumption_of_another_branch_is_not_shown_to_a_branch_manager(
    login, manager, executive, stocked, foreign_storeroom, gloves, clerk, admin
):
    services.stock_receive(location=foreign_storeroom, item=gloves, quantity=Decimal(10), actor=admin)
    services.stock_consume(location=foreign_storeroom, item=gloves, quantity=Decimal(6), actor=admin)
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(1), actor=clerk)
    today = date.today()
    period = reports.Period(today.replace(day=1), today)
    filters = reports.ConsumptionFilters(period=period)
    assert [r.quantity for r in reports.consumption_report(user=manager, filters=filters)] == [Decimal(1)]
    assert sorted(r.quantity for r in reports.consumption_report(user=executive, filters=filters)) == [
        Decimal(1),
        Decimal(6),
    ]
    # and naming the other branch's location in the URL is refused, not answered
    page = login(manager).get(reverse("supplies:report_consumption"), {"location": foreign_storeroom.pk})
    assert page.status_code == 400
    assert "Select a valid choice" in page.text


def test_a_period_that_ends_before_it_starts_is_refused_with_the_dates_kept(login, manager):
    page = login(manager).get(
        reverse("supplies:report_consumption"), {"date_from": "2026-03-01", "date_to": "2026-02-01"}
    )
    assert page.status_code == 400
    assert "The end of the period cannot be before its start." in page.text
    assert 'value="2026-03-01"' in page.text


def test_the_consumption_report_downloads_as_csv(login, manager, stocked, gloves, clerk):
    took = services.stock_consume(location=stocked, item=gloves, quantity=Decimal(4), actor=clerk)
    _at(took, datetime(2026, 1, 10, 9, tzinfo=UTC))
    response = login(manager).get(reverse("supplies:report_consumption"), {**PERIOD, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="supplies-consumption-2026-01-01-2026-03-31.csv"' in response["Content-Disposition"]
    assert _csv_rows(response) == [
        ["Month", "Branch", "Department", "Item", "Quantity", "Unit", "Value (net)"],
        ["2026-01", "Oddział Północ", "Gabinet zabiegowy", "Rękawiczki nitrylowe M", "4", "pair", "2.00"],
    ]


@pytest.mark.parametrize("count", [1, 15])
def test_the_consumption_report_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, organisation, clerk, count, django_assert_max_num_queries
):
    for number in range(count):
        item = make_item(organisation, manager, f"Bandaż {number}")
        services.stock_receive(location=stocked, item=item, quantity=Decimal(3), actor=clerk)
        services.stock_consume(location=stocked, item=item, quantity=Decimal(1), actor=clerk)
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:report_consumption"))
    assert page.status_code == 200
    assert page.text.count("Bandaż") == count


# --- spend by supplier --------------------------------------------------------------------------------------


def test_spend_is_what_was_delivered_at_the_invoiced_price_per_supplier_and_month(
    login, manager, stocked, gloves, gel, supplier, clerk, organisation
):
    paper_house = services.supplier_save(
        organisation=organisation,
        actor=manager,
        data=services.SupplierData(name="Biuro Max", order_email="b@max.example", nip="7740001454"),
    )
    paper = make_item(organisation, manager, "Papier A4", supplier=paper_house, unit="pack", price="20.00")
    # given 100 gloves ordered at 0.50, 40 delivered in January and 60 in February at 0.55
    order = _sent_order(stocked, supplier, manager, [(gloves, 100, "0.50"), (gel, 4, "12.00")])
    _receive(order, clerk, [(gloves, 40), (gel, 4)], when=datetime(2026, 1, 15, 10, tzinfo=UTC))
    _receive(
        order, clerk, [(gloves, 60)], prices={gloves.pk: Decimal("0.55")}, when=datetime(2026, 2, 2, 10, tzinfo=UTC)
    )
    # and 5 packs of paper in February; an undelivered order counts nothing
    paper_order = _sent_order(stocked, paper_house, manager, [(paper, 10, "20.00")])
    _receive(paper_order, clerk, [(paper, 5)], when=datetime(2026, 2, 20, 10, tzinfo=UTC))
    _sent_order(stocked, paper_house, manager, [(paper, 50, "20.00")])
    rows = reports.spend_report(
        user=manager, filters=reports.SpendFilters(period=reports.Period(date(2026, 1, 1), date(2026, 3, 31)))
    )
    assert [(r.month, r.supplier, r.deliveries, r.amount) for r in rows] == [
        (date(2026, 2, 1), "Biuro Max", 1, Decimal("100.00")),
        (date(2026, 2, 1), "Medisfera Hurt", 1, Decimal("33.00")),
        (date(2026, 1, 1), "Medisfera Hurt", 1, Decimal("68.00")),  # 40 × 0.50 + 4 × 12.00
    ]
    assert [(t.supplier, t.amount, t.deliveries) for t in reports.spend_totals(rows)] == [
        ("Medisfera Hurt", Decimal("101.00"), 2),
        ("Biuro Max", Decimal("100.00"), 1),
    ]
    page = login(manager).get(reverse("supplies:report_spend"), {**PERIOD, "supplier": paper_house.pk})
    assert page.status_code == 200
    assert "<td>Biuro Max</td>" in page.text and "<td>Medisfera Hurt</td>" not in page.text
    response = login(manager).get(reverse("supplies:report_spend"), {**PERIOD, "format": "csv"})
    assert _csv_rows(response)[1:] == [
        ["2026-02", "Biuro Max", "7740001454", "1", "100.00", "PLN"],
        ["2026-02", "Medisfera Hurt", "5260250995", "1", "33.00", "PLN"],
        ["2026-01", "Medisfera Hurt", "5260250995", "1", "68.00", "PLN"],
    ]


def test_spend_of_another_branch_is_not_shown_to_a_branch_manager(
    manager, executive, foreign_storeroom, gloves, supplier, admin
):
    order = _sent_order(foreign_storeroom, supplier, admin, [(gloves, 10, "0.50")])
    _receive(order, admin, [(gloves, 10)])
    today = date.today()
    filters = reports.SpendFilters(period=reports.Period(today.replace(day=1), today))
    assert reports.spend_report(user=manager, filters=filters) == []
    assert [r.amount for r in reports.spend_report(user=executive, filters=filters)] == [Decimal("5.00")]


@pytest.mark.parametrize("count", [1, 8])
def test_the_spend_report_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, organisation, gloves, clerk, count, django_assert_max_num_queries
):
    for number in range(count):
        seller = services.supplier_save(
            organisation=organisation,
            actor=manager,
            data=services.SupplierData(name=f"Hurtownia {number}", order_email=f"h{number}@example.com"),
        )
        order = _sent_order(stocked, seller, manager, [(gloves, 10, "0.50")])
        _receive(order, clerk, [(gloves, 10)])
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:report_spend"))
    assert page.status_code == 200
    assert page.text.count("Hurtownia ") == 3 * count  # in the supplier filter, the totals and by month


# --- below the reorder point --------------------------------------------------------------------------------


def test_the_levels_at_or_under_the_reorder_point_are_listed_with_the_shortfall(
    login, manager, stocked, gloves, gel, clerk, foreign_storeroom, admin
):
    # gloves: 20 on hand, reorder at 10, target 50; take 10 -> exactly at the reorder point
    services.stock_consume(location=stocked, item=gloves, quantity=Decimal(10), actor=clerk)
    services.level_set(location=stocked, item=gel, actor=clerk, reorder_point=Decimal(1), target_level=Decimal(5))
    services.stock_receive(location=foreign_storeroom, item=gloves, quantity=Decimal(1), actor=admin)
    services.level_set(
        location=foreign_storeroom, item=gloves, actor=admin, reorder_point=Decimal(5), target_level=Decimal(9)
    )
    levels = list(reports.below_reorder_point(user=manager))
    assert [(level.item.name, level.missing, level.refill_cost) for level in levels] == [
        ("Rękawiczki nitrylowe M", Decimal(40), Decimal("20.00"))
    ]
    page = login(manager).get(reverse("supplies:report_low_stock"))
    assert page.status_code == 200 and "Rękawiczki nitrylowe M" in page.text and "Żel do USG" not in page.text
    response = login(manager).get(reverse("supplies:report_low_stock"), {"format": "csv"})
    assert _csv_rows(response)[1] == [
        "Oddział Północ",
        "Magazynek",
        "Rękawiczki nitrylowe M",
        "10",
        "10",
        "50",
        "40",
        "pair",
        "20.00",
    ]
    # the administrator sees both branches' low levels
    page = login(admin).get(reverse("supplies:report_low_stock"))
    assert page.text.count("Rękawiczki nitrylowe M") == 2


@pytest.mark.parametrize("count", [1, 12])
def test_the_low_stock_report_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, organisation, clerk, count, django_assert_max_num_queries
):
    for number in range(count):
        item = make_item(organisation, manager, f"Bandaż {number}")
        services.level_set(location=stocked, item=item, actor=clerk, reorder_point=Decimal(2), target_level=Decimal(6))
    browser = login(manager)
    with django_assert_max_num_queries(14):
        page = browser.get(reverse("supplies:report_low_stock"))
    assert page.status_code == 200
    assert page.text.count("Bandaż") == count


# --- adjustments and write-offs -----------------------------------------------------------------------------


@pytest.fixture
def corrections(stocked, gloves, gel, clerk, manager):
    """The clerk writes off 3 pairs and 1 pair of gloves; the manager adjusts gel up and gloves down."""
    made = [
        services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(3), reason="Podarte", actor=clerk),
        services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(1), reason="Zgubione", actor=clerk),
        services.stock_adjust(location=stocked, item=gel, change=Decimal("0.5"), reason="Korekta", actor=manager),
        services.stock_adjust(location=stocked, item=gloves, change=Decimal(-2), reason="Błąd", actor=manager),
    ]
    _at(made[0], datetime(2026, 1, 5, 12, tzinfo=UTC))
    _at(made[1], datetime(2026, 2, 5, 12, tzinfo=UTC))
    _at(made[2], datetime(2026, 2, 6, 12, tzinfo=UTC))
    _at(made[3], datetime(2026, 3, 6, 12, tzinfo=UTC))
    return made


def test_adjustments_are_summed_per_person(manager, corrections, clerk):
    people = reports.adjustments_by_person(user=manager, filters=reports.AdjustmentFilters())
    assert [(p.actor_id, p.adjustments, p.write_offs, p.quantity_out, p.value_out, p.value_in) for p in people] == [
        (clerk.pk, 0, 2, Decimal(4), Decimal("2.00"), None),
        (manager.pk, 2, 0, Decimal(2), Decimal("1.00"), Decimal("6.00")),
    ]


@pytest.mark.parametrize(
    ("filters", "reasons"),
    [
        ({}, ["Błąd", "Korekta", "Zgubione", "Podarte"]),
        ({"kind": "written_off"}, ["Zgubione", "Podarte"]),
        ({"kind": "adjusted"}, ["Błąd", "Korekta"]),
        ({"person": "manager"}, ["Błąd", "Korekta"]),
        ({"item": "gel"}, ["Korekta"]),
        ({"date_from": "2026-02-01", "date_to": "2026-02-28"}, ["Korekta", "Zgubione"]),
        ({"date_from": "2026-02-06"}, ["Błąd", "Korekta"]),  # either end may stay open
        ({"date_to": "2026-02-05"}, ["Zgubione", "Podarte"]),
        ({"person": "clerk", "date_from": "2026-01-01", "date_to": "2026-01-31"}, ["Podarte"]),
    ],
)
def test_the_adjustments_report_filters_from_the_query_string(
    login, manager, clerk, gel, stocked, corrections, filters, reasons
):
    params = dict(filters)
    if "person" in params:
        params["person"] = {"manager": manager, "clerk": clerk}[params["person"]].pk
    if "item" in params:
        params["item"] = gel.pk
    page = login(manager).get(reverse("supplies:report_adjustments"), params)
    assert page.status_code == 200
    found = [reason for reason in ["Błąd", "Korekta", "Zgubione", "Podarte"] if f"<td>{reason}</td>" in page.text]
    assert found == sorted(reasons, key=["Błąd", "Korekta", "Zgubione", "Podarte"].index)
    csv_rows = _csv_rows(login(manager).get(reverse("supplies:report_adjustments"), {**params, "format": "csv"}))
    assert [row[-1] for row in csv_rows[1:]] == reasons


def test_the_adjustments_csv_has_every_matching_row_not_one_page(login, manager, stocked, gloves, clerk):
    services.stock_receive(location=stocked, item=gloves, quantity=Decimal(100), actor=clerk)
    for _number in range(55):
        services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(1), reason="Podarte", actor=clerk)
    browser = login(manager)
    page = browser.get(reverse("supplies:report_adjustments"))
    assert page.text.count("<td>Podarte</td>") == 50 and 'rel="next"' in page.text
    assert browser.get(reverse("supplies:report_adjustments"), {"page": 2}).text.count("<td>Podarte</td>") == 5
    rows = _csv_rows(browser.get(reverse("supplies:report_adjustments"), {"format": "csv"}))
    assert rows[0][:3] == ["When", "Kind", "Who"]
    assert len(rows) == 56


def test_a_reason_that_looks_like_a_formula_is_made_inert_in_the_csv(login, manager, stocked, gloves, clerk):
    services.stock_write_off(
        location=stocked, item=gloves, quantity=Decimal(1), reason='=HYPERLINK("http://x.example")', actor=clerk
    )
    rows = _csv_rows(login(manager).get(reverse("supplies:report_adjustments"), {"format": "csv"}))
    assert rows[1][-1] == '\'=HYPERLINK("http://x.example")'
    assert rows[1][6] == "-1"  # a negative quantity stays a number


def test_the_person_filter_offers_only_people_the_manager_may_see(
    login, manager, stocked, gloves, clerk, foreign_storeroom, admin, outsider_branch
):
    services.stock_receive(location=foreign_storeroom, item=gloves, quantity=Decimal(5), actor=admin)
    services.stock_write_off(location=foreign_storeroom, item=gloves, quantity=Decimal(1), reason="Inne", actor=admin)
    services.stock_write_off(location=stocked, item=gloves, quantity=Decimal(1), reason="Podarte", actor=clerk)
    assert list(reports.adjustment_people(user=manager)) == [clerk]
    page = login(manager).get(reverse("supplies:report_adjustments"), {"person": admin.pk})
    assert page.status_code == 400 and "Inne" not in page.text
    # the other branch's manager sees the other branch's write-off only
    page = login(outsider_branch).get(reverse("supplies:report_adjustments"))
    assert "<td>Inne</td>" in page.text and "<td>Podarte</td>" not in page.text


@pytest.mark.parametrize("count", [1, 15])
def test_the_adjustments_report_needs_the_same_few_queries_at_any_size(
    login, manager, stocked, organisation, clerk, count, django_assert_max_num_queries
):
    for number in range(count):
        item = make_item(organisation, manager, f"Bandaż {number}")
        services.stock_receive(location=stocked, item=item, quantity=Decimal(3), actor=clerk)
        services.stock_write_off(location=stocked, item=item, quantity=Decimal(1), reason="Podarte", actor=clerk)
    browser = login(manager)
    with django_assert_max_num_queries(16):
        page = browser.get(reverse("supplies:report_adjustments"))
    assert page.status_code == 200
    assert page.text.count("<td>Podarte</td>") == count


@pytest.mark.parametrize("name", ["report_consumption", "report_spend", "report_low_stock", "report_adjustments"])
@pytest.mark.parametrize("persona", ["clerk", "guard", "agent"])
def test_staff_without_the_reports_permission_are_refused(login, request, name, persona):
    page = login(request.getfixturevalue(persona)).get(reverse(f"supplies:{name}"))
    assert page.status_code == 403


def test_an_outsider_organisation_sees_none_of_the_figures(login, outsider_org, corrections, stocked):
    page = login(outsider_org).get(reverse("supplies:report_adjustments"))
    assert page.status_code == 200 and "Podarte" not in page.text
    assert StockMovement.objects.filter(reason="Podarte").exists()


@pytest.mark.parametrize(
    ("value", "written"),
    [("=1+1", "'=1+1"), ("+48 600", "'+48 600"), ("-x", "'-x"), ("@SUM", "'@SUM"), ("Gaza", "Gaza"), (None, "")],
)
def test_safe_cell_makes_formulas_inert(value, written):
    assert safe_cell(value) == written
    assert safe_cell(Decimal("-2")) == Decimal("-2")
