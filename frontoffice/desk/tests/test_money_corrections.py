"""Money corrections: voiding a wrong charge, correction invoices (faktura korygująca) and an early departure
that keeps only the nights stayed."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from frontoffice.core.models import AuditEntry
from frontoffice.desk import services as desk
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import Charge, SaleDocument, Visit
from frontoffice.desk.money import documents, services
from frontoffice.desk.money import selectors as money
from frontoffice.desk.money.services import LineCorrection

D = Decimal


@pytest.fixture
def seller(organisation, admin):
    return services.money_settings_update(
        organisation=organisation,
        actor=admin,
        expected_version=None,
        seller_name="Hotel Pod Lipami sp. z o.o.",
        seller_nip="5260250274",
        seller_street="ul. Lipowa 1",
        seller_postal_code="00-002",
        seller_city="Warszawa",
    )


def _pay(visit, actor, amount):
    return services.payment_take(visit=visit, actor=actor, method="card", amount=D(amount), terminal_receipt="T-1")


def _messages(caught):
    return " ".join(caught.value.messages)


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def minibar(checked_in, clerk):
    return services.charge_add(
        visit=checked_in, actor=clerk, description="Minibar: wino", quantity=D(1), unit_price=D("89.00")
    )


# --- voiding a wrong charge ---------------------------------------------------------------------------


def test_a_clerk_voids_a_wrong_minibar_charge_and_it_stops_counting_but_stays_visible(checked_in, minibar, clerk):
    assert money.folio(checked_in).charges == D("1049.00")

    voided = services.charge_void(charge=minibar, actor=clerk, reason="  Gość nie pił wina  ")

    assert voided.voided_at is not None and voided.voided_by == clerk and voided.void_reason == "Gość nie pił wina"
    assert money.folio(checked_in).charges == D("960.00")
    assert money.balances([checked_in])[checked_in.pk] == D("960.00")
    assert Charge.objects.filter(visit=checked_in).count() == 2  # still on the folio
    entry = AuditEntry.objects.get(action="charge.void")
    assert entry.data["reason"] == "Gość nie pił wina" and entry.data["gross"] == "89.00"


def test_a_void_needs_a_reason_and_happens_once(minibar, clerk):
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=minibar, actor=clerk, reason="   ")
    assert caught.value.message_dict == {"reason": ["Say why the charge is void."]}
    services.charge_void(charge=minibar, actor=clerk, reason="Pomyłka")
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=minibar, actor=clerk, reason="Jeszcze raz")
    assert "already void" in _messages(caught)


def test_the_desks_own_nights_charge_is_not_voided_by_hand(checked_in, clerk):
    nights = checked_in.charges.get(kind="nights")
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=nights, actor=clerk, reason="Za drogo")
    assert "follows the visit" in _messages(caught)
    nights.refresh_from_db()
    assert nights.voided_at is None


def test_a_charge_on_an_invoice_cannot_be_voided_and_points_to_a_correction(checked_in, minibar, clerk, seller):
    invoice = services.document_issue(visit=checked_in, actor=clerk, kind="invoice", buyer_name="Firma ABC")
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=minibar, actor=clerk, reason="Pomyłka")
    assert f"Invoice {invoice.number} lists this charge" in _messages(caught)
    assert "correction" in _messages(caught)
    # A charge posted after the invoice is not on it, and can be voided.
    parking = services.charge_add(visit=checked_in, actor=clerk, description="Parking", quantity=D(1), unit_price=D(30))
    assert services.charge_void(charge=parking, actor=clerk, reason="Bez auta").voided_at is not None


def test_a_charge_on_a_receipt_cannot_be_voided_and_points_to_a_refund(checked_in, minibar, clerk):
    _pay(checked_in, clerk, "1049.00")
    receipt = services.document_issue(visit=checked_in, actor=clerk, kind="receipt")
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=minibar, actor=clerk, reason="Pomyłka")
    assert f"Receipt {receipt.number}" in _messages(caught) and "give the money back" in _messages(caught)


def test_a_closed_visit_keeps_its_charges(shop_sale, clerk):
    charge = services.charge_add(visit=shop_sale, actor=clerk, description="Torba", quantity=D(1), unit_price=D(2))
    desk.visit_transition(visit=shop_sale, to_status=S.CANCELLED, actor=clerk, reason="Klient zrezygnował")
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=charge, actor=clerk, reason="Pomyłka")
    assert "no longer takes charges" in _messages(caught)


def test_a_void_above_the_organisations_limit_needs_a_manager(organisation, admin, minibar, clerk, manager):
    services.money_settings_update(organisation=organisation, actor=admin, expected_version=None, void_limit=D("50.00"))
    with pytest.raises(ValidationError) as caught:
        services.charge_void(charge=minibar, actor=clerk, reason="Pomyłka")
    assert "above 50.00 PLN needs a manager" in _messages(caught)
    assert services.charge_void(charge=minibar, actor=manager, reason="Pomyłka").voided_by == manager


def test_a_voided_charge_that_was_paid_leaves_the_folio_in_credit_for_a_refund(checked_in, minibar, clerk):
    _pay(checked_in, clerk, "1049.00")
    services.charge_void(charge=minibar, actor=clerk, reason="Pomyłka")
    current = money.folio(checked_in)
    assert current.balance == D("-89.00") and current.refundable == D("1049.00")
    services.refund_request(visit=checked_in, actor=clerk, amount=D("89.00"), method="card", reason="Minibar")
    assert money.folio(checked_in).balance == D("0.00")


# --- correction invoices -------------------------------------------------------------------------------


@pytest.fixture
def invoiced_sale(shop_sale, clerk, seller):
    """Two lines (2 × 35.00 at 23 %, 1 × 45.00 at 5 %), paid by card and invoiced."""
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Kabel", quantity=D(2), unit_price=D("35.00"))
    desk.visit_line_add(
        visit=shop_sale, actor=clerk, description="Książka", quantity=D(1), unit_price=D("45.00"), vat_rate="5"
    )
    _pay(shop_sale, clerk, "115.00")
    desk.visit_transition(visit=shop_sale, to_status=S.PAID, actor=clerk)
    return services.document_issue(visit=shop_sale, actor=clerk, kind="invoice", buyer_name="Firma ABC")


def test_a_correction_lists_the_line_before_and_after_and_the_difference(invoiced_sale, clerk):
    correction = services.correction_issue(
        invoice=invoiced_sale,
        actor=clerk,
        reason="Zwrot jednego kabla",
        lines=[LineCorrection(position=1, quantity="1", unit_price="35.00")],
    )

    assert correction.kind == "correction" and correction.corrects == invoiced_sale
    assert correction.number.startswith("FK-") and correction.number.endswith("-000001")
    [line] = correction.lines
    assert line["position"] == "1" and line["description"] == "Kabel"
    assert line["before"] == {"quantity": "2", "unit_price": "35.00", "net": "56.91", "vat": "13.09", "gross": "70.00"}
    assert line["after"] == {"quantity": "1", "unit_price": "35.00", "net": "28.46", "vat": "6.54", "gross": "35.00"}
    assert line["difference"] == {"net": "-28.45", "vat": "-6.55", "gross": "-35.00"}
    assert [row["vat_rate"] for row in correction.vat_breakdown] == ["23"]
    assert (correction.total_net, correction.total_vat, correction.total_gross) == (D("-28.45"), D("-6.55"), D("-35"))


def test_a_lowering_correction_moves_no_money_the_refund_does(invoiced_sale, clerk):
    visit = invoiced_sale.visit
    services.correction_issue(
        invoice=invoiced_sale, actor=clerk, reason="Rabat", lines=[LineCorrection(1, "2", "30.00")]
    )
    current = money.folio(visit)
    assert (current.charges, current.corrections, current.paid, current.refunded) == (
        D("105.00"),
        D("-10.00"),
        D("115.00"),
        D("0.00"),
    )
    assert current.balance == D("-10.00")  # in credit: nothing was given back yet
    assert money.balances([visit])[visit.pk] == D("-10.00")
    services.refund_request(visit=visit, actor=clerk, amount=D("10.00"), method="card", reason="Rabat po korekcie")
    assert money.folio(visit).balance == D("0.00")


def test_a_correction_to_zero_cancels_the_whole_invoice(invoiced_sale, clerk):
    correction = services.correction_issue(invoice=invoiced_sale, actor=clerk, reason="Anulowanie", to_zero=True)

    assert [line["after"]["gross"] for line in correction.lines] == ["0.00", "0.00"]
    assert correction.total_gross == -invoiced_sale.total_gross
    assert correction.total_vat == -invoiced_sale.total_vat
    assert money.folio(invoiced_sale.visit).charges == D("0.00")
    with pytest.raises(ValidationError) as caught:
        services.correction_issue(invoice=invoiced_sale, actor=clerk, reason="Jeszcze raz", to_zero=True)
    assert "would change nothing" in _messages(caught)


def test_a_second_correction_starts_from_what_the_first_left(invoiced_sale, clerk):
    first = services.correction_issue(
        invoice=invoiced_sale, actor=clerk, reason="Rabat", lines=[LineCorrection(1, "2", "30.00")]
    )
    second = services.correction_issue(
        invoice=invoiced_sale, actor=clerk, reason="Zwrot", lines=[LineCorrection(1, "1", "30.00")]
    )
    assert second.lines[0]["before"]["gross"] == "60.00" and second.lines[0]["after"]["gross"] == "30.00"
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1  # gap-free, own series
    lines = money.invoice_lines_now(invoiced_sale)
    assert [(line["quantity"], line["unit_price"]) for line in lines] == [("1", "30.00"), ("1", "45.00")]
    # The invoice and its corrections add up, rate by rate, to the corrected lines.
    now = documents.vat_breakdown(lines)
    corrected = {row["vat_rate"]: D(row["vat"]) for row in invoiced_sale.vat_breakdown}
    for correction in (first, second):
        for row in correction.vat_breakdown:
            corrected[row["vat_rate"]] += D(row["vat"])
    assert corrected == {row["vat_rate"]: D(row["vat"]) for row in now}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"reason": "", "lines": [LineCorrection(1, "1", "35.00")]}, "Say why the invoice is corrected."),
        ({"reason": "X", "lines": [LineCorrection(1, "-1", "35.00")]}, "Enter a quantity of zero or more."),
        ({"reason": "X", "lines": [LineCorrection(1, "1", "-5")]}, "a negative amount is not accepted"),
        ({"reason": "X", "lines": [LineCorrection(9, "1", "1")]}, "Line 9 is not on invoice"),
        ({"reason": "X", "lines": [LineCorrection(1, "2", "35.00")]}, "would change nothing"),
    ],
)
def test_a_bad_correction_is_refused_with_a_message_and_nothing_is_issued(invoiced_sale, clerk, kwargs, expected):
    with pytest.raises(ValidationError) as caught:
        services.correction_issue(invoice=invoiced_sale, actor=clerk, **kwargs)
    assert expected in _messages(caught)
    assert not SaleDocument.objects.filter(kind="correction").exists()


def test_a_receipt_is_not_corrected_by_an_invoice(shop_sale, clerk):
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Kabel", quantity=D(1), unit_price=D("35.00"))
    _pay(shop_sale, clerk, "35.00")
    receipt = services.document_issue(visit=shop_sale, actor=clerk, kind="receipt")
    with pytest.raises(ValidationError) as caught:
        services.correction_issue(invoice=receipt, actor=clerk, reason="Zwrot", to_zero=True)
    assert "A receipt is not corrected" in _messages(caught)


def test_a_correction_is_not_itself_corrected(invoiced_sale, clerk):
    correction = services.correction_issue(invoice=invoiced_sale, actor=clerk, reason="Rabat", to_zero=True)
    with pytest.raises(ValidationError) as caught:
        services.correction_issue(invoice=correction, actor=clerk, reason="Znowu", to_zero=True)
    assert "not one of its corrections" in _messages(caught)


def test_the_correction_pdf_names_the_invoice_it_corrects_and_the_reason(invoiced_sale, clerk):
    correction = services.correction_issue(
        invoice=invoiced_sale, actor=clerk, reason="Zwrot jednego kabla", lines=[LineCorrection(1, "1", "35.00")]
    )
    text = _text(documents.document_pdf(correction))
    assert correction.number in text and invoiced_sale.number in text
    assert "Zwrot jednego kabla" in text and "5260250274" in text
    assert "-35.00" in text and "70.00" in text  # the difference and the line before


def test_a_correction_naming_a_buyer_in_hebrew_is_laid_out_from_html_with_the_same_content(invoiced_sale, clerk):
    correction = services.correction_issue(
        invoice=invoiced_sale, actor=clerk, reason="Zwrot jednego kabla", lines=[LineCorrection(1, "1", "35.00")]
    )
    correction.buyer_name = "חברת אור"
    pdf = documents.document_pdf(correction)
    assert PdfReader(io.BytesIO(pdf)).metadata.producer.startswith("WeasyPrint")
    text = _text(pdf)
    assert correction.number in text and invoiced_sale.number in text and "Zwrot jednego kabla" in text
    assert "-35.00" in text and "70.00" in text


def test_correcting_is_audited(invoiced_sale, clerk):
    correction = services.correction_issue(invoice=invoiced_sale, actor=clerk, reason="Rabat", to_zero=True)
    entry = AuditEntry.objects.get(action="document.correction")
    assert entry.data["corrects"] == invoiced_sale.pk and entry.data["document"] == correction.pk
    assert entry.data["gross"] == "-115.00"


# --- early departure ------------------------------------------------------------------------------------


def _stay_dates(visit, arrival_offset, nights):
    """Move a booked stay so that it began ``arrival_offset`` days ago and lasts ``nights`` nights."""
    today = desk.branch_today(visit.branch)
    arrival = today - timedelta(days=arrival_offset)
    Visit.objects.filter(pk=visit.pk).update(arrival_date=arrival, departure_date=arrival + timedelta(days=nights))
    visit.refresh_from_db()
    return visit


@pytest.fixture
def long_stay(stay, clerk):
    """Four nights booked from two days ago, checked in: 1280.00 charged."""
    visit = desk.visit_transition(visit=_stay_dates(stay, 2, 4), to_status=S.CHECKED_IN, actor=clerk)
    assert visit.charges.get().total_gross == D("1280.00")
    return visit


def test_an_early_departure_keeps_only_the_nights_stayed(long_stay, clerk):
    _pay(long_stay, clerk, "640.00")  # two nights: what the guest owes when leaving today

    visit = desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)

    assert visit.early_departure
    old, new = visit.charges.order_by("pk")
    assert old.voided_at is not None and old.quantity == D(4)
    assert old.void_reason == "Early departure: 2 of 4 nights stayed."
    assert new.voided_at is None and (new.kind, new.quantity, new.total_gross) == ("nights", D(2), D("640.00"))
    assert money.folio(visit).balance == D("0.00")
    assert AuditEntry.objects.get(action="charge.early_departure").data["difference"] == "-640.00"


def test_leaving_the_day_after_arrival_or_the_same_day_charges_one_night(stay, clerk):
    visit = desk.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)  # arrives today, 3 nights
    _pay(visit, clerk, "320.00")
    visit = desk.visit_transition(visit=visit, to_status=S.CHECKED_OUT, actor=clerk)
    assert visit.charges.get(voided_at__isnull=True).quantity == D(1)


def test_a_guest_who_paid_every_night_leaves_early_in_credit_and_gets_the_difference_back(long_stay, clerk, manager):
    _pay(long_stay, clerk, "1280.00")
    visit = desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)
    assert money.folio(visit).balance == D("-640.00")
    refund = services.refund_request(
        visit=visit, actor=clerk, amount=D("640.00"), method="card", reason="Wcześniejszy wyjazd"
    )
    assert money.folio(visit).balance == D("-640.00")  # above the limit: waits for the manager
    services.refund_decide(refund=refund, actor=manager, approve=True)
    assert money.folio(visit).balance == D("0.00")


def test_leaving_on_the_departure_date_changes_nothing(stay, clerk):
    visit = desk.visit_transition(visit=_stay_dates(stay, 2, 2), to_status=S.CHECKED_IN, actor=clerk)
    _pay(visit, clerk, "640.00")
    visit = desk.visit_transition(visit=visit, to_status=S.CHECKED_OUT, actor=clerk)
    assert not visit.early_departure and visit.charges.get().voided_at is None


def test_an_invoice_listing_the_nights_refuses_the_early_check_out_until_a_correction(long_stay, clerk, seller):
    _pay(long_stay, clerk, "1280.00")
    invoice = services.document_issue(visit=long_stay, actor=clerk, kind="invoice", buyer_name="Firma ABC")

    with pytest.raises(ValidationError) as caught:
        desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)
    assert f"Invoice {invoice.number} bills 4 nights and the guest stayed 2" in _messages(caught)
    assert "correction invoice" in _messages(caught)
    assert Visit.objects.get(pk=long_stay.pk).status == S.CHECKED_IN

    services.correction_issue(
        invoice=invoice, actor=clerk, reason="Wcześniejszy wyjazd", lines=[LineCorrection(1, "2", "320.00")]
    )
    visit = desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)

    assert visit.early_departure
    assert visit.charges.get().voided_at is None  # the correction carries the difference, not a second charge
    assert money.folio(visit).balance == D("-640.00")  # to be given back with a refund


def test_a_receipt_does_not_stop_an_early_departure_its_money_is_given_back(long_stay, clerk):
    _pay(long_stay, clerk, "1280.00")
    services.document_issue(visit=long_stay, actor=clerk, kind="receipt")
    visit = desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)
    assert money.folio(visit).balance == D("-640.00")


def test_an_unpaid_early_departure_is_told_what_the_nights_stayed_cost(long_stay, clerk):
    _pay(long_stay, clerk, "600.00")
    with pytest.raises(ValidationError) as caught:
        desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)
    assert "40.00 PLN still due" in _messages(caught)


def test_the_organisations_early_departure_fee_is_charged_on_top_of_the_nights_stayed(
    organisation, admin, long_stay, clerk
):
    services.money_settings_update(
        organisation=organisation, actor=admin, expected_version=None, early_departure_fee=D("50.00")
    )
    _pay(long_stay, clerk, "640.00")
    with pytest.raises(ValidationError) as caught:
        desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)
    assert "50.00 PLN still due" in _messages(caught)
    _pay(long_stay, clerk, "50.00")

    visit = desk.visit_transition(visit=long_stay, to_status=S.CHECKED_OUT, actor=clerk)

    fee = visit.charges.get(kind="extra")
    assert (fee.description, fee.total_gross, fee.vat_rate) == ("Early departure fee", D("50.00"), "8")
    assert money.folio(visit).balance == D("0.00")


def test_no_fee_is_charged_when_the_guest_leaves_as_booked(organisation, admin, stay, clerk):
    services.money_settings_update(
        organisation=organisation, actor=admin, expected_version=None, early_departure_fee=D("50.00")
    )
    visit = desk.visit_transition(visit=_stay_dates(stay, 2, 2), to_status=S.CHECKED_IN, actor=clerk)
    _pay(visit, clerk, "640.00")
    visit = desk.visit_transition(visit=visit, to_status=S.CHECKED_OUT, actor=clerk)
    assert not visit.charges.filter(kind="extra").exists()
