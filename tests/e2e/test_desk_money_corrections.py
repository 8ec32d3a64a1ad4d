"""A clerk takes back a charge posted by mistake, then corrects an issued invoice to zero, in the browser."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services as desk
from frontoffice.desk.models import Charge, SaleDocument
from frontoffice.desk.money import services as money
from frontoffice.desk.services import VisitData
from tests.e2e.helpers import assert_every_control_is_named, assert_page_shell, sign_in

pytestmark = pytest.mark.e2e


def _shot(page: Page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["E2E_SCREENSHOTS"], name), full_page=True)


def test_clerk_voids_a_wrong_charge_and_corrects_an_invoice(page: Page, organisation, branch, clerk, admin):
    # Given a patient who has arrived, charged a certificate by mistake, and a paid, invoiced sale
    money.money_settings_update(organisation=organisation, actor=admin, expected_version=None, seller_nip="5260250274")
    patient = client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Jan", family_name="Nowak")
    )
    consultation = desk.visit_type_create(
        organisation=organisation, actor=admin, name="Konsultacja", vertical="clinic", price=Decimal("150.00")
    )
    visit = desk.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now() + timedelta(minutes=5)),
    )
    visit = desk.visit_transition(visit=visit, to_status="arrived", actor=clerk)
    certificate = money.charge_add(
        visit=visit, actor=clerk, description="Zaświadczenie", quantity=Decimal(1), unit_price=Decimal("50.00")
    )
    shop = desk.visit_type_create(organisation=organisation, actor=admin, name="Sprzedaż", vertical="retail")
    sale = desk.visit_create(branch=branch, actor=clerk, client=patient, visit_type=shop)
    desk.visit_line_add(visit=sale, actor=clerk, description="Kabel", quantity=Decimal(2), unit_price=Decimal("35"))
    money.payment_take(visit=sale, actor=clerk, method="card", amount=Decimal("70"), terminal_receipt="T-1")
    invoice = money.document_issue(visit=sale, actor=clerk, kind="invoice", buyer_name="Firma ABC")

    # When the clerk voids the certificate from the visit's folio, saying why
    sign_in(page, clerk)
    page.goto(f"/desk/visits/{visit.pk}/")
    page.get_by_role("link", name="Void “Zaświadczenie”").click()
    assert_page_shell(page)
    assert_every_control_is_named(page)
    page.get_by_role("button", name="Void the charge").click()
    expect(page.get_by_role("alert")).to_be_visible()  # no reason: refused, nothing voided
    page.get_by_label("Why is the charge void?").fill("Pacjent nie prosił o zaświadczenie")
    page.get_by_role("button", name="Void the charge").click()

    # Then the charge is struck through with the reason, and no longer counts
    expect(page.get_by_role("status")).to_contain_text("Charge “Zaświadczenie” voided.")
    charges = page.get_by_role("table", name="Charges")
    expect(charges.locator("del", has_text="Zaświadczenie")).to_be_visible()
    expect(charges).to_contain_text("Pacjent nie prosił o zaświadczenie")
    expect(page.locator("[data-balance]")).to_have_text("150.00 PLN")
    _shot(page, "charge-voided.png")
    certificate.refresh_from_db()
    assert certificate.voided_by == clerk and Charge.objects.filter(voided_at__isnull=True).count() == 1

    # When the clerk corrects the sale's invoice to zero
    page.goto(f"/desk/visits/{sale.pk}/")
    page.get_by_role("link", name=f"Correct invoice {invoice.number}").click()
    assert_page_shell(page)
    assert_every_control_is_named(page)
    expect(page.get_by_label("Quantity, line 1")).to_have_value("2")
    page.get_by_label("Cancel the whole invoice (correct every line to zero)").check()
    page.get_by_label("Reason for the correction").fill("Klient zrezygnował z zakupu")
    _shot(page, "correction-form.png")
    page.get_by_role("button", name="Issue the correction invoice").click()

    # Then the correction is listed on the folio, and the sale is in credit until the money is given back
    correction = SaleDocument.objects.get(kind="correction")
    expect(page.get_by_role("status")).to_contain_text(f"Correction invoice {correction.number} issued")
    expect(page.get_by_role("link", name=f"Correction invoice {correction.number}")).to_be_visible()
    expect(page.locator("[data-balance]")).to_have_text("-70.00 PLN")
    assert correction.total_gross == Decimal("-70.00") and correction.corrects == invoice
