"""The money pages as a clerk and a manager use them, and the money API."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from frontoffice.core.files import private_storage
from frontoffice.desk import services as desk
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import DrawerSession, Payment, Refund, SaleDocument
from frontoffice.desk.money import documents, services

pytestmark = pytest.mark.django_db
D = Decimal


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def sale_with_line(shop_sale, clerk):
    desk.visit_line_add(visit=shop_sale, actor=clerk, description="Kabel", quantity=D(2), unit_price=D("35.00"))
    return shop_sale


def test_take_payment_is_on_the_day_page_and_the_visit_page(login, clerk, clinic_visit):
    browser = login(clerk)
    url = reverse("desk:payment_take", args=[clinic_visit.pk])
    assert url in browser.get(reverse("desk:day")).content.decode()
    page = browser.get(reverse("desk:visit_detail", args=[clinic_visit.pk])).content.decode()
    assert url in page and 'data-balance="0' in page


def test_a_double_clicked_take_payment_records_one_payment(login, clerk, sale_with_line):
    browser = login(clerk)
    url = reverse("desk:payment_take", args=[sale_with_line.pk])
    form = browser.get(url)
    token = form.context["form"]["token"].value()
    assert token and f'value="{token}"' in form.content.decode()
    body = {"method": "card", "amount": "70.00", "terminal_receipt": "T-55", "token": token}
    first, second = browser.post(url, body), browser.post(url, body)
    assert first.status_code == second.status_code == 302
    assert Payment.objects.count() == 1


def test_an_overpayment_comes_back_with_the_typed_values_and_a_message(login, clerk, sale_with_line):
    browser = login(clerk)
    url = reverse("desk:payment_take", args=[sale_with_line.pk])
    page = browser.post(url, {"method": "card", "amount": "80,00", "terminal_receipt": "T-9", "token": "t1"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "at most 70.00 PLN" in html and 'value="80,00"' in html and 'value="T-9"' in html
    assert not Payment.objects.exists()


def test_a_negative_amount_and_a_card_without_terminal_number_get_messages(login, clerk, sale_with_line):
    browser = login(clerk)
    url = reverse("desk:payment_take", args=[sale_with_line.pk])
    negative = browser.post(url, {"method": "transfer", "amount": "-5", "token": "t2"}).content.decode()
    assert "a negative amount is not accepted" in negative
    card = browser.post(url, {"method": "card", "amount": "5", "token": "t3"}).content.decode()
    assert "card terminal" in card
    cash = browser.post(url, {"method": "cash", "amount": "5", "token": "t4"}).content.decode()
    assert "Open your cash drawer" in cash


def test_the_day_page_shows_the_balance(login, clerk, sale_with_line):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("20"), terminal_receipt="T")
    html = login(clerk).get(reverse("desk:day")).content.decode()
    assert ">50.00<" in html


def test_check_out_with_an_unpaid_balance_is_refused_on_the_page(login, clerk, stay):
    desk.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)
    stay.refresh_from_db()
    # Leaving on the arrival day, before the booked departure: one night of the three is due.
    page = login(clerk).post(
        reverse("desk:visit_transition", args=[stay.pk]), {"to_status": "checked_out", "version": stay.version}
    )
    assert page.status_code == 400
    assert "Settle the folio before check-out: 320.00 PLN still due." in page.content.decode()


def test_a_clerk_asks_for_a_large_refund_and_a_manager_approves_it_on_the_list(login, clerk, manager, sale_with_line):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    services.money_settings_update(
        organisation=sale_with_line.organisation,
        actor=manager,
        expected_version=None,
        approval_ladder=[{"above": "50", "role": "manager"}],
    )
    asked = login(clerk).post(
        reverse("desk:refund_request", args=[sale_with_line.pk]),
        {"amount": "70.00", "method": "card", "reason": "Uszkodzony", "token": "r1"},
    )
    assert asked.status_code == 302
    refund = Refund.objects.get()
    assert refund.status == "pending"
    browser = login(manager)
    listing = browser.get(reverse("desk:refund_list")).content.decode()
    assert sale_with_line.number in listing and "Uszkodzony" in listing
    decided = browser.post(reverse("desk:refund_decide", args=[refund.pk]), {"decision": "approve", "comment": "OK"})
    assert decided.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.decided_by) == ("approved", manager)


def test_a_refund_over_the_paid_amount_comes_back_with_a_message(login, clerk, sale_with_line):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    page = login(clerk).post(
        reverse("desk:refund_request", args=[sale_with_line.pk]),
        {"amount": "100", "method": "card", "reason": "Zwrot", "token": "r2"},
    )
    assert page.status_code == 400
    assert "at most 70.00 PLN" in page.content.decode() and 'value="Zwrot"' in page.content.decode()


def test_the_drawer_opens_closes_and_shows_its_discrepancy_to_the_manager(login, clerk, manager, branch):
    browser = login(clerk)
    assert browser.post(reverse("desk:drawer_open"), {"opening_float": "100,00"}).status_code == 302
    session = DrawerSession.objects.get()
    assert session.opening_float == D("100.00")
    unexplained = browser.post(reverse("desk:drawer_close"), {"counted_amount": "90"})
    assert unexplained.status_code == 400 and "say why" in unexplained.content.decode()
    assert (
        browser.post(reverse("desk:drawer_close"), {"counted_amount": "90", "note": "Wydano resztę"}).status_code == 302
    )
    page = login(manager).get(reverse("desk:drawer_sessions"), {"discrepancies": "1"}).content.decode()
    assert "-10.00" in page and "Wydano resztę" in page


def test_print_receipt_issues_it_once_and_returns_the_pdf(login, clerk, sale_with_line):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    browser = login(clerk)
    url = reverse("desk:receipt", args=[sale_with_line.pk])
    assert browser.get(url).status_code == 200  # not issued yet: the page with the button
    assert browser.post(url).status_code == 302
    pdf = browser.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Receipt PAR-" in text and "Kabel" in text and "70.00" in text


def test_printing_a_receipt_reads_its_visit_once_and_still_names_it(login, clerk, sale_with_line):
    # Given an issued receipt that the worker has not printed yet
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    browser = login(clerk)
    url = reverse("desk:receipt", args=[sale_with_line.pk])
    assert browser.post(url).status_code == 302
    # When the clerk prints it
    with CaptureQueriesContext(connection) as captured:
        pdf = browser.get(url)
    # Then the visit is read by the page alone (the document is given the visit in hand), and is printed
    visit_reads = [
        q for q in captured.captured_queries if q["sql"].startswith("SELECT") and 'FROM "desk_visit"' in q["sql"]
    ]
    assert len(visit_reads) == 1
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert sale_with_line.number in text


def test_every_copy_of_a_receipt_is_the_receipt_as_issued(
    login, clerk, sale_with_line, django_capture_on_commit_callbacks
):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    browser = login(clerk)
    url = reverse("desk:receipt", args=[sale_with_line.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(url).status_code == 302
    clerk.language = "pl"  # printed again later by a clerk who reads Polish: still the English original
    clerk.save(update_fields=["language"])
    copy = browser.get(url)
    text = PdfReader(io.BytesIO(copy.content)).pages[0].extract_text()
    assert "Receipt PAR-" in text and "Paragon" not in text
    assert 'lang="pl"' in browser.get(reverse("desk:day")).content.decode()  # the pages themselves are Polish
    assert browser.get(url).content == copy.content


def _kept_copies(document: SaleDocument) -> list[str]:
    """The copies kept of one document (a second copy would be saved under another name: 12_abc.pdf)."""
    folder = f"sale-documents/{document.organisation_id}"
    storage = private_storage()
    names = storage.listdir(folder)[1] if storage.exists(folder) else []
    return [name for name in names if name.split(".")[0].split("_")[0] == str(document.pk)]


def test_the_receipt_is_printed_by_the_worker_after_the_commit_in_the_language_it_was_issued_in(
    login, clerk, sale_with_line, django_capture_on_commit_callbacks, monkeypatch
):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    printed = []
    layout = documents.document_pdf
    monkeypatch.setattr(documents, "document_pdf", lambda document: printed.append(document.pk) or layout(document))
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        assert login(clerk).post(reverse("desk:receipt", args=[sale_with_line.pk])).status_code == 302
    receipt = SaleDocument.objects.get(visit=sale_with_line)
    assert printed == [] and _kept_copies(receipt) == []  # the click did not wait for the layout
    with translation.override("pl"):  # the worker's own language is not the clerk's (English)
        for callback in after_commit:
            callback()
    assert printed == [receipt.pk] and _kept_copies(receipt) == [f"{receipt.pk}.pdf"]
    with private_storage().open(f"sale-documents/{receipt.organisation_id}/{receipt.pk}.pdf") as kept:
        text = PdfReader(io.BytesIO(kept.read())).pages[0].extract_text()
    assert "Receipt PAR-" in text and "Paragon" not in text


def test_a_copy_asked_for_before_the_worker_prints_is_printed_then_and_kept_once(
    login, clerk, sale_with_line, django_capture_on_commit_callbacks
):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    browser = login(clerk)
    url = reverse("desk:receipt", args=[sale_with_line.pk])
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        assert browser.post(url).status_code == 302
    copy = browser.get(url)
    assert copy["Content-Type"] == "application/pdf"
    receipt = SaleDocument.objects.get(visit=sale_with_line)
    for callback in after_commit:  # the worker comes later and finds the copy kept
        callback()
    assert _kept_copies(receipt) == [f"{receipt.pk}.pdf"]
    assert browser.get(url).content == copy.content == documents.issued_pdf(receipt)


def test_an_invoice_form_keeps_the_buyer_when_the_seller_has_no_nip(login, clerk, sale_with_line):
    page = login(clerk).post(
        reverse("desk:invoice", args=[sale_with_line.pk]), {"buyer_name": "Jan Kowalski", "buyer_nip": ""}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "NIP in the money settings" in html and 'value="Jan Kowalski"' in html


# --- API ------------------------------------------------------------------------------------------


def test_the_api_records_a_retried_payment_once(login, clerk, sale_with_line):
    browser = login(clerk)
    url = f"/api/v1/desk/visits/{sale_with_line.pk}/payments"
    body = {"method": "card", "amount": "70.00", "terminal_receipt": "T-1"}
    first = _post(browser, url, body, **{"Idempotency-Key": "pay-1"})
    again = _post(browser, url, body, **{"Idempotency-Key": "pay-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    assert Payment.objects.count() == 1
    folio = browser.get(f"/api/v1/desk/visits/{sale_with_line.pk}/folio").json()
    assert (folio["balance"], folio["paid"]) == ("0.00", "70.00")


def test_the_api_refuses_an_overpayment_with_a_field_error(login, clerk, sale_with_line):
    answer = _post(
        login(clerk),
        f"/api/v1/desk/visits/{sale_with_line.pk}/payments",
        {"method": "transfer", "amount": "70.01"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "amount"


def test_the_api_approves_refunds_and_serves_documents(login, clerk, manager, sale_with_line):
    services.payment_take(visit=sale_with_line, actor=clerk, method="card", amount=D("70"), terminal_receipt="T")
    document = _post(login(clerk), f"/api/v1/desk/visits/{sale_with_line.pk}/documents", {"kind": "receipt"})
    assert document.status_code == 201 and document.json()["number"].startswith("PAR-")
    refund = _post(
        login(clerk),
        f"/api/v1/desk/visits/{sale_with_line.pk}/refunds",
        {"method": "card", "amount": "10.00", "reason": "Rabat"},
    ).json()
    assert refund["status"] == "approved"  # within the default 200.00 limit
    services.money_settings_update(
        organisation=sale_with_line.organisation,
        actor=manager,
        expected_version=None,
        approval_ladder=[{"above": "50", "role": "manager"}],
    )
    pending = _post(
        login(clerk),
        f"/api/v1/desk/visits/{sale_with_line.pk}/refunds",
        {"method": "card", "amount": "60.00", "reason": "Zwrot towaru"},
    ).json()
    assert (pending["status"], pending["required_role"]) == ("pending", "manager")
    listed = login(manager).get("/api/v1/desk/refunds", {"status": "pending"}).json()
    assert [item["id"] for item in listed["items"]] == [pending["id"]]
    refused = _post(login(clerk), f"/api/v1/desk/refunds/{pending['id']}/approve", {})
    assert refused.status_code == 403
    approved = _post(login(manager), f"/api/v1/desk/refunds/{pending['id']}/approve", {"comment": "OK"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    nothing_left = _post(
        login(manager),
        f"/api/v1/desk/visits/{sale_with_line.pk}/refunds",
        {"method": "card", "amount": "1", "reason": "x"},
    )
    assert nothing_left.status_code == 422
    pdf = login(manager).get(f"/api/v1/desk/documents/{document.json()['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_api_opens_and_closes_a_drawer(login, clerk, branch):
    browser = login(clerk)
    opened = _post(browser, "/api/v1/desk/drawer-sessions", {"branch_id": branch.pk, "opening_float": "50.00"})
    assert opened.status_code == 201
    closed = _post(browser, f"/api/v1/desk/drawer-sessions/{opened.json()['id']}/close", {"counted_amount": "50.00"})
    assert closed.status_code == 200 and closed.json()["discrepancy"] == "0.00"


def test_a_refused_payment_still_knows_the_clerks_open_drawer(login, clerk, branch, sale_with_line):
    browser = login(clerk)
    url = reverse("desk:payment_take", args=[sale_with_line.pk])
    refused = browser.post(url, {"method": "card", "amount": "5", "token": "t5"})
    assert refused.status_code == 400 and "You have no open cash drawer" in refused.content.decode()
    services.drawer_open(branch=branch, actor=clerk, opening_float=D("100.00"))
    refused = browser.post(url, {"method": "card", "amount": "5", "token": "t6"})
    assert refused.status_code == 400 and "You have no open cash drawer" not in refused.content.decode()


@pytest.fixture
def covered_arrival(clerk, manager, organisation, patient, clinic_visit):
    """The consultation (150.00) under a policy with a 20.00 copay, confirmed eligible, the patient arrived."""
    from frontoffice.desk import services_coverage as cov

    payer = cov.payer_create(organisation=organisation, actor=manager, name="Medicover")
    policy = cov.coverage_create(
        client=patient,
        actor=clerk,
        data=cov.CoverageData(payer=payer, member_number="MC-12345", valid_from=clinic_visit.scheduled_at.date()),
        copays={clinic_visit.visit_type: D("20.00")},
    )
    cov.eligibility_check(visit=clinic_visit, actor=clerk, coverage=policy)
    desk.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    return clinic_visit


def test_the_payment_form_offers_the_copay_of_a_covered_visit_then_the_rest(login, clerk, covered_arrival):
    browser = login(clerk)
    url = reverse("desk:payment_take", args=[covered_arrival.pk])
    page = browser.get(url)
    assert page.context["form"].initial["amount"] == D("20.00")
    html = page.content.decode()
    assert "Medicover MC-12345" in html and "copay 20.00 PLN" in html and "Due: 150.00 PLN" in html
    services.payment_take(visit=covered_arrival, actor=clerk, method="card", amount=D("20.00"), terminal_receipt="T")
    assert browser.get(url).context["form"].initial["amount"] == D("130.00")


def test_the_payment_form_offers_what_is_due_on_a_self_pay_visit(login, clerk, clinic_visit):
    desk.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    page = login(clerk).get(reverse("desk:payment_take", args=[clinic_visit.pk]))
    assert page.context["form"].initial["amount"] == D("150.00")
    assert "copay" not in page.content.decode()
