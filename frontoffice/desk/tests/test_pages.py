"""The desk's pages as a clerk and a manager use them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from frontoffice.desk import services
from frontoffice.desk.actions import _ACTIONS, VisitAction, register_visit_action
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.models import Visit, VisitType
from frontoffice.desk.services import VisitData
from frontoffice.desk.tests.cards import sign_cards
from frontoffice.desk.views import visits as visits_views
from frontoffice.desk.views.visits import in_status_for

from .fixtures_calendar import at

pytestmark = pytest.mark.django_db


def test_the_day_page_lists_todays_visits_with_their_next_step(login, clerk, clinic_visit):
    page = login(clerk).get(reverse("desk:day"))
    assert page.status_code == 200
    html = page.content.decode()
    assert clinic_visit.number in html and "Kowalski" in html
    assert 'name="to_status" value="arrived"' in html
    assert 'value="cancelled"' not in html  # needs a reason: offered on the visit page


def test_the_day_page_search_answers_with_the_rows_fragment(
    login, clerk, clinic_visit, branch, consultation, second_guest
):
    services.visit_create(
        branch=branch,
        actor=clerk,
        client=second_guest,
        visit_type=consultation,
        data=VisitData(scheduled_at=timezone.now()),
    )
    page = login(clerk).get(reverse("desk:day"), {"q": "kowalski"}, headers={"HX-Request": "true"})
    html = page.content.decode()
    assert "<html" not in html and 'id="day-rows"' in html
    assert "Jan Kowalski" in html and "Maria Kowalska" not in html


def test_the_day_page_shows_guests_in_the_house(login, clerk, stay, branch):
    services.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)
    Visit.objects.filter(pk=stay.pk).update(scheduled_at=timezone.now() - timedelta(days=2))
    html = login(clerk).get(reverse("desk:day")).content.decode()
    assert stay.number in html and 'value="checked_out"' in html


def test_the_day_page_lists_what_the_desk_still_has_to_do_and_the_whole_day_on_request(
    login, clerk, branch, consultation, patient, second_guest, monkeypatch
):
    def visit(client, status=None, done_ago=None):
        made = services.visit_create(
            branch=branch, actor=clerk, client=client, visit_type=consultation,
            data=VisitData(scheduled_at=timezone.now()),
        )  # fmt: skip
        if status:
            Visit.objects.filter(pk=made.pk).update(status=status, status_changed_at=timezone.now() - done_ago)
        return made

    long_done = visit(patient, S.FINISHED, timedelta(hours=3))
    just_done = visit(second_guest, S.NO_SHOW, timedelta(minutes=10))
    waiting = [visit(patient) for _ in range(3)]
    monkeypatch.setattr(visits_views, "WORKING_LIST_ROWS", 2)
    browser = login(clerk)
    html = browser.get(reverse("desk:day")).content.decode()
    assert just_done.number in html and waiting[0].number in html  # in time order, at most two rows
    assert long_done.number not in html and waiting[2].number not in html
    assert "Show the whole day (3 more visits)" in html and "Finished: 1" in html and "Planned: 3" in html
    whole = browser.get(reverse("desk:day"), {"all": "1"}).content.decode()
    assert all(v.number in whole for v in [long_done, just_done, *waiting])
    assert "Show only what the desk still has to do" in whole
    found = browser.get(reverse("desk:day"), {"q": long_done.number}).content.decode()
    assert long_done.number in found  # a search looks through the whole day


def test_a_day_that_is_all_done_says_so_and_offers_the_whole_day(login, clerk, clinic_visit):
    Visit.objects.filter(pk=clinic_visit.pk).update(
        status=S.FINISHED, status_changed_at=timezone.now() - timedelta(hours=2)
    )
    html = login(clerk).get(reverse("desk:day")).content.decode()
    assert "Nothing is waiting for the desk." in html and "Show the whole day (1 more visit)" in html
    assert clinic_visit.number not in html


def test_the_day_page_runs_a_fixed_number_of_queries(login, clerk, branch, consultation, patient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_visits(hours):
        for hour in hours:
            services.visit_create(
                branch=branch,
                actor=clerk,
                client=patient,
                visit_type=consultation,
                # At the branch's today, whatever the hour in UTC (the suite also runs just after midnight).
                data=VisitData(scheduled_at=at(services.branch_today(branch), hour)),
            )

    def queries_of_the_day_page():
        with CaptureQueriesContext(connection) as captured:
            page = browser.get(reverse("desk:day"))
        return len(captured), page

    add_visits(range(2))
    browser = login(clerk)
    browser.get(reverse("desk:day"))  # warm the session and permission caches
    with_two, _page = queries_of_the_day_page()
    add_visits(range(2, 12))
    with_twelve, page = queries_of_the_day_page()

    # The payment, coverage and handover parts each add a query or two, never one per visit.
    assert with_twelve == with_two <= 20
    assert page.content.decode().count('name="to_status"') >= 12


def test_the_visit_list_runs_a_fixed_number_of_queries(
    login, manager, branch, consultation, patient, clerk, django_assert_max_num_queries
):
    for day in range(20):
        services.visit_create(
            branch=branch,
            actor=clerk,
            client=patient,
            visit_type=consultation,
            data=VisitData(scheduled_at=timezone.now() - timedelta(days=day)),
        )
    browser = login(manager)
    browser.get(reverse("desk:visit_list"))
    with django_assert_max_num_queries(15):
        page = browser.get(reverse("desk:visit_list"), {"status": "planned"})
    assert page.status_code == 200


def test_a_clerk_opens_a_clinic_visit_with_the_picked_client(login, clerk, branch, patient, consultation):
    page = login(clerk).post(
        reverse("desk:visit_create"),
        {
            "branch": branch.pk,
            "client": patient.pk,
            "visit_type": consultation.pk,
            "scheduled_at": "2030-05-06T09:30",
            "reason": "Kontrola ciśnienia",
        },
    )
    visit = Visit.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("desk:visit_detail", args=[visit.pk])
    assert (visit.client, visit.reason, visit.status) == (patient, "Kontrola ciśnienia", S.PLANNED)


def test_without_a_client_the_form_comes_back_with_what_was_typed(login, clerk, branch, consultation):
    page = login(clerk).post(
        reverse("desk:visit_create"),
        {"branch": branch.pk, "client": "", "visit_type": consultation.pk, "reason": "Szczepienie"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Choose the client" in html and "Szczepienie" in html
    assert not Visit.objects.exists()


def test_the_form_shows_the_chosen_visit_types_details(login, clerk, room_night):
    page = login(clerk).get(reverse("desk:visit_create"), {"visit_type": room_night.pk}, headers={"HX-Request": "true"})
    html = page.content.decode()
    assert 'name="arrival_date"' in html and 'name="reason"' not in html


def test_a_stale_edit_keeps_the_clerks_input_and_names_who_changed_it(login, clerk, manager, clinic_visit):
    opened = clinic_visit.version
    services.visit_update(
        visit=clinic_visit,
        actor=manager,
        data=VisitData(scheduled_at=clinic_visit.scheduled_at),
        expected_version=opened,
    )
    page = login(clerk).post(
        reverse("desk:visit_edit", args=[clinic_visit.pk]),
        {"scheduled_at": "2030-01-01T10:00", "reason": "Mój opis", "version": opened},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "changed by" in html and manager.get_full_name() in html and "Mój opis" in html


def test_a_refused_transition_on_the_visit_page_says_why_and_keeps_the_reason(login, clerk, clinic_visit):
    page = login(clerk).post(reverse("desk:visit_transition", args=[clinic_visit.pk]), {"to_status": "finished"})
    assert page.status_code == 400
    assert "cannot go from “Planned” to “Finished”" in page.content.decode()
    page = login(clerk).post(
        reverse("desk:visit_transition", args=[clinic_visit.pk]), {"to_status": "cancelled", "reason": ""}
    )
    assert page.status_code == 400 and "Say why." in page.content.decode()


def test_a_transition_from_the_day_page_returns_to_the_day(login, clerk, clinic_visit):
    day = reverse("desk:day") + "?q=kow"
    page = login(clerk).post(
        reverse("desk:visit_transition", args=[clinic_visit.pk]),
        {"to_status": "arrived", "version": clinic_visit.version, "next": day},
    )
    assert page["Location"] == day
    clinic_visit.refresh_from_db()
    assert clinic_visit.status == S.ARRIVED


def _session_writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    ]


def test_the_message_of_a_check_in_is_shown_once_and_writes_no_session(login, clerk, clinic_visit):
    browser = login(clerk)
    with CaptureQueriesContext(connection) as captured:
        page = browser.post(
            reverse("desk:visit_transition", args=[clinic_visit.pk]),
            {"to_status": "arrived", "version": clinic_visit.version},
        )
    assert page.status_code == 302
    # The message rides in a signed cookie: the session is not written to carry it, nor to show it
    assert not _session_writes(captured)
    assert browser.cookies["messages"].value
    said = f"{clinic_visit.number}: Arrived."
    with CaptureQueriesContext(connection) as captured:
        assert said in browser.get(page["Location"]).content.decode()
    assert not _session_writes(captured)
    assert said not in browser.get(page["Location"]).content.decode()  # shown once


def test_a_hotel_stay_page_adds_a_guest_and_refuses_a_full_room(login, clerk, stay, second_guest, organisation):
    from frontoffice.clients.services import ClientData, client_create

    browser = login(clerk)
    assert browser.post(reverse("desk:visit_guest_add", args=[stay.pk]), {"guest": second_guest.pk}).status_code == 302
    third = client_create(organisation=organisation, actor=clerk, data=ClientData(family_name="Trzeci"))
    page = browser.post(reverse("desk:visit_guest_add", args=[stay.pk]), {"guest": third.pk})
    assert page.status_code == 400 and "sleeps only 2" in page.content.decode()


def test_a_shop_line_with_a_bad_price_keeps_the_input(login, clerk, shop_sale):
    page = login(clerk).post(
        reverse("desk:visit_line_add", args=[shop_sale.pk]),
        {"description": "Farba", "quantity": "2", "unit_price": "abc", "vat_rate": "23"},
    )
    assert page.status_code == 400
    assert 'value="Farba"' in page.content.decode()
    page = login(clerk).post(
        reverse("desk:visit_line_add", args=[shop_sale.pk]),
        {"description": "Farba", "quantity": "2", "unit_price": "49.99", "vat_rate": "23"},
    )
    assert page.status_code == 302
    assert shop_sale.lines.get().total_gross == Decimal("99.98")


def test_registered_actions_fill_the_payment_slot(login, clerk, clinic_visit):
    action = VisitAction(slot="payment", label="Take payment", url_name="desk:visit_detail", statuses=("planned",))
    register_visit_action(action)
    try:
        html = login(clerk).get(reverse("desk:day")).content.decode()
    finally:
        _ACTIONS.remove(action)
    assert 'data-slot="payment"' in html and "Take payment" in html


def test_a_manager_sets_up_a_visit_type_and_a_room(login, manager, branch):
    browser = login(manager)
    page = browser.post(
        reverse("desk:visit_type_create"),
        {
            "name": "Masaż",
            "vertical": "clinic",
            "duration_minutes": "45",
            "price": "180.00",
            "vat_rate": "8",
            "performed_by_roles": ["manager"],
            "is_active": "on",
        },
    )
    assert page.status_code == 302
    assert VisitType.objects.get(name="Masaż").performed_by_roles == ["manager"]
    page = browser.post(
        reverse("desk:room_create"),
        {"branch": branch.pk, "number": "7", "floor": "0", "kind": "single", "capacity": "1", "is_active": "on"},
    )
    assert page.status_code == 302
    page = browser.post(
        reverse("desk:room_create"),
        {"branch": branch.pk, "number": "7", "floor": "0", "kind": "single", "capacity": "1"},
    )
    assert page.status_code == 400 and "already has a room with this number" in page.content.decode()


def test_the_visit_page_speaks_polish(login, clerk, clinic_visit):
    clerk.language = "pl"
    clerk.save()
    html = login(clerk).get(reverse("desk:visit_detail", args=[clinic_visit.pk])).content.decode()
    assert "Zaplanowana" in html and "Na miejscu" in html


@pytest.mark.parametrize(
    ("minutes", "english", "polish"),
    [(7, "7 min", "7 min"), (125, "2 h 5 min", "2 godz. 5 min"), (1500, "1 day", "1 dzień"), (4400, "3 days", "3 dni")],
)
def test_time_in_status_is_short_enough_for_a_table_cell(minutes, english, polish):
    now = timezone.now()
    with translation.override("en"):
        assert in_status_for(now - timedelta(minutes=minutes), now) == english
    with translation.override("pl"):
        assert in_status_for(now - timedelta(minutes=minutes), now) == polish


def test_a_clinic_visit_page_reads_no_guests_or_room_changes(login, clerk, clinic_visit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = login(clerk)
    browser.get(reverse("desk:visit_detail", args=[clinic_visit.pk]))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as captured:
        page = browser.get(reverse("desk:visit_detail", args=[clinic_visit.pk]))

    assert page.status_code == 200
    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert "desk_visitguest" not in read
    assert "desk_visitroomchange" not in read


def test_a_stay_page_lists_its_guests_and_room_changes(login, clerk, manager, branch, stay, second_guest):
    services.visit_guest_add(visit=stay, client=second_guest, actor=clerk)
    sign_cards(stay, clerk)
    visit = services.visit_transition(visit=stay, to_status=S.CHECKED_IN, actor=clerk)
    bigger = services.room_create(branch=branch, actor=manager, number="201", capacity=3)
    services.visit_room_change(visit=visit, room=bigger, actor=clerk, reason="Noisy neighbours")

    page = login(clerk).get(reverse("desk:visit_detail", args=[stay.pk])).content.decode()

    assert second_guest.display_name in page
    assert "101 → 201 (Noisy neighbours)" in page
