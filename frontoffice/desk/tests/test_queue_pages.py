"""The queue's pages: the clerk's queue and counter, set-up forms, the board, the kiosk, the place-in-line link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from frontoffice.core.models import OutboundMessage
from frontoffice.desk import services_queue
from frontoffice.desk.models import Counter, Ticket
from frontoffice.desk.models.queue import TicketStatus
from frontoffice.desk.queue_position import make_token

pytestmark = pytest.mark.django_db


def test_a_clerk_issues_a_ticket_with_one_click_and_is_offered_its_print_out(login, clerk, registration, branch):
    browser = login(clerk)
    page = browser.post(reverse("desk:queue_issue"), {"service": registration.pk, "category": "elderly"})
    assert page.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.code, ticket.category, ticket.priority, ticket.issued_by) == ("A001", "elderly", 1, clerk)
    assert "Print ticket A001" in browser.get(page["Location"]).content.decode()


def test_a_clerk_calls_the_next_ticket_to_their_counter_and_sees_it(login, clerk, registration, window1, branch):
    services_queue.ticket_issue(service=registration, actor=clerk)
    browser = login(clerk)
    answer = browser.post(reverse("desk:queue_call_next"), {"counter": window1.pk})
    assert answer.status_code == 302
    page = browser.get(answer["Location"])
    assert page.status_code == 200
    assert page.context["current"].code == "A001"
    assert "Start service" in page.content.decode()


def test_a_counter_action_on_a_ticket_in_the_wrong_state_says_why(login, clerk, registration, window1):
    ticket = services_queue.ticket_issue(service=registration, actor=clerk)
    page = login(clerk).post(reverse("desk:ticket_action", args=[ticket.pk, "start"]), follow=True)
    assert "service starts only after a call" in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING


def test_a_clerk_transfers_a_ticket_to_another_service(login, clerk, registration, results, window1):
    ticket = services_queue.ticket_issue(service=registration, actor=clerk)
    login(clerk).post(reverse("desk:ticket_action", args=[ticket.pk, "transfer"]), {"service": results.pk})
    ticket.refresh_from_db()
    assert ticket.service == results and ticket.transferred_from == registration


@pytest.mark.parametrize("tickets", [2, 20])
def test_the_queue_page_runs_a_fixed_number_of_queries(
    login, clerk, registration, results, window1, django_assert_max_num_queries, tickets
):
    for service in [registration, results] * (tickets // 2):
        services_queue.ticket_issue(service=service, actor=clerk)
    services_queue.ticket_call_next(counter=window1, actor=clerk)
    browser = login(clerk)
    url = reverse("desk:queue") + f"?counter={window1.pk}"
    browser.get(url)
    with django_assert_max_num_queries(17):
        page = browser.get(url)
    assert page.status_code == 200 and len(page.context["line"].waiting) == tickets - 1


def test_the_htmx_refresh_returns_only_the_line(login, clerk, registration):
    page = login(clerk).get(reverse("desk:queue"), headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert b"<html" not in page.content and b'id="queue-line"' in page.content


def test_a_manager_sets_up_a_service_and_a_bad_prefix_keeps_what_was_typed(login, manager, branch):
    browser = login(manager)
    page = browser.post(
        reverse("desk:queue_service_create") + f"?branch={branch.pk}",
        {"name": "Odbiór dokumentów", "prefix": "a1", "minutes_per_client": "4", "position": "0", "is_active": "on"},
    )
    assert page.status_code == 400
    assert "Odbiór dokumentów" in page.content.decode() and "capital letters" in page.content.decode()
    page = browser.post(
        reverse("desk:queue_service_create") + f"?branch={branch.pk}",
        {"name": "Odbiór dokumentów", "prefix": "D", "minutes_per_client": "4", "position": "0", "is_active": "on"},
    )
    assert page.status_code == 302


def test_a_duplicate_prefix_is_refused_with_the_input_kept(login, manager, branch, registration):
    page = login(manager).post(
        reverse("desk:queue_service_create") + f"?branch={branch.pk}",
        {"name": "Druga rejestracja", "prefix": "A", "minutes_per_client": "5", "position": "1"},
    )
    assert page.status_code == 400
    assert "already uses this prefix" in page.content.decode() and "Druga rejestracja" in page.content.decode()


def test_a_manager_sets_up_a_counter_serving_two_services(login, manager, branch, registration, results):
    page = login(manager).post(
        reverse("desk:counter_create") + f"?branch={branch.pk}",
        {"name": "Okienko 5", "services": [registration.pk, results.pk], "is_active": "on"},
    )
    assert page.status_code == 302
    assert set(Counter.objects.get(name="Okienko 5").services.all()) == {registration, results}


def test_the_board_shows_calls_and_waiting_counts_without_a_login(client, board, registration, window1, clerk):
    services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.ticket_call_next(counter=window1, actor=clerk)
    page = client.get(reverse("desk:board", args=[board.token]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "A001" in html and "Okienko 1" in html
    assert f'data-waiting="{registration.pk}">1<' in html
    assert reverse("desk_events:board_stream", args=[board.token]) in html


def test_a_revoked_board_shows_a_friendly_page_with_no_data(client, board, manager, registration, clerk):
    services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.board_screen_revoke(screen=board, actor=manager)
    page = client.get(reverse("desk:board", args=[board.token]))
    assert page.status_code == 410
    assert "switched off" in page.content.decode() and "A001" not in page.content.decode()


def test_a_new_address_replaces_the_old_one(client, board, manager):
    old = board.token
    renewed = services_queue.board_screen_renew(screen=board, actor=manager)
    assert client.get(reverse("desk:board", args=[old])).status_code == 404
    assert client.get(reverse("desk:board", args=[renewed.token])).status_code == 200


def test_the_board_speaks_the_organisations_language(client, board, organisation):
    organisation.default_language = "pl"
    organisation.save()
    page = client.get(reverse("desk:board", args=[board.token]))
    assert '<html lang="pl">' in page.content.decode()


def test_the_kiosk_issues_a_ticket_with_one_touch_and_shows_its_number(client, kiosk, registration):
    answer = client.post(reverse("desk:kiosk", args=[kiosk.token]), {"service": registration.pk})
    assert answer.status_code == 302
    page = client.get(answer["Location"])
    assert "A001" in page.content.decode()
    assert Ticket.objects.get().source == "kiosk"
    # a reload shows the number again, it does not issue another
    client.get(answer["Location"])
    assert Ticket.objects.count() == 1


def test_a_board_token_does_not_open_the_kiosk(client, board):
    assert client.get(reverse("desk:kiosk", args=[board.token])).status_code == 404


def test_the_place_in_line_link_shows_the_place_and_estimate(client, registration, clerk):
    services_queue.ticket_issue(service=registration, actor=clerk)
    services_queue.ticket_issue(service=registration, actor=clerk)
    theirs = services_queue.ticket_issue(service=registration, actor=clerk)
    page = client.get(reverse("desk:queue_position", args=[make_token(ticket_id=theirs.pk)]))
    html = page.content.decode()
    assert "You are number 3 in line." in html and "About 10 minutes." in html


def test_a_tampered_place_in_line_link_gets_a_friendly_page(client, registration, clerk):
    ticket = services_queue.ticket_issue(service=registration, actor=clerk)
    page = client.get(reverse("desk:queue_position", args=[make_token(ticket_id=ticket.pk) + "x"]))
    assert page.status_code == 404 and "This link does not work" in page.content.decode()


def test_a_clerk_texts_the_place_in_line_link_to_the_client(login, clerk, registration, patient):
    services_queue.ticket_issue(service=registration, actor=clerk)  # someone ahead: they are not next yet
    ticket = services_queue.ticket_issue(service=registration, actor=clerk, client=patient)
    login(clerk).post(reverse("desk:ticket_position_link", args=[ticket.pk]), {"channel": "sms"})
    message = OutboundMessage.objects.get()
    assert message.channel == "sms" and "/desk/q/" in message.body


def test_the_printed_ticket_is_a_small_pdf(login, clerk, registration):
    ticket = services_queue.ticket_issue(service=registration, actor=clerk)
    page = login(clerk).get(reverse("desk:ticket_print", args=[ticket.pk]))
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page.content.startswith(b"%PDF")


def test_a_clerk_may_give_the_ticket_to_a_chosen_client(login, clerk, registration, patient):
    login(clerk).post(reverse("desk:queue_issue"), {"service": registration.pk, "client": patient.pk})
    assert Ticket.objects.get().client == patient


def test_a_client_of_another_organisation_is_refused_and_no_ticket_issued(login, outsider_org, clerk, registration):
    from frontoffice.clients.services import ClientData, client_create

    foreign = client_create(
        organisation=outsider_org.staff.organisation,
        actor=outsider_org,
        data=ClientData(given_name="Ewa", family_name="Obca"),
    )
    page = login(clerk).post(reverse("desk:queue_issue"), {"service": registration.pk, "client": foreign.pk})
    assert page.status_code == 400 and "Choose the client again." in page.content.decode()
    assert not Ticket.objects.exists()
