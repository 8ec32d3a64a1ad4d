"""Each desk vertical's whole flow, clicked and typed through as a clerk does it.

Set-up data (visit types, intake form, payer, clients, the planned visit or the booking) comes from
the services; everything the clerk does happens in the browser, and each step checks what the clerk
sees (status, balance, messages) and what was stored.

- clinic: policy, eligibility, arrival, intake form with a drawn signature and a conditional field,
  copay in cash from a drawer opened on the spot, the insurer's share, receipt (PDF), finish;
- hotel: two guests with registration cards (ID document, signature), check-in, a minibar charge,
  check-out refused while the folio is open, card payment, check-out;
- shop: line items, card payment, a return whose refund is above the clerk's limit, approved by a
  manager signed in on a second browser.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from frontoffice.clients.services import ClientData, client_create
from frontoffice.desk import services as desk
from frontoffice.desk import services_coverage as coverage_services
from frontoffice.desk.choices import VisitStatus
from frontoffice.desk.intake import services as intake
from frontoffice.desk.intake.services import FieldData
from frontoffice.desk.models import (
    Charge,
    DrawerSession,
    EligibilityCheck,
    Payment,
    Refund,
    RegistrationCard,
    SaleDocument,
    Visit,
    VisitBilling,
)
from frontoffice.desk.services import VisitData
from tests.e2e.conftest import add_totp_device
from tests.e2e.helpers import assert_every_control_is_named, assert_page_shell, main_menu, sign_in

pytestmark = pytest.mark.e2e


# --- what a clerk does again and again ------------------------------------------------------------


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def flash(page: Page) -> Locator:
    """The message the app shows after a step (``role=status`` at the top of the page)."""
    return page.locator(".flash")


def open_the_day(page: Page) -> None:
    main_menu(page).get_by_role("link", name="Today at the desk").click()
    expect(heading(page)).to_have_text("Today at the desk")
    assert_page_shell(page)


def day_row(page: Page, name: str) -> Locator:
    """The day page's row of ``name``'s visit."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_have_count(1)
    return row


def open_visit(page: Page, name: str, number: str) -> None:
    """From the day page, the visit's page through the client's name in its row."""
    open_the_day(page)
    day_row(page, name).get_by_role("link", name=name, exact=True).click()
    expect(heading(page)).to_contain_text(f"Visit {number}")
    assert_page_shell(page)


def status_badge(page: Page) -> Locator:
    return heading(page).locator(".badge")


def move_to(page: Page, status: str) -> None:
    """Press the status button on the visit's page."""
    page.get_by_role("region", name="Status").get_by_role("button", name=status, exact=True).click()


def balance(page: Page) -> Locator:
    """The folio's balance as the visit's page (or a money page) shows it."""
    return page.locator("[data-balance]")


def draw_signature(page: Page, canvas: Locator) -> None:
    """Sign with the mouse: press on the pad, move through a few points, release."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(left + width * 0.1, top + height * 0.7)
    page.mouse.down()
    for x, y in ((0.25, 0.3), (0.4, 0.75), (0.55, 0.25), (0.7, 0.7), (0.85, 0.4)):
        page.mouse.move(left + width * x, top + height * y, steps=5)
    page.mouse.up()


def take_payment(
    page: Page, *, method: str, amount: str, offered: str = "", terminal: str = "", reference: str = ""
) -> None:
    """On the visit's page: Take payment, choose the method, type the amount, record it.

    ``offered``: the amount the form should suggest before the clerk types over it.
    """
    page.get_by_role("region", name=re.compile("Charges and payments|Folio")).get_by_role(
        "link", name="Take payment"
    ).click()
    expect(heading(page)).to_contain_text("Take payment")
    assert_every_control_is_named(page, page.locator("main form"))
    if offered:
        expect(page.get_by_label("Amount", exact=True)).to_have_value(offered)
    page.get_by_role("radio", name=method, exact=True).check()
    page.get_by_label("Amount", exact=True).fill(amount)
    if terminal:
        page.get_by_label("Terminal receipt number").fill(terminal)
    if reference:
        page.get_by_label("Reference").fill(reference)
    page.get_by_role("button", name="Record the payment").click()


def open_cash_drawer(page: Page, opening_float: str) -> None:
    """Follow the payment page's link to the cash drawer and open it with ``opening_float``."""
    page.get_by_role("link", name="Cash drawer", exact=True).last.click()
    expect(heading(page)).to_have_text("Cash drawer")
    page.get_by_label("Float").fill(opening_float)
    page.get_by_role("button", name="Open the drawer").click()
    expect(flash(page)).to_contain_text("Cash drawer opened.")


def pdf_from(page: Page, click: Locator) -> bytes:
    """Click something that opens a PDF; check the answer and return the PDF's bytes.

    Chromium shows a PDF in its own viewer, which hides the bytes from the page's response, so
    the same address is downloaded again with the page's cookies (as "Save as" would).
    """
    with page.expect_response(lambda response: response.headers.get("content-type", "") == "application/pdf") as info:
        click.click()
    response = info.value
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("inline;")
    download = page.request.get(response.url)
    assert download.headers["content-type"] == "application/pdf"
    body = download.body()
    assert body.startswith(b"%PDF-")
    return body


def print_receipt(page: Page, visit: Visit) -> SaleDocument:
    """On the visit's page: Receipt → Issue and print; the PDF opens, and Back returns to the app."""
    page.get_by_role("region", name="Charges and payments").get_by_role("link", name="Receipt").click()
    expect(heading(page)).to_have_text(f"Receipt – {visit.number}")
    pdf_from(page, page.get_by_role("button", name="Issue and print the receipt"))
    back_from_the_pdf(page)
    return SaleDocument.objects.get(visit=visit, kind="receipt")


def back_from_the_pdf(page: Page) -> None:
    """The browser's Back button, pressed until the app shows again (the PDF viewer has no menu)."""
    for _ in range(3):
        page.go_back()
        if main_menu(page).count():
            return
    raise AssertionError(f"Back never left the PDF: {page.url}")


# --- the clinic -----------------------------------------------------------------------------------


def add_policy(page: Page, *, payer: str, number: str, copays: dict[str, str]) -> None:
    """On the client's coverage page: Add a policy valid since January, with copays per visit type."""
    page.get_by_role("link", name="Add a policy").click()
    assert_page_shell(page)
    page.get_by_label("Payer").select_option(label=payer)
    page.get_by_label("Member or policy number").fill(number)
    page.get_by_label("Valid from").fill(timezone.localdate().replace(month=1, day=1).isoformat())
    for visit_type, amount in copays.items():
        page.get_by_label(f"Copay: {visit_type}").fill(amount)
    page.get_by_role("button", name="Save").click()
    expect(flash(page)).to_contain_text("Policy added.")
    expect(page.get_by_role("table", name="Policies")).to_contain_text(number)


@pytest.fixture
def clinic(organisation, branch, manager, clerk):
    """A consultation that asks for the intake form and needs coverage; a payer; Jan's planned visit today."""
    form = intake.intake_form_create(
        organisation=organisation, actor=manager, name="Ankieta przed wizytą", title_en="Before your visit"
    )
    draft = form.versions.get()
    for data in (
        FieldData(
            key="allergies", kind="yes_no", label_pl="Czy ma Pan alergie?", label_en="Any allergies?", required=True
        ),
        FieldData(
            key="allergy_list",
            kind="long_text",
            label_pl="Jakie alergie?",
            label_en="Which allergies?",
            required=True,
            show_if_key="allergies",
            show_if_value="yes",
        ),
        FieldData(key="signature", kind="signature", label_pl="Podpis", label_en="Signature", required=True),
    ):
        intake.intake_field_add(version=draft, actor=manager, data=data)
    intake.intake_version_publish(version=draft, actor=manager)
    consultation = desk.visit_type_create(
        organisation=organisation,
        actor=manager,
        name="Konsultacja internistyczna",
        vertical="clinic",
        price=Decimal("150.00"),
        vat_rate="zw",
        coverage_required=True,
        intake_form=form,
    )
    payer = coverage_services.payer_create(organisation=organisation, actor=manager, name="Medicover")
    patient = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Jan", family_name="Kowalski", phones=["600 200 300"]),
        branch=branch,
    )
    visit = desk.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now(), reason="Kaszel"),
    )
    return {"visit": visit, "patient": patient, "payer": payer, "type": consultation}


def test_clinic_visit_from_planned_to_finished_with_coverage_copay_and_intake(page: Page, clerk, clinic):
    visit, name = clinic["visit"], "Jan Kowalski"
    sign_in(page, clerk)

    # Given Jan's planned visit on the clerk's day
    open_the_day(page)
    row = day_row(page, name)
    expect(row).to_contain_text("Planned")
    expect(row).to_contain_text(visit.number)

    # When the clerk checks eligibility: no policy is on file yet
    row.get_by_role("link", name="Check eligibility").click()
    expect(heading(page)).to_have_text(f"Eligibility: {visit.number}, {name}")
    expect(page.get_by_text("none valid on this day")).to_be_visible()

    # So they add his policy, with a 20 PLN copay for the consultation
    page.get_by_role("link", name="Policies").click()
    expect(heading(page)).to_have_text(f"Coverage of {name}")
    add_policy(page, payer="Medicover", number="MC-4417-2025", copays={"Konsultacja internistyczna": "20.00"})

    # And run the check again, now against the policy (the simulated service says "eligible")
    open_the_day(page)
    day_row(page, name).get_by_role("link", name="Check eligibility").click()
    expect(page.get_by_text("Medicover MC-4417-2025")).to_be_visible()
    page.get_by_role("button", name="Check eligibility").click()
    expect(flash(page)).to_contain_text(f"{visit.number}: eligible.")
    expect(page.get_by_text("Covered: Medicover MC-4417-2025 — copay 20.00 PLN")).to_be_visible()
    check = EligibilityCheck.objects.get(visit=visit)
    assert check.confirms and check.copay == Decimal("20.00")

    # When the patient arrives
    page.get_by_role("link", name="Back to the visit").click()
    move_to(page, "Arrived")
    expect(flash(page)).to_contain_text(f"{visit.number}: Arrived.")
    expect(status_badge(page)).to_have_text("Arrived")
    # Then the consultation is charged and the visit stays covered
    expect(balance(page)).to_have_text("150.00 PLN")
    expect(page.get_by_text("Covered: Medicover MC-4417-2025")).to_be_visible()

    # And the visit cannot start before the intake form is accepted
    move_to(page, "In progress")
    expect(page.get_by_role("alert")).to_contain_text("Accept the intake form before the visit starts.")
    expect(status_badge(page)).to_have_text("Arrived")

    # When the clerk fills the form in at the desk with Jan
    intake_section = page.get_by_role("region", name="Intake form")
    expect(intake_section).to_contain_text("to fill")
    intake_section.get_by_role("link", name="Fill in at the desk").click()
    expect(heading(page)).to_have_text("Before your visit")
    assert_page_shell(page)
    assert_every_control_is_named(page, page.locator("main form"))
    # the follow-up question appears only after the answer "yes"
    which = page.get_by_label("Which allergies?")
    expect(which).to_be_hidden()
    page.get_by_role("group", name="Any allergies?").get_by_label("Yes").check()
    expect(which).to_be_visible()
    which.fill("Penicylina")
    draw_signature(page, page.get_by_role("img", name=re.compile("Signature box")))
    page.get_by_role("button", name="Save the form").click()
    expect(flash(page)).to_contain_text("Intake form saved. Review it and accept it.")
    expect(page.get_by_role("region", name="Answers")).to_contain_text("Penicylina")

    # And accepts it
    page.get_by_role("button", name="Accept the form").click()
    expect(flash(page)).to_contain_text("Intake form accepted.")
    expect(page.get_by_role("region", name="Intake form")).to_contain_text("accepted")
    submission = Visit.objects.get(pk=visit.pk).intake_submission
    assert submission.is_accepted
    assert submission.answers["allergies"] == "yes" and submission.answers["allergy_list"] == "Penicylina"
    assert submission.attachments.filter(field_key="signature").exists()

    # When the clerk takes the copay in cash, they are sent to open their drawer first
    take_payment(page, method="Cash", amount="20.00", offered="20.00")
    expect(page.get_by_text("Covered: Medicover MC-4417-2025 — copay 20.00 PLN")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    expect(page.get_by_text("Open your cash drawer before taking or giving back cash")).to_be_visible()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("20.00")
    open_cash_drawer(page, "200.00")
    open_visit(page, name, visit.number)
    take_payment(page, method="Cash", amount="20.00", offered="20.00")
    expect(flash(page)).to_contain_text("20.00 PLN received (Cash).")
    expect(balance(page)).to_have_text("130.00 PLN")

    # And records the insurer's share against the claim number
    take_payment(page, method="Insurer", amount="130.00", offered="130.00", reference="MC-CLAIM-88121")
    expect(flash(page)).to_contain_text("130.00 PLN received (Insurer).")
    expect(balance(page)).to_have_text("0.00 PLN")

    # Then the receipt is issued and comes back as a PDF
    receipt = print_receipt(page, visit)
    assert receipt.total_gross == Decimal("150.00")

    # When the visit starts and ends
    open_visit(page, name, visit.number)
    expect(page.get_by_role("region", name="Charges and payments")).to_contain_text(receipt.number)
    move_to(page, "In progress")
    expect(status_badge(page)).to_have_text("In progress")
    move_to(page, "Finished")
    expect(flash(page)).to_contain_text(f"{visit.number}: Finished.")
    expect(status_badge(page)).to_have_text("Finished")

    # Then the day page shows it finished and settled, and the database agrees
    open_the_day(page)
    row = day_row(page, name)
    expect(row.get_by_role("cell").nth(3)).to_contain_text("Finished")
    expect(row.get_by_role("cell").nth(5)).to_have_text("—")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.FINISHED
    assert VisitBilling.objects.get(visit=visit).billing == "coverage"
    payments = sorted(Payment.objects.filter(visit=visit).values_list("method", "amount"))
    assert payments == [("cash", Decimal("20.00")), ("insurer", Decimal("130.00"))]
    drawer = DrawerSession.objects.get(clerk=clerk)
    assert drawer.closed_at is None and drawer.opening_float == Decimal("200.00")
    assert Payment.objects.get(visit=visit, method="cash").drawer_session == drawer
    assert list(Charge.objects.filter(visit=visit).values_list("total_gross", flat=True)) == [Decimal("150.00")]


# --- the hotel ------------------------------------------------------------------------------------


@pytest.fixture
def hotel(organisation, branch, manager, clerk):
    """A two-night booking in room 101 for Piotr Nowak, arriving today; Olena Kovalenko travels with him."""
    nights = desk.visit_type_create(
        organisation=organisation, actor=manager, name="Nocleg", vertical="hotel", price=Decimal("320.00"), vat_rate="8"
    )
    room = desk.room_create(branch=branch, actor=manager, number="101", floor=1, kind="double", capacity=2)
    main_guest = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Piotr", family_name="Nowak", phones=["601 100 200"]),
        branch=branch,
    )
    companion = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Olena", family_name="Kovalenko"),
        branch=branch,
    )
    today = desk.branch_today(branch)
    stay = desk.visit_create(
        branch=branch,
        actor=clerk,
        client=main_guest,
        visit_type=nights,
        data=VisitData(arrival_date=today, departure_date=today + timedelta(days=2), room=room),
    )
    return {"stay": stay, "main_guest": main_guest, "companion": companion, "today": today}


def add_guest(page: Page, name: str, search: str) -> None:
    """On the stay's page: find the guest with the picker, confirm the read-back if asked, add."""
    guests = page.get_by_role("region", name="Guests")
    guests.get_by_label("Add a guest").fill(search)
    guests.get_by_role("button", name=name).click()
    confirm = guests.get_by_role("button", name=f"Yes, {name}")
    if confirm.count():
        confirm.click()
    expect(guests.get_by_role("button", name="Choose another client")).to_be_visible()
    guests.get_by_role("button", name="Add the guest").click()
    expect(flash(page)).to_contain_text(f"{name} added to the stay.")


def fill_registration_card(page: Page, name: str, card: dict[str, str]) -> None:
    """From the stay's cards: open ``name``'s card, type every field, sign on the pad, save."""
    page.get_by_role("link", name=name, exact=True).click()
    expect(heading(page)).to_have_text(f"Registration card: {name}")
    for label, value in card.items():
        field = page.get_by_label(label, exact=True)
        if label == "ID document":
            field.select_option(label=value)
        else:
            field.fill(value)
    assert_every_control_is_named(page, page.locator("main form"))
    draw_signature(page, page.get_by_role("img", name=re.compile("Signature area")))
    page.get_by_role("button", name="Save the card").click()
    expect(flash(page)).to_contain_text(f"Registration card of {name} saved.")
    expect(heading(page)).to_contain_text("Registration cards:")


def test_hotel_stay_with_two_guests_extra_charge_and_check_out_only_once_settled(page: Page, clerk, hotel):
    stay, today = hotel["stay"], hotel["today"]
    sign_in(page, clerk)

    # Given Piotr's booking on today's arrivals
    open_visit(page, "Piotr Nowak", stay.number)
    expect(status_badge(page)).to_have_text("Booked")

    # When the clerk adds Olena to the stay with the client picker
    add_guest(page, "Olena Kovalenko", "kovalenko")
    guests = page.get_by_role("region", name="Guests")
    expect(guests).to_contain_text("Olena Kovalenko")

    # Then check-in is refused while the registration cards are missing
    move_to(page, "Checked in")
    expect(page.get_by_role("alert")).to_contain_text("Fill in and sign the registration card of:")
    expect(status_badge(page)).to_have_text("Booked")

    # When both guests fill in and sign their cards, each with an identity document
    page.get_by_role("region", name="Status").get_by_role("link", name="Registration cards").click()
    expect(heading(page)).to_have_text(f"Registration cards: {stay.number}")
    expect(page.get_by_text("no card yet")).to_have_count(2)
    fill_registration_card(
        page,
        "Piotr Nowak",
        {
            "Date of birth": "1984-03-12",
            "Nationality": "PL",
            "Street and number": "ul. Długa 5/3",
            "Postal code": "00-238",
            "City": "Warszawa",
            "Country of residence": "PL",
            "ID document": "National ID card",
            "Document number": "ABC123456",
            "Issuing country": "PL",
            "Document valid until": (today + timedelta(days=900)).isoformat(),
        },
    )
    fill_registration_card(
        page,
        "Olena Kovalenko",
        {
            "Date of birth": "1990-07-30",
            "Nationality": "UA",
            "Street and number": "vul. Khreshchatyk 22",
            "Postal code": "01001",
            "City": "Kyiv",
            "Country of residence": "UA",
            "ID document": "Passport",
            "Document number": "FA123456",
            "Issuing country": "UA",
            "Document valid until": (today + timedelta(days=400)).isoformat(),
        },
    )
    expect(page.get_by_text("card complete")).to_have_count(2)
    cards = RegistrationCard.objects.filter(guest__visit=stay).order_by("family_name")
    assert [(c.family_name, c.document_type, c.document_number, c.has_signature) for c in cards] == [
        ("Kovalenko", "passport", "FA123456", True),
        ("Nowak", "id_card", "ABC123456", True),
    ]

    # And the clerk checks them in
    page.get_by_role("link", name="Back to the stay").click()
    move_to(page, "Checked in")
    expect(flash(page)).to_contain_text(f"{stay.number}: Checked in.")
    expect(status_badge(page)).to_have_text("Checked in")
    # Then the two nights are on the folio
    expect(balance(page)).to_have_text("640.00 PLN")

    # When the minibar is charged
    folio = page.get_by_role("region", name="Folio")
    folio.get_by_text("Add a charge").click()
    folio.get_by_label("Description").fill("Minibar")
    folio.get_by_label("Quantity").fill("2")
    folio.get_by_label("Unit price (gross)").fill("12.50")
    folio.get_by_label("VAT rate").select_option(label="23%")
    folio.get_by_role("button", name="Add the charge").click()
    expect(flash(page)).to_contain_text("Charge added.")
    expect(balance(page)).to_have_text("665.00 PLN")
    expect(page.get_by_role("table", name="Charges")).to_contain_text("Minibar")

    # Two nights later (the stay's dates move back two days, as if they had passed: a check-out before
    # the departure date is an early departure, charged for the nights stayed only)
    Visit.objects.filter(pk=stay.pk).update(arrival_date=today - timedelta(days=2), departure_date=today)
    page.reload()

    # Then check-out is refused while the folio is open, with the amount due
    move_to(page, "Checked out")
    expect(page.get_by_role("alert")).to_contain_text("Settle the folio before check-out: 665.00 PLN still due.")
    expect(status_badge(page)).to_have_text("Checked in")

    # When the guest pays by card
    take_payment(page, method="Card", amount="665.00", offered="665.00", terminal="T-000815")
    expect(flash(page)).to_contain_text("665.00 PLN received (Card).")
    expect(balance(page)).to_have_text("0.00 PLN")

    # Then check-out goes through
    move_to(page, "Checked out")
    expect(flash(page)).to_contain_text(f"{stay.number}: Checked out.")
    expect(status_badge(page)).to_have_text("Checked out")
    stay.refresh_from_db()
    assert stay.status == VisitStatus.CHECKED_OUT
    charges = Charge.objects.filter(visit=stay, voided_at__isnull=True)
    assert sorted(charges.values_list("total_gross", flat=True)) == [Decimal("25.00"), Decimal("640.00")]
    assert charges.get(total_gross=Decimal("25.00")).description == "Minibar"
    payment = Payment.objects.get(visit=stay)
    assert (payment.method, payment.amount, payment.terminal_receipt) == ("card", Decimal("665.00"), "T-000815")


# --- the shop -------------------------------------------------------------------------------------


@pytest.fixture
def shop(organisation, branch, manager, clerk):
    """A sale visit type and a customer; the default approval ladder (above 200.00: a manager)."""
    desk.visit_type_create(organisation=organisation, actor=manager, name="Sprzedaż", vertical="retail")
    return client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Ewa", family_name="Zielińska", phones=["602 300 400"]),
        branch=branch,
    )


def add_line(page: Page, description: str, quantity: str, unit_price: str) -> None:
    lines = page.get_by_role("region", name="Line items")
    lines.get_by_label("Description").fill(description)
    lines.get_by_label("Quantity").fill(quantity)
    lines.get_by_label("Unit price (gross)").fill(unit_price)
    lines.get_by_label("VAT rate").select_option(label="23%")
    lines.get_by_role("button", name="Add the item").click()
    expect(lines.get_by_role("table", name="Line items")).to_contain_text(description)


def test_shop_sale_paid_then_returned_with_a_refund_a_manager_approves(page: Page, new_page, clerk, manager, shop):
    sign_in(page, clerk)

    # Given the clerk opens a sale for Ewa
    main_menu(page).get_by_role("link", name="New visit").click()
    page.get_by_label("Client", exact=True).fill("zielinska")
    page.get_by_role("button", name="Ewa Zielińska").click()
    expect(page.get_by_role("button", name="Choose another client")).to_be_visible()
    page.get_by_label("Visit type").select_option(label="Sprzedaż")
    page.get_by_role("button", name="Open the visit").click()
    expect(flash(page)).to_contain_text("opened.")
    sale = Visit.objects.get(client=shop)
    expect(status_badge(page)).to_have_text("Open")

    # And rings up two items
    add_line(page, "Kurtka zimowa", "1", "299.00")
    add_line(page, "Rękawiczki", "2", "25.00")
    lines = page.get_by_role("table", name="Line items")
    expect(lines.get_by_role("row").last).to_contain_text("349.00")
    expect(balance(page)).to_have_text("349.00 PLN")

    # When Ewa pays by card and the sale is marked paid
    take_payment(page, method="Card", amount="349.00", offered="349.00", terminal="T-004242")
    expect(flash(page)).to_contain_text("349.00 PLN received (Card).")
    move_to(page, "Paid")
    expect(status_badge(page)).to_have_text("Paid")
    expect(balance(page)).to_have_text("0.00 PLN")
    # Then her receipt prints
    receipt = print_receipt(page, sale)
    assert receipt.total_gross == Decimal("349.00")

    # When she brings everything back and the clerk gives the money back (above the clerk's limit)
    open_visit(page, "Ewa Zielińska", sale.number)
    page.get_by_label("Reason (Returned)").fill("Zwrot towaru w terminie")
    move_to(page, "Returned")
    expect(status_badge(page)).to_have_text("Returned")
    expect(balance(page)).to_have_text("-349.00 PLN")
    page.get_by_role("link", name="Give money back").click()
    expect(heading(page)).to_contain_text("Give money back")
    page.get_by_label("Amount").fill("349.00")
    page.get_by_label("Given back by").select_option(label="Card")
    page.get_by_label("Reason").fill("Zwrot towaru")
    page.get_by_role("button", name="Give money back").click()

    # Then the refund waits for a manager, and the balance does not move yet
    expect(flash(page)).to_contain_text("The refund waits for approval (role: Front office manager).")
    money = page.get_by_role("region", name="Charges and payments")
    expect(money.get_by_role("table", name="Refunds")).to_contain_text("Waiting for approval")
    expect(money).to_contain_text("349.00 waiting for approval")
    expect(balance(page)).to_have_text("-349.00 PLN")
    refund = Refund.objects.get(visit=sale)
    assert refund.status == "pending" and refund.required_role == "manager"

    # When a manager signs in on another computer and approves it
    manager_page = new_page()
    sign_in(manager_page, manager, device=add_totp_device(manager))
    main_menu(manager_page).get_by_role("link", name="Refunds to approve").click()
    expect(heading(manager_page)).to_have_text("Refunds to approve")
    assert_page_shell(manager_page)
    manager_page.get_by_label("Comment").fill("Towar sprawdzony")
    manager_page.get_by_role("button", name=f"Approve 349.00 on {sale.number}").click()
    expect(flash(manager_page)).to_contain_text(f"Refund of 349.00 on {sale.number}: Approved.")
    expect(manager_page.get_by_text("No refunds here.")).to_be_visible()

    # Then the clerk sees it approved and the balance settled
    open_visit(page, "Ewa Zielińska", sale.number)
    money = page.get_by_role("region", name="Charges and payments")
    expect(money.get_by_role("table", name="Refunds")).to_contain_text("Approved: Towar sprawdzony")
    expect(balance(page)).to_have_text("0.00 PLN")
    expect(money).to_contain_text(receipt.number)
    refund.refresh_from_db()
    assert (refund.status, refund.decided_by, refund.amount) == ("approved", manager, Decimal("349.00"))
    sale.refresh_from_db()
    assert sale.status == VisitStatus.RETURNED
    assert SaleDocument.objects.filter(visit=sale).count() == 1


def test_a_patient_fills_the_intake_form_from_the_link_on_their_phone(new_page, clinic):
    """The pre-arrival link works in a real browser: the page's referrer policy lets its form post pass the
    CSRF origin check (under "no-referrer" Chromium sends "Origin: null", and the answer was refused)."""
    from frontoffice.clients.models import Client
    from frontoffice.desk.intake import links

    visit = clinic["visit"]
    Client.objects.filter(pk=clinic["patient"].pk).update(preferred_language="en")
    token = links.make_token(visit_id=visit.pk, form_id=clinic["type"].intake_form_id)
    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"/desk/intake/{token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Before your visit")
    phone.get_by_role("group", name="Any allergies?").get_by_label("No").check()
    draw_signature(phone, phone.get_by_role("img", name=re.compile("Signature box")))
    phone.get_by_role("button", name="Send the form").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    submission = Visit.objects.get(pk=visit.pk).intake_submission
    assert submission.answers["allergies"] == "no"
    assert not submission.is_accepted  # the clerk reviews it first
