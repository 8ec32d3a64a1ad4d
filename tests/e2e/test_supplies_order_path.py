"""The whole small-order path in the browser: a clerk asks for what runs low, a manager approves and sends the
order (a real SMTP server receives the e-mail with its PDF), a partial delivery is received, and the stock is
right — on the page and in the books."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from frontoffice.interactions.tests.fixtures_mail import smtp_server  # noqa: F401  (a real SMTP server)
from frontoffice.supplies import services
from frontoffice.supplies.models import PurchaseOrder, PurchaseRequest, StockLevel, StockMovement
from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import main_menu, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def storeroom(organisation, branch, clerk, manager):
    """The branch's storeroom holds 4 pairs of gloves; below 10 they are reordered, up to 50 (20 PLN a pair)."""
    supplier = services.supplier_save(
        organisation=organisation,
        actor=manager,
        data=services.SupplierData(name="Hurtownia Medyczna Lux", order_email="zamowienia@lux-med.invalid"),
    )
    gloves = services.item_save(
        organisation=organisation,
        actor=manager,
        data=services.ItemData(
            name="Rękawiczki nitrylowe M",
            category="medical",
            unit="pair",
            preferred_supplier=supplier,
            last_price=Decimal(20),
        ),
    )
    location = services.location_save(branch=branch, actor=manager, name="Magazynek rejestracji", owner=clerk)
    services.level_set(
        location=location, item=gloves, actor=manager, reorder_point=Decimal(10), target_level=Decimal(50)
    )
    services.stock_receive(location=location, item=gloves, quantity=Decimal(4), actor=manager)
    return location, gloves


@pytest.fixture
def mail_server(settings, smtp_server):  # noqa: F811
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 10},
        }
    }
    return smtp_server


def test_clerk_requests_low_stock_manager_approves_order_is_mailed_and_a_partial_delivery_is_received(
    page: Page, new_page, clerk, manager, storeroom, mail_server
):
    location, gloves = storeroom

    # Given the clerk asks for supplies: the low item is filled in up to its target (46 pairs, 920 PLN)
    sign_in(page, clerk)
    main_menu(page).get_by_role("link", name="Supply requests").click()
    page.get_by_role("link", name="Request supplies").click()
    expect(page.get_by_label("Quantity of line 1")).to_have_value("46")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("sent for approval")).to_be_visible()
    request = PurchaseRequest.objects.get()
    # ... and cannot approve it herself (above the clerks' 500 PLN, and it is her own)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)

    # When the manager approves it, turns it into an order and sends it to the supplier
    desk = new_page()
    sign_in(desk, manager, device=add_totp_device(manager))
    main_menu(desk).get_by_role("link", name="Supply requests").click()
    desk.get_by_role("link", name=request.number).click()
    desk.get_by_role("button", name="Approve").click()
    expect(desk.get_by_text("Approved", exact=False).first).to_be_visible()
    main_menu(desk).get_by_role("link", name="Purchase orders").click()
    desk.get_by_role("button", name="Create orders").click()
    order = PurchaseOrder.objects.get()
    # One order made: its page opens
    expect(desk.get_by_role("heading", name=order.number)).to_be_visible()
    desk.get_by_role("button", name="Send to zamowienia@lux-med.invalid").click()

    # Then the supplier's order address receives the order with its PDF over SMTP (the staff were told too:
    # the manager that a request waits, the clerk that it was approved)
    to_supplier = [mail for mail in mail_server.messages if mail["To"] == "zamowienia@lux-med.invalid"]
    assert len(to_supplier) == 1
    assert {mail["To"] for mail in mail_server.messages} >= {"manager@example.invalid", "clerk@example.invalid"}
    mail = to_supplier[0]
    attachments = [part for part in mail.walk() if part.get_filename()]
    assert len(attachments) == 1 and attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")

    # When 20 of the 46 pairs arrive and the manager receives them
    desk.get_by_role("link", name="Receive a delivery").click()
    desk.get_by_label("Delivered quantity of Rękawiczki nitrylowe M").fill("20")
    desk.get_by_role("button", name="Receive into stock").click()

    # Then the order waits for the rest, and the stock is 4 + 20 on the page and in the books
    expect(desk.get_by_role("status")).to_contain_text("Delivery received")
    desk.get_by_role("link", name="Back to the order").click()
    expect(desk.get_by_role("row").filter(has_text="Rękawiczki nitrylowe M")).to_contain_text("26")  # still to come
    order.refresh_from_db()
    assert order.status == "partly_received"
    main_menu(page).get_by_role("link", name="Stock", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Rękawiczki nitrylowe M")
    expect(row).to_contain_text("24")
    level = StockLevel.objects.get(location=location, item=gloves)
    assert level.on_hand == Decimal(24)
    assert sum(movement.quantity for movement in StockMovement.objects.filter(level=level)) == Decimal(24)
