"""Money at the desk: balances with VAT, payments and their refusals, refunds and the approval ladder,
cash drawers, receipts, invoices and the fiscal printer."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from frontoffice.clients.services import ClientData, IdentifierData, client_create
from frontoffice.core.models import AuditEntry
from frontoffice.desk import services as desk
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import Charge, FiscalPrintout, Payment, Refund, Visit
from frontoffice.desk.money import documents, fiscal, services
from frontoffice.desk.money import selectors as money

D = Decimal


@pytest.fixture
def drawer(clerk, branch):
    return services.drawer_open(branch=branch, actor=clerk, opening_float=D("200.00"))


@pytest.fixture
def seller(organisation, admin):
    return services.money_settings_update(
        organisation=organisation,
        actor=admin,
        expected_version=None,
        seller_name="Przychodnia Zdrowie sp. z o.o.",
        seller_nip="526-025-02-74",
        seller_street="ul. Długa 5",
        seller_postal_code="00-001",
        seller_city="Warszawa",
    )


def _pay(visit, actor, amount, method="card", **extra):
    if method == "card":
        extra.setdefault("terminal_receipt", "T-0001")
    return services.payment_take(visit=visit, actor=actor, method=method, amount=D(amount), **extra)


def _messages(caught):
    return " ".join(caught.value.messages)


# --- VAT and balances -----------------------------------------------------------------------------


def test_the_vat_of_a_document_is_taken_from_the_sum_of_each_rate_not_line_by_line():
    lines = [{"description": "Guma", "quantity": "1", "unit_price": "0.99", "vat_rate": "23", "gross": "0.99"}] * 3
    lines += [{"description": "Książka", "quantity": "1", "unit_price": "45.00", "vat_rate": "5", "gross": "45.00"}]
    breakdown = documents.vat_breakdown(lines)
    # Per line the VAT would be 3 × 0.19 = 0.57; on the sum 2.97 × 23/123 = 0.5553… → 0.56.
    assert breakdown[0] == {"vat_rate": "23", "net": "2.41", "vat": "0.56", "gross": "2.97"}
    assert breakdown[1] == {"vat_rate": "5", "net": "42.86", "vat": "2.14", "gross": "45.00"}
    assert documents.totals(breakdown) == (D("45.27"), D("2.70"), D("47.97"))


def test_a_clinic_visit_takes_a_deposit_then_is_charged_on_arrival_and_settled_by_a_split_payment(
    clinic_visit, clerk, drawer
):
    deposit = _pay(clinic_visit, clerk, "50.00")
    assert deposit.is_deposit
    assert money.folio(clinic_visit).balance == D("-50.00")  # in credit: nothing charged yet

    visit = desk.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    charge = Charge.objects.get(visit=visit)
    assert (charge.kind, charge.total_gross, charge.vat_rate) == ("service", D("150.00"), "zw")
    assert money.folio(visit).balance == D("100.00")

    _pay(visit, clerk, "60.00")
    cash = _pay(visit, clerk, "40.00", method="cash")
    assert cash.drawer_session == drawer and not cash.is_deposit
    current = money.folio(visit)
    assert (current.charges, current.paid, current.balance) == (D("150.00"), D("150.00"), D("0.00"))
    assert current.by_method == {"card": D("110.00"), "cash": D("40.00")}


def test_a_stay_is_charged_nights_times_the_rate_at_check_in(stay, clerk):
    visit = desk.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)
    charge = visit.charges.get()
    assert (charge.kind, charge.quantity, charge.total_gross) == ("nights", D("3"), D("960.00"))
    assert (charge.total_vat, charge.total_net) == (D("71.11"), D("888.89"))  # 8 % taken out of the gross


def test_a_cancelled_visit_no_longer_charges_the_visit_type(clinic_visit, clerk):
    visit = desk.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    visit = desk.visit_transition(visit=visit, to_status=S.CANCELLED, actor=clerk, reason="Patient left")
    charge = visit.charges.get()
    assert charge.voided_at is not None and (charge.voided_by, charge.void_reason) == (clerk, "Cancelled")
    assert money.folio(visit).charges == D("0.00")


def test_extra_charges_join_the_folio(stay, clerk):
    visit = desk.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)
    services.charge_add(
        visit=visit, actor=clerk, description="Minibar", quantity=D("2"), unit_price=D("12.50"), vat_rate="23"
    )
    assert money.folio(visit).charges == D("985.00")
    assert money.balances([visit]) == {visit.pk: D("985.00")}


# --- refusals with a clear message ----------------------------------------------------------------


def test_overpayment_is_refused_with_the_amount_due(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, "150.01")
    assert "at most 150.00 PLN" in _messages(caught) and "Overpayment" in _messages(caught)
    _pay(clinic_visit, clerk, "150.00")
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, "1.00")
    assert _messages(caught) == "Nothing is due on this visit."
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["-10.00", "0", "0.00"])
def test_a_negative_or_zero_amount_is_refused(clinic_visit, clerk, amount):
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, amount)
    assert caught.value.message_dict["amount"] == ["Enter an amount above zero; a negative amount is not accepted."]


def test_more_than_two_decimals_is_refused(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, "10.005")
    assert "two decimal places" in _messages(caught)


def test_a_card_payment_needs_the_terminal_receipt_number(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, "10.00", terminal_receipt="")
    assert caught.value.message_dict == {
        "terminal_receipt": ["Enter the number printed on the card terminal's receipt."]
    }


def test_insurer_and_voucher_payments_need_a_reference(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, "10.00", method="voucher")
    assert "voucher code" in _messages(caught)
    assert _pay(clinic_visit, clerk, "150.00", method="insurer", reference="NFZ/2026/1").method == "insurer"


def test_cash_without_an_open_drawer_is_refused(clinic_visit, clerk):
    with pytest.raises(ValidationError) as caught:
        _pay(clinic_visit, clerk, "10.00", method="cash")
    assert "Open your cash drawer" in _messages(caught)
    assert not Payment.objects.exists()


def test_the_same_token_records_one_payment(clinic_visit, clerk):
    first = _pay(clinic_visit, clerk, "50.00", token="abc123")
    second = _pay(clinic_visit, clerk, "50.00", token="abc123")
    assert first.pk == second.pk
    assert Payment.objects.count() == 1
    assert AuditEntry.objects.filter(action="payment.take").count() == 1


# --- guards ---------------------------------------------------------------------------------------


def _leaving_today(stay):
    """The stay arrived three nights ago and leaves today, as booked (no early departure)."""
    today = desk.branch_today(stay.branch)
    Visit.objects.filter(pk=stay.pk).update(arrival_date=today - timedelta(days=3), departure_date=today)
    stay.refresh_from_db()
    return stay


def test_check_out_with_an_unpaid_folio_is_refused(stay, clerk):
    visit = desk.visit_transition(visit=_leaving_today(stay), to_status=S.CHECKED_IN, actor=clerk)
    _pay(visit, clerk, "900.00")
    with pytest.raises(ValidationError) as caught:
        desk.visit_transition(visit=visit, to_status=S.CHECKED_OUT, actor=clerk)
    assert caught.value.messages == ["Settle the folio before check-out: 60.00 PLN still due."]
    _pay(visit, clerk, "60.00")
    assert desk.visit_transition(visit=visit, to_status=S.CHECKED_OUT, actor=clerk).status == S.CHECKED_OUT


def test_a_sale_is_paid_only_when_its_balance_is_settled(shop_sale, clerk):
    with pytest.raises(ValidationError) as caught:
        desk.visit_transition(visit=shop_sale, to_status=S.PAID, actor=clerk)
    assert caught.value.messages == ["Add the items sold before marking the sale paid."]
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Farba", quantity=D("2"), unit_price=D("49.99"))
    with pytest.raises(ValidationError) as caught:
        desk.visit_transition(visit=shop_sale, to_status=S.PAID, actor=clerk)
    assert caught.value.messages == ["Take the payment first: 99.98 PLN still due."]
    _pay(shop_sale, clerk, "99.98")
    assert desk.visit_transition(visit=shop_sale, to_status=S.PAID, actor=clerk).status == S.PAID


# --- refunds and the approval ladder --------------------------------------------------------------


@pytest.fixture
def paid_sale(shop_sale, clerk):
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Wiertarka", quantity=D(1), unit_price=D("899.00"))
    _pay(shop_sale, clerk, "899.00")
    return desk.visit_transition(visit=shop_sale, to_status=S.PAID, actor=clerk)


def test_a_refund_above_what_was_paid_is_refused(paid_sale, clerk):
    with pytest.raises(ValidationError) as caught:
        services.refund_request(visit=paid_sale, actor=clerk, amount=D("899.01"), method="card", reason="Zwrot")
    assert "at most 899.00 PLN" in _messages(caught)


def test_a_refund_needs_a_reason(paid_sale, clerk):
    with pytest.raises(ValidationError) as caught:
        services.refund_request(visit=paid_sale, actor=clerk, amount=D("10"), method="card", reason="  ")
    assert caught.value.message_dict == {"reason": ["Say why the money is given back."]}


def test_a_refund_within_the_limit_is_given_at_once(paid_sale, clerk):
    refund = services.refund_request(visit=paid_sale, actor=clerk, amount=D("150.00"), method="card", reason="Rysa")
    assert (refund.status, refund.required_role) == ("approved", "")
    assert money.folio(paid_sale).balance == D("150.00")  # charges − payments + refunds


def test_a_refund_above_the_limit_waits_for_a_manager(paid_sale, clerk, manager):
    refund = services.refund_request(visit=paid_sale, actor=clerk, amount=D("899.00"), method="card", reason="Wada")
    assert (refund.status, refund.required_role) == ("pending", "manager")
    assert money.folio(paid_sale).balance == D("0.00")  # a pending refund gives nothing back yet
    assert money.folio(paid_sale).refundable == D("0.00")  # and cannot be asked for twice
    refund = services.refund_decide(refund=refund, actor=manager, approve=True, comment="OK")
    assert (refund.status, refund.decided_by, refund.decision_comment) == ("approved", manager, "OK")
    assert money.folio(paid_sale).balance == D("899.00")
    assert AuditEntry.objects.filter(action="refund.approve", target_id=str(refund.pk)).exists()


def test_the_ladder_can_ask_for_an_administrator_above_a_higher_amount(organisation, paid_sale, clerk, manager, admin):
    services.money_settings_update(
        organisation=organisation,
        actor=admin,
        expected_version=None,
        approval_ladder=[{"above": "500.00", "role": "admin"}, {"above": "100.00", "role": "manager"}],
    )
    assert services.required_role(organisation, D("100.00")) == ""
    assert services.required_role(organisation, D("100.01")) == "manager"
    assert services.required_role(organisation, D("500.01")) == "admin"
    refund = services.refund_request(visit=paid_sale, actor=clerk, amount=D("600.00"), method="card", reason="Wada")
    with pytest.raises(ValidationError) as caught:
        services.refund_decide(refund=refund, actor=manager, approve=True)
    assert (
        _messages(caught)
        == "A refund of this amount needs approval by someone with the role “Administrator” or higher."
    )
    assert services.refund_decide(refund=refund, actor=admin, approve=True).status == "approved"


def test_a_manager_asking_for_a_large_refund_needs_no_second_approval(paid_sale, manager):
    refund = services.refund_request(visit=paid_sale, actor=manager, amount=D("899.00"), method="card", reason="Wada")
    assert (refund.status, refund.decided_by) == ("approved", manager)


def test_nobody_approves_their_own_pending_refund_and_a_clerk_cannot_approve(paid_sale, clerk, manager, admin):
    services.money_settings_update(
        organisation=paid_sale.organisation,
        actor=admin,
        expected_version=None,
        approval_ladder=[{"above": "0", "role": "admin"}],
    )
    refund = services.refund_request(visit=paid_sale, actor=manager, amount=D("10"), method="card", reason="Rysa")
    with pytest.raises(ValidationError) as caught:
        services.refund_decide(refund=refund, actor=manager, approve=True)
    assert "Someone else" in _messages(caught)
    with pytest.raises(ValidationError):
        services.refund_decide(refund=refund, actor=clerk, approve=True)
    assert Refund.objects.get().status == "pending"


def test_a_rejection_needs_a_comment_and_a_decided_refund_stays_decided(paid_sale, clerk, manager):
    refund = services.refund_request(visit=paid_sale, actor=clerk, amount=D("500"), method="card", reason="Wada")
    with pytest.raises(ValidationError) as caught:
        services.refund_decide(refund=refund, actor=manager, approve=False)
    assert caught.value.message_dict == {"comment": ["Say why the refund is rejected."]}
    services.refund_decide(refund=refund, actor=manager, approve=False, comment="Brak paragonu")
    with pytest.raises(ValidationError) as caught:
        services.refund_decide(refund=refund, actor=manager, approve=True)
    assert "already decided (Rejected)" in _messages(caught)
    assert money.folio(paid_sale).refundable == D("899.00")


def test_a_bad_ladder_is_refused(organisation, admin):
    with pytest.raises(ValidationError):
        services.money_settings_update(
            organisation=organisation,
            actor=admin,
            expected_version=None,
            approval_ladder=[{"above": "5", "role": "clerk"}],
        )


# --- the cash drawer ------------------------------------------------------------------------------


def test_a_drawer_closes_with_its_discrepancy_recorded_and_summarised(paid_sale, clerk, drawer, manager):
    visit = desk.visit_create(
        branch=paid_sale.branch, actor=clerk, client=paid_sale.client, visit_type=paid_sale.visit_type
    )
    desk.visit_line_add(visit=visit, actor=clerk, description="Klej", quantity=D(1), unit_price=D("150.00"))
    _pay(visit, clerk, "150.00", method="cash")
    services.refund_request(visit=visit, actor=clerk, amount=D("20.00"), method="cash", reason="Rabat")
    with pytest.raises(ValidationError) as caught:
        services.drawer_close(session=drawer, actor=clerk, counted_amount=D("325.00"))
    assert caught.value.message_dict == {"note": ["The count differs from the expected 330.00 by -5.00: say why."]}
    session = services.drawer_close(session=drawer, actor=clerk, counted_amount=D("325.00"), note="Brak 5 zł")
    assert (session.expected_amount, session.counted_amount, session.discrepancy) == (
        D("330.00"),
        D("325.00"),
        D("-5.00"),
    )
    summary = money.drawer_close_summary(session)
    assert (summary.cash_in, summary.cash_out, summary.payments, summary.refunds) == (D("150.00"), D("20.00"), 1, 1)
    assert summary.by_method == {"cash": D("150.00")}
    assert [s.pk for s in money.drawer_list(user=manager, discrepancies_only=True)] == [session.pk]


def test_one_open_drawer_per_clerk_and_only_its_clerk_closes_it(clerk, manager, branch, drawer):
    with pytest.raises(ValidationError) as caught:
        services.drawer_open(branch=branch, actor=clerk, opening_float=D("100"))
    assert "already have an open cash drawer" in _messages(caught)
    with pytest.raises(ValidationError):
        services.drawer_close(session=drawer, actor=manager, counted_amount=D("200"))
    session = services.drawer_close(session=drawer, actor=clerk, counted_amount=D("200"))
    assert session.discrepancy == D("0.00")
    with pytest.raises(ValidationError):
        services.drawer_close(session=session, actor=clerk, counted_amount=D("200"))


def test_a_negative_float_is_refused(clerk, branch):
    with pytest.raises(ValidationError) as caught:
        services.drawer_open(branch=branch, actor=clerk, opening_float=D("-1"))
    assert "opening_float" in caught.value.message_dict


def test_a_pending_cash_refund_keeps_the_drawer_open(paid_sale, clerk, drawer, manager):
    visit = desk.visit_create(
        branch=paid_sale.branch, actor=clerk, client=paid_sale.client, visit_type=paid_sale.visit_type
    )
    desk.visit_line_add(visit=visit, actor=clerk, description="Piła", quantity=D(1), unit_price=D("300.00"))
    _pay(visit, clerk, "300.00", method="cash")
    refund = services.refund_request(visit=visit, actor=clerk, amount=D("300.00"), method="cash", reason="Wada")
    with pytest.raises(ValidationError) as caught:
        services.drawer_close(session=drawer, actor=clerk, counted_amount=D("500"))
    assert "waiting for approval" in _messages(caught)
    services.refund_decide(refund=refund, actor=manager, approve=True)
    assert services.drawer_close(session=drawer, actor=clerk, counted_amount=D("200")).discrepancy == D("0.00")


# --- receipts, invoices and the fiscal printer ----------------------------------------------------


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_receipt_waits_for_the_payment_and_goes_to_the_fiscal_printer(paid_sale, clerk, shop_sale):
    unpaid = desk.visit_create(
        branch=shop_sale.branch, actor=clerk, client=shop_sale.client, visit_type=shop_sale.visit_type
    )
    desk.visit_line_add(visit=unpaid, actor=clerk, description="Młotek", quantity=D(1), unit_price=D("30"))
    with pytest.raises(ValidationError) as caught:
        services.document_issue(visit=unpaid, actor=clerk, kind="receipt")
    assert _messages(caught) == "A receipt is issued once the visit is paid: 30.00 PLN still due."

    receipt = services.document_issue(visit=paid_sale, actor=clerk, kind="receipt")
    assert receipt.number.startswith("PAR-") and receipt.total_gross == D("899.00")
    printout = FiscalPrintout.objects.get(document=receipt)
    assert printout.printer == "local"
    assert printout.payload["lines"] == [
        {"name": "Wiertarka", "quantity": "1", "unit_price": "899.00", "gross": "899.00", "ptu": "A"}
    ]
    assert printout.payload["ptu_totals"] == [{"ptu": "A", "gross": "899.00", "vat": "168.11"}]
    assert services.document_issue(visit=paid_sale, actor=clerk, kind="receipt").pk == receipt.pk
    assert FiscalPrintout.objects.count() == 1


def test_a_receipt_paid_by_transfer_is_not_fiscal(shop_sale, clerk):
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Usługa", quantity=D(1), unit_price=D("100"))
    _pay(shop_sale, clerk, "100.00", method="transfer", reference="Przelew 1")
    services.document_issue(visit=shop_sale, actor=clerk, kind="receipt")
    assert not FiscalPrintout.objects.exists()


class RecordingPrinter:
    name = "recording"
    printed: list[str] = []

    def print_receipt(self, document):
        self.printed.append(document.number)


def test_the_fiscal_printer_is_chosen_by_a_setting(settings, paid_sale, clerk):
    settings.DESK_FISCAL_PRINTER = f"{__name__}.RecordingPrinter"
    receipt = services.document_issue(visit=paid_sale, actor=clerk, kind="receipt")
    assert RecordingPrinter.printed == [receipt.number]
    assert isinstance(fiscal.fiscal_printer(), RecordingPrinter)


def test_an_invoice_needs_the_sellers_nip(paid_sale, clerk):
    with pytest.raises(ValidationError) as caught:
        services.document_issue(visit=paid_sale, actor=clerk, kind="invoice", buyer_name="Firma")
    assert "seller's NIP" in _messages(caught)


def test_an_invoice_pdf_has_the_polish_required_fields(organisation, branch, clerk, manager, seller, sale):
    company = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(
            kind="company", company_name="Budex S.A.", identifiers=[IdentifierData(kind="nip", value="7680002466")]
        ),
        branch=branch,
    )
    visit = desk.visit_create(branch=branch, actor=clerk, client=company, visit_type=sale)
    desk.visit_line_add(visit=visit, actor=clerk, description="Cement", quantity=D(10), unit_price=D("24.60"))
    desk.visit_line_add(
        visit=visit, actor=clerk, description="Poradnik", quantity=D(1), unit_price=D("52.50"), vat_rate="5"
    )
    _pay(visit, clerk, "298.50", method="transfer", reference="FV przelew")
    invoice = services.document_issue(
        visit=visit, actor=clerk, kind="invoice", buyer_name="Budex S.A.", buyer_nip="768-000-24-66"
    )
    assert invoice.number.endswith("-000001") and invoice.number.startswith("FV-")
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("250.00"), D("48.50"), D("298.50"))
    text = _text(documents.document_pdf(invoice))
    for expected in (
        invoice.number,
        "Przychodnia Zdrowie sp. z o.o.",
        "5260250274",
        "ul. Długa 5",
        "Budex S.A.",
        "7680002466",
        "200.00",  # net at 23 %
        "46.00",  # VAT at 23 %
        "50.00",  # net at 5 %
        "2.50",  # VAT at 5 %
        "298.50",
        "Bank transfer",
        "Date of sale",
    ):
        assert expected in text, expected
    second_visit = desk.visit_create(branch=branch, actor=clerk, client=company, visit_type=sale)
    desk.visit_line_add(visit=second_visit, actor=clerk, description="Piasek", quantity=D(1), unit_price=D("10"))
    second = services.document_issue(visit=second_visit, actor=clerk, kind="invoice", buyer_name="Budex S.A.")
    assert second.number.endswith("-000002")  # gap-free


def _producer(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).metadata.producer or ""


def test_a_receipt_is_drawn_and_one_naming_a_buyer_in_arabic_is_laid_out_from_html(paid_sale, clerk):
    receipt = services.document_issue(visit=paid_sale, actor=clerk, kind="receipt")
    drawn = documents.document_pdf(receipt)
    assert _producer(drawn).startswith("ReportLab")
    assert receipt.number in _text(drawn) and "Wiertarka" in _text(drawn) and "899.00" in _text(drawn)
    # Arabic needs shaping and right-to-left layout, which drawing glyph by glyph cannot do
    receipt.buyer_name = "مؤسسة النور"
    laid_out = documents.document_pdf(receipt)
    assert _producer(laid_out).startswith("WeasyPrint")
    assert receipt.number in _text(laid_out) and "Wiertarka" in _text(laid_out)


def test_a_document_is_laid_out_from_html_where_the_fonts_to_draw_it_are_missing(monkeypatch, paid_sale, clerk):
    from frontoffice.core import pdf_drawing

    receipt = services.document_issue(visit=paid_sale, actor=clerk, kind="receipt")
    monkeypatch.setattr(pdf_drawing, "_font_file", lambda pattern: None)
    pdf_drawing._registered_fonts.cache_clear()
    try:
        pdf = documents.document_pdf(receipt)
    finally:
        pdf_drawing._registered_fonts.cache_clear()
    assert _producer(pdf).startswith("WeasyPrint") and receipt.number in _text(pdf)


def test_a_wrong_buyer_nip_is_refused(paid_sale, clerk, seller):
    with pytest.raises(ValidationError) as caught:
        services.document_issue(visit=paid_sale, actor=clerk, kind="invoice", buyer_name="X", buyer_nip="1234567890")
    assert "buyer_nip" in caught.value.message_dict


def test_a_returned_sale_owes_the_money_back_until_the_approved_refund_settles_it(paid_sale, clerk, manager):
    visit = desk.visit_transition(visit=paid_sale, to_status=S.RETURNED, actor=clerk, reason="Wadliwa")
    assert money.folio(visit).balance == D("-899.00")  # the goods are back: the desk owes the client
    refund = services.refund_request(visit=visit, actor=clerk, amount=D("899.00"), method="card", reason="Wadliwa")
    assert refund.status == "pending" and money.balances([visit]) == {visit.pk: D("-899.00")}
    services.refund_decide(refund=refund, actor=manager, approve=True)
    assert money.folio(visit).balance == D("0.00") and money.balances([visit]) == {visit.pk: D("0.00")}


def test_the_next_handover_reports_the_drawers_closed_since_the_last_one(paid_sale, clerk, drawer):
    from frontoffice.desk import services_handover

    services.drawer_close(session=drawer, actor=clerk, counted_amount=drawer.opening_float - D("5.00"), note="Brak")

    first = services_handover.handover_create(branch=drawer.branch, actor=clerk, notes="Koniec zmiany")
    second = services_handover.handover_create(branch=drawer.branch, actor=clerk, notes="Nic nowego")

    [block] = [block for block in first.summaries if block["key"] == "drawer"]
    assert block["tone"] == "warn"
    assert "-5.00" in block["lines"][0][1]
    assert not [block for block in second.summaries if block["key"] == "drawer"]  # reported once
