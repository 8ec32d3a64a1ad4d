"""The agent workspace's pages and API: the queue and its filters, the case page, set-up pages, the timeline."""

import pytest

from frontoffice.interactions import services
from frontoffice.interactions.cases import services as case_services
from frontoffice.interactions.choices import CasePriority, CaseStatus, Channel
from frontoffice.interactions.models import CannedReply, Case, SlaPolicyRecord

pytestmark = pytest.mark.django_db


def test_the_queue_shows_my_open_cases_and_the_unassigned_tab_the_rest(login, branch, agent, manager, caller):
    mine = case_services.case_create(branch=branch, subject="Moja sprawa", actor=agent, owner=agent)
    nobodys = case_services.case_create(branch=branch, subject="Niczyja sprawa", actor=agent)
    client = login(agent)

    page = client.get("/interactions/cases/").content.decode()
    assert mine.number in page and nobodys.number not in page

    page = client.get("/interactions/cases/?tab=unassigned").content.decode()
    assert nobodys.number in page and mine.number not in page


def test_the_queue_filters_by_priority_and_search(login, branch, agent, caller):
    urgent = case_services.case_create(
        branch=branch, subject="Awaria terminala", actor=agent, priority=CasePriority.URGENT, client=caller
    )
    calm = case_services.case_create(branch=branch, subject="Pytanie o godziny", actor=agent)
    client = login(agent)

    page = client.get("/interactions/cases/?tab=all&priority=urgent").content.decode()
    assert urgent.number in page and calm.number not in page
    page = client.get("/interactions/cases/?tab=all&q=Wiśniewski").content.decode()
    assert urgent.number in page and calm.number not in page
    page = client.get(f"/interactions/cases/?tab=all&q={calm.number}").content.decode()
    assert calm.number in page and urgent.number not in page


def test_the_queue_takes_a_fixed_number_of_queries_however_many_cases(
    login, branch, agent, caller, django_assert_max_num_queries
):
    policy = SlaPolicyRecord.objects.create(
        organisation=branch.organisation, name="Doba", first_response_minutes=600, always_open=True
    )
    assert policy.pk
    for n in range(30):
        case_services.case_create(branch=branch, subject=f"Sprawa {n}", actor=agent, owner=agent, client=caller)
    client = login(agent)
    client.get("/interactions/cases/")

    with django_assert_max_num_queries(14):
        response = client.get("/interactions/cases/?tab=mine", headers={"HX-Request": "true"})

    assert response.content.decode().count("/interactions/cases/") >= 30


def test_the_rows_fragment_is_served_to_htmx(login, agent):
    response = login(agent).get("/interactions/cases/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<h1>" not in response.content.decode()
    assert 'id="case-rows"' in response.content.decode()


def test_the_case_stream_answers_no_stream_outside_asgi(login, agent):
    assert login(agent).get("/events/interactions/cases/").status_code == 204


def test_the_case_page_shows_the_timeline_and_a_reply_is_posted(login, agent, case):
    case.channel = Channel.IN_PERSON  # no channel sends a counter case's replies: it waits to be sent by hand
    case.save(update_fields=["channel"])
    client = login(agent)

    response = client.post(f"/interactions/cases/{case.pk}/reply/", {"body": "Odpowiedź dla klienta"})

    assert response.status_code == 302
    page = client.get(f"/interactions/cases/{case.pk}/").content.decode()
    assert "Odpowiedź dla klienta" in page
    assert "To send manually" in page
    assert f"/interactions/clients/{case.client_id}/timeline/" in page


def test_an_empty_reply_is_refused_with_a_message(login, agent, case):
    response = login(agent).post(f"/interactions/cases/{case.pk}/reply/", {"body": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_canned_reply_is_inserted_into_the_reply_box(login, organisation, agent, case):
    canned = CannedReply.objects.create(
        organisation=organisation, title="Powitanie", body_pl="Dzień dobry {{ client.given_name }}!"
    )

    response = login(agent).get(f"/interactions/cases/{case.pk}/?canned={canned.pk}", headers={"HX-Request": "true"})

    assert "Dzień dobry Jan!" in response.content.decode()


def test_a_status_change_from_the_page(login, agent, case):
    response = login(agent).post(
        f"/interactions/cases/{case.pk}/status/", {"status": CaseStatus.PENDING_INTERNAL, "version": case.version}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_INTERNAL


def test_a_manager_creates_an_sla_policy_on_the_page(login, manager):
    response = login(manager).post(
        "/interactions/cases/sla/new/",
        {
            "name": "Dni robocze",
            "order": 50,
            "is_active": "on",
            "channels": ["email"],
            "first_response_minutes": 240,
            "time_zone": "Europe/Warsaw",
            "weekly_hours": "Mon-Fri 08:00-12:00 13:00-17:00",
            "closed_dates": "2026-12-31",
            "pause_statuses": ["pending_customer"],
            "escalation": "agent before 30\nmanager after 60",
        },
    )

    assert response.status_code == 302
    policy = SlaPolicyRecord.objects.get(name="Dni robocze")
    assert policy.weekly_hours["4"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert policy.escalation[1] == {"role": "manager", "moment": "after", "minutes": 60}


def test_a_bad_ladder_line_is_shown_again_with_a_message(login, manager):
    response = login(manager).post(
        "/interactions/cases/sla/new/",
        {"name": "Zła", "order": 1, "time_zone": "Europe/Warsaw", "escalation": "boss whenever"},
    )

    assert response.status_code == 400
    assert "Cannot read the step" in response.content.decode()
    assert "boss whenever" in response.content.decode()


def test_the_client_timeline_lists_contacts_and_cases_newest_first(login, branch, agent, caller, case):
    services.interaction_record(branch=branch, channel=Channel.PHONE, actor=agent, client=caller)

    page = login(agent).get(f"/interactions/clients/{caller.pk}/timeline/").content.decode()

    assert case.number in page
    assert page.index("Phone") < page.index(case.number)


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_creates_and_lists_cases(login, branch, agent, caller):
    client = login(agent)

    created = client.post(
        "/api/v1/interactions/cases",
        {"branch_id": branch.pk, "subject": "Z API", "client_id": caller.pk},
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    listed = client.get("/api/v1/interactions/cases?q=Z API").json()
    assert [item["subject"] for item in listed["items"]] == ["Z API"]


def test_the_api_refuses_a_stale_update_with_409(login, agent, case):
    client = login(agent)
    fresh = client.patch(
        f"/api/v1/interactions/cases/{case.pk}",
        {"version": case.version, "status": "open"},
        content_type="application/json",
    )
    assert fresh.status_code == 200, fresh.content

    stale = client.patch(
        f"/api/v1/interactions/cases/{case.pk}",
        {"version": case.version, "priority": "high"},
        content_type="application/json",
    )

    assert stale.status_code == 409
    assert Case.objects.get(pk=case.pk).priority == CasePriority.NORMAL


def test_the_api_renders_a_canned_reply_for_a_case(login, organisation, agent, case):
    canned = CannedReply.objects.create(organisation=organisation, title="Numer", body_pl="Sprawa {{ case.number }}")

    body = login(agent).get(f"/api/v1/interactions/canned-replies/{canned.pk}/render?case_id={case.pk}").json()

    assert body == {"language": "pl", "text": f"Sprawa {case.number}"}


def test_the_client_timeline_shows_visits_and_a_visit_can_be_linked_to_the_case(
    login, organisation, branch, manager, caller, case
):
    from frontoffice.desk import services as desk_services

    visit_type = desk_services.visit_type_create(
        organisation=organisation, actor=manager, name="Konsultacja", vertical="clinic"
    )
    visit = desk_services.visit_create(
        branch=branch,
        actor=manager,
        client=caller,
        visit_type=visit_type,
        data=desk_services.VisitData(scheduled_at=case.opened_at),
    )
    client = login(manager)

    page = client.get(f"/interactions/clients/{caller.pk}/timeline/").content.decode()
    assert visit.number in page and case.number in page

    response = client.post(
        f"/interactions/cases/{case.pk}/edit/",
        {"version": case.version, "subject": case.subject, "priority": "high", "visit": visit.pk, "client": caller.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.visit_id == visit.pk and case.priority == "high"


def test_the_home_page_shows_the_escalations_sent_to_me(login, branch, agent, caller):
    from django.utils import timezone

    from frontoffice.interactions import services
    from frontoffice.interactions.cases import escalation

    SlaPolicyRecord.objects.create(
        organisation=branch.organisation,
        name="Szybko",
        first_response_minutes=30,
        always_open=True,
        escalation=[{"role": "agent", "moment": "at", "minutes": 0}],
    )
    now = timezone.now()
    opened = now - timezone.timedelta(hours=1)
    case = services.case_open(branch=branch, subject="Pilne", actor=agent, client=caller, owner=agent, opened_at=opened)
    assert escalation.sla_escalations(now) == 1

    page = login(agent).get("/").content.decode()

    assert "SLA escalations" in page and case.number in page
