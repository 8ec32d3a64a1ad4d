"""Voiding a charge and correction invoices on the pages and through the API, with the deny cases."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontoffice.core.models import AuditEntry
from frontoffice.desk import services as desk
from frontoffice.desk.models import SaleDocument
from frontoffice.desk.money import services
from frontoffice.desk.money.services import LineCorrection

pytestmark = pytest.mark.django_db
D = Decimal


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def seller(organisation, admin):
    return services.money_settings_update(
        organisation=organisation, actor=admin, expected_version=None, seller_nip="5260250274"
    )


@pytest.fixture
def minibar(checked_in, clerk):
    return services.charge_add(
        visit=checked_in, actor=clerk, description="Minibar: cola", quantity=D(2), unit_price=D(9)
    )


@pytest.fixture
def invoice(shop_sale, clerk, seller):
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Kabel", quantity=D(2), unit_price=D("35.00"))
    services.payment_take(visit=shop_sale, actor=clerk, method="card", amount=D("70"), terminal_receipt="T-1")
    return services.document_issue(visit=shop_sale, actor=clerk, kind="invoice", buyer_name="Firma ABC")


# --- voiding on the page ---------------------------------------------------------------------------------


def test_a_clerk_voids_a_charge_from_the_folio_and_sees_it_struck_through(login, clerk, checked_in, minibar):
    browser = login(clerk)
    page = browser.get(reverse("desk:visit_detail", args=[checked_in.pk])).content.decode()
    void_url = reverse("desk:charge_void", args=[checked_in.pk, minibar.pk])
    assert void_url in page
    nights = checked_in.charges.get(kind="nights")
    assert reverse("desk:charge_void", args=[checked_in.pk, nights.pk]) not in page  # the desk's own charge

    refused = browser.post(void_url, {"reason": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()

    done = browser.post(void_url, {"reason": "Cola z innego pokoju"})
    assert done.status_code == 302
    page = browser.get(reverse("desk:visit_detail", args=[checked_in.pk])).content.decode()
    assert f'data-void="{minibar.pk}"' in page and "<del>Minibar: cola</del>" in page
    assert "Cola z innego pokoju" in page and f"voided by {clerk.get_full_name()}" in page
    assert void_url not in page


def test_a_refused_void_keeps_the_reason_typed_and_says_why(login, clerk, checked_in, minibar, seller):
    services.document_issue(visit=checked_in, actor=clerk, kind="invoice", buyer_name="Firma ABC")
    page = login(clerk).post(
        reverse("desk:charge_void", args=[checked_in.pk, minibar.pk]), {"reason": "Pomyłka recepcji"}
    )
    html = page.content.decode()
    assert page.status_code == 400 and "issue a correction" in html and 'value="Pomyłka recepcji"' in html


def test_a_charge_of_another_visit_is_not_found(login, clerk, checked_in, minibar, clinic_visit):
    page = login(clerk).post(reverse("desk:charge_void", args=[clinic_visit.pk, minibar.pk]), {"reason": "X"})
    assert page.status_code == 404


# --- correcting on the page ------------------------------------------------------------------------------


def test_a_clerk_corrects_an_invoice_to_zero_and_the_folio_lists_the_correction(login, clerk, invoice):
    browser = login(clerk)
    visit_page = browser.get(reverse("desk:visit_detail", args=[invoice.visit_id])).content.decode()
    url = reverse("desk:invoice_correct", args=[invoice.pk])
    assert url in visit_page
    form = browser.get(url).content.decode()
    assert 'name="quantity_1" value="2"' in form and 'name="unit_price_1" value="35.00"' in form

    done = browser.post(url, {"to_zero": "on", "reason": "Klient zrezygnował", "quantity_1": "2"})

    assert done.status_code == 302
    correction = SaleDocument.objects.get(kind="correction")
    assert correction.total_gross == D("-70.00") and correction.corrects == invoice
    page = browser.get(reverse("desk:visit_detail", args=[invoice.visit_id])).content.decode()
    assert correction.number in page and reverse("desk:sale_document_pdf", args=[correction.pk]) in page
    assert 'data-balance="-70.00"' in page  # in credit until the refund
    pdf = browser.get(reverse("desk:sale_document_pdf", args=[correction.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_bad_correction_comes_back_with_the_typed_values(login, clerk, invoice):
    page = login(clerk).post(
        reverse("desk:invoice_correct", args=[invoice.pk]), {"quantity_1": "-1", "unit_price_1": "35,00", "reason": ""}
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "Enter a quantity of zero or more." in html and "Say why the invoice is corrected." in html
    assert 'value="-1"' in html and 'value="35,00"' in html
    assert not SaleDocument.objects.filter(kind="correction").exists()


def test_a_receipt_has_no_correction_page(login, clerk, shop_sale):
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Kabel", quantity=D(1), unit_price=D("35.00"))
    services.payment_take(visit=shop_sale, actor=clerk, method="card", amount=D("35"), terminal_receipt="T-1")
    receipt = services.document_issue(visit=shop_sale, actor=clerk, kind="receipt")
    assert login(clerk).get(reverse("desk:invoice_correct", args=[receipt.pk])).status_code == 404


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_voids_a_charge_once_for_a_retried_request(login, clerk, checked_in, minibar):
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{checked_in.pk}/charges/{minibar.pk}/void"
    first = _post(browser, url, {"reason": "Pomyłka"}, **{"Idempotency-Key": "void-1"})
    again = _post(browser, url, {"reason": "Pomyłka"}, **{"Idempotency-Key": "void-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["void_reason"] == "Pomyłka" and first.json()["voided_by_id"] == clerk.pk
    assert AuditEntry.objects.filter(action="charge.void").count() == 1
    folio = browser.get(f"/api/v1/desk/visits/{checked_in.pk}/folio").json()
    assert folio["charges_total"] == "960.00"  # the three nights only
    nights = next(charge for charge in folio["charges"] if charge["kind"] == "nights")
    assert nights["voided_at"] is None
    unknown = _post(browser, f"/api/v1/desk/visits/{checked_in.pk}/charges/{minibar.pk + 999}/void", {"reason": "X"})
    assert unknown.status_code == 404


def test_the_api_issues_a_correction_once_and_lists_it(login, clerk, invoice):
    browser = login(clerk)
    url = f"/api/v1/desk/documents/{invoice.pk}/corrections"
    body = {"reason": "Rabat", "lines": [{"position": 1, "quantity": "2", "unit_price": "30.00"}]}
    first = _post(browser, url, body, **{"Idempotency-Key": "fk-1"})
    again = _post(browser, url, body, **{"Idempotency-Key": "fk-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    made = first.json()
    assert (made["kind"], made["corrects_id"], made["total_gross"]) == ("correction", invoice.pk, "-10.00")
    assert made["lines"][0]["before"]["gross"] == "70.00" and made["lines"][0]["after"]["gross"] == "60.00"
    listed = browser.get(url).json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]
    folio = browser.get(f"/api/v1/desk/visits/{invoice.visit_id}/folio").json()
    assert (folio["corrections"], folio["balance"]) == ("-10.00", "-10.00")
    assert [document["kind"] for document in folio["documents"]] == ["invoice", "correction"]


def test_the_api_refuses_to_correct_a_receipt_or_nothing(login, clerk, invoice, shop_sale):
    browser = login(clerk)
    nothing = _post(browser, f"/api/v1/desk/documents/{invoice.pk}/corrections", {"reason": "X", "lines": []})
    assert nothing.status_code == 422 and "would change nothing" in nothing.content.decode()
    receipt = services.document_issue(visit=shop_sale, actor=clerk, kind="receipt")
    refused = _post(browser, f"/api/v1/desk/documents/{receipt.pk}/corrections", {"reason": "X", "to_zero": True})
    assert refused.status_code == 422 and "A receipt is not corrected" in refused.content.decode()
    assert browser.get(f"/api/v1/desk/documents/{receipt.pk}/corrections").status_code == 404
    wrong_kind = _post(browser, f"/api/v1/desk/visits/{shop_sale.pk}/documents", {"kind": "correction"})
    assert wrong_kind.status_code == 422


# --- who may: wrong role, another branch, another organisation ------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), [("agent", 403), ("outsider_branch", 404), ("outsider_org", 404)])
def test_others_cannot_void_a_charge(request, login, checked_in, minibar, persona, expected):
    browser = login(request.getfixturevalue(persona))
    page = browser.post(reverse("desk:charge_void", args=[checked_in.pk, minibar.pk]), {"reason": "X"})
    api = _post(browser, f"/api/v1/desk/visits/{checked_in.pk}/charges/{minibar.pk}/void", {"reason": "X"})
    assert page.status_code == api.status_code == expected
    minibar.refresh_from_db()
    assert minibar.voided_at is None


@pytest.mark.parametrize(("persona", "expected"), [("executive", 403), ("outsider_branch", 404), ("outsider_org", 404)])
def test_others_cannot_correct_an_invoice(request, login, invoice, persona, expected):
    browser = login(request.getfixturevalue(persona))
    page = browser.post(reverse("desk:invoice_correct", args=[invoice.pk]), {"to_zero": "on", "reason": "X"})
    api = _post(browser, f"/api/v1/desk/documents/{invoice.pk}/corrections", {"reason": "X", "to_zero": True})
    assert page.status_code == api.status_code == expected
    assert not SaleDocument.objects.filter(kind="correction").exists()


def test_a_void_above_the_limit_is_refused_to_a_clerk_and_done_by_a_manager(
    login, organisation, admin, clerk, manager, checked_in, minibar
):
    services.money_settings_update(organisation=organisation, actor=admin, expected_version=None, void_limit=D(10))
    url = f"/api/v1/desk/visits/{checked_in.pk}/charges/{minibar.pk}/void"
    refused = _post(login(clerk), url, {"reason": "Pomyłka"})
    assert refused.status_code == 422 and "needs a manager" in refused.content.decode()
    assert _post(login(manager), url, {"reason": "Pomyłka"}).status_code == 200


# --- query counts -----------------------------------------------------------------------------------------


def _count(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def test_the_folio_page_reads_void_charges_and_corrections_in_a_fixed_number_of_queries(
    login, clerk, checked_in, invoice
):
    browser = login(clerk)
    prices = iter(range(34, 0, -1))  # each correction lowers the cable's price by one more złoty

    def grow(count):
        for _ in range(count):
            charge = services.charge_add(
                visit=checked_in, actor=clerk, description="Minibar", quantity=D(1), unit_price=D(5)
            )
            services.charge_void(charge=charge, actor=clerk, reason="Pomyłka")
            services.correction_issue(
                invoice=invoice, actor=clerk, reason="Rabat", lines=[LineCorrection(1, "2", str(next(prices)))]
            )

    grow(2)
    stay_few = _count(browser, reverse("desk:visit_detail", args=[checked_in.pk]))
    sale_few = _count(browser, reverse("desk:visit_detail", args=[invoice.visit_id]))
    list_few = _count(browser, f"/api/v1/desk/documents/{invoice.pk}/corrections")
    grow(8)
    assert _count(browser, reverse("desk:visit_detail", args=[checked_in.pk])) == stay_few
    assert _count(browser, reverse("desk:visit_detail", args=[invoice.visit_id])) == sale_few
    assert _count(browser, f"/api/v1/desk/documents/{invoice.pk}/corrections") == list_few
