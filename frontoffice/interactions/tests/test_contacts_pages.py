"""The contacts pages: the list and its filters, the quick form, a contact's page, follow-ups, topics and teams."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create
from frontoffice.interactions import services
from frontoffice.interactions.choices import CaseStatus, Channel, ClientMatch, Outcome
from frontoffice.interactions.models import Case, FollowUp, Interaction, Team, Topic

pytestmark = pytest.mark.django_db


def _due():
    return (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_contacts_newest_first(client, clerk, branch, call):
    later = services.interaction_record(
        branch=branch, channel=Channel.EMAIL, actor=clerk, contact_address="x@y.invalid"
    )
    client.force_login(clerk)

    response = client.get(reverse("interactions:interaction_list"))

    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [later.pk, call.pk]


def test_the_list_filters_by_channel_topic_and_client_from_the_url(client, clerk, branch, call, topic, caller):
    services.interaction_record(branch=branch, channel=Channel.EMAIL, actor=clerk)
    client.force_login(clerk)

    by_channel = client.get(reverse("interactions:interaction_list"), {"channel": "phone"})
    by_topic = client.get(reverse("interactions:interaction_list"), {"topic": topic.pk})
    by_client = client.get(reverse("interactions:interaction_list"), {"client": caller.pk})

    assert [row.pk for row in by_channel.context["rows"]] == [call.pk]
    assert [row.pk for row in by_topic.context["rows"]] == [call.pk]
    assert [row.pk for row in by_client.context["rows"]] == [call.pk]


def test_needs_a_client_lists_unknown_and_maybe_contacts_only(client, clerk, branch, call):
    unknown = services.interaction_record(
        branch=branch, channel=Channel.PHONE, actor=clerk, contact_address="+48 500 1"
    )
    client.force_login(clerk)

    response = client.get(reverse("interactions:interaction_list"), {"needs_client": "on"})

    assert [row.pk for row in response.context["rows"]] == [unknown.pk]


def test_a_date_range_ending_before_it_starts_is_refused(client, clerk):
    client.force_login(clerk)

    response = client.get(
        reverse("interactions:interaction_list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )

    assert response.status_code == 400
    assert "The last day must not be before the first day." in response.content.decode()


def test_the_list_pages_without_counting_and_in_few_queries(client, clerk, branch, django_assert_max_num_queries):
    now = timezone.now()
    Interaction.objects.bulk_create(
        Interaction(
            organisation=branch.organisation,
            branch=branch,
            channel=Channel.PHONE,
            started_at=now - timedelta(minutes=index),
            staff=clerk,
        )
        for index in range(120)
    )
    client.force_login(clerk)

    with django_assert_max_num_queries(15):
        first = client.get(reverse("interactions:interaction_list"))
    third = client.get(reverse("interactions:interaction_list"), {"page": 3})

    assert len(first.context["rows"]) == 50 and first.context["has_next"]
    assert len(third.context["rows"]) == 20 and not third.context["has_next"]


def test_another_branchs_contacts_are_not_listed(client, outsider_branch, call):
    client.force_login(outsider_branch)

    response = client.get(reverse("interactions:interaction_list"))

    assert response.context["rows"] == []


# --- logging a contact ----------------------------------------------------------------------------


def test_the_quick_form_is_prefilled_from_the_client_and_the_phone(client, clerk, caller):
    client.force_login(clerk)

    response = client.get(reverse("interactions:interaction_create"), {"client": caller.pk, "phone": "600 200 300"})

    assert response.context["chosen_client"] == caller
    assert response.context["form"].initial["contact_address"] == "600 200 300"
    assert response.context["form"].initial["follow_up_owner"] == clerk.pk


def test_a_clerk_logs_a_call_with_a_follow_up_and_a_case(client, clerk, branch, caller, topic):
    client.force_login(clerk)

    response = client.post(
        reverse("interactions:interaction_create"),
        {
            "branch": branch.pk,
            "channel": "phone",
            "direction": "inbound",
            "client": caller.pk,
            "topic": topic.pk,
            "summary": "Prosi o korektę faktury.",
            "follow_up_note": "Oddzwonić po korekcie",
            "follow_up_owner": clerk.pk,
            "follow_up_due": _due(),
            "case_subject": "Korekta faktury",
        },
    )

    contact = Interaction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "interactions:interaction_detail", args=[contact.pk]
    )
    assert (contact.client, contact.client_match, contact.staff, contact.topic) == (
        caller,
        ClientMatch.CONFIRMED,
        clerk,
        topic,
    )
    assert contact.outcome == Outcome.CASE_OPENED
    assert FollowUp.objects.get().owner == clerk
    assert contact.case.subject == "Korekta faktury"


def test_a_counter_conversation_without_a_client_is_matched_by_phone(client, clerk, branch, caller):
    client.force_login(clerk)

    client.post(
        reverse("interactions:interaction_create"),
        {"branch": branch.pk, "channel": "in_person", "direction": "inbound", "contact_address": "+48600200300"},
    )

    assert Interaction.objects.get().client == caller


def test_bad_input_is_shown_again_with_messages_and_nothing_is_saved(client, clerk, branch):
    client.force_login(clerk)

    response = client.post(
        reverse("interactions:interaction_create"),
        {
            "branch": branch.pk,
            "channel": "fax",
            "direction": "inbound",
            "summary": "Zapisane",
            "follow_up_note": "Oddzwonić",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Zapisane" in page and "Oddzwonić" in page
    assert "Say when the follow-up is due." in page
    assert not Interaction.objects.exists()


# --- a contact's page -----------------------------------------------------------------------------


def test_a_maybe_contact_offers_its_candidates_and_one_click_confirms(client, clerk, organisation, branch, caller):
    spouse = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Anna", family_name="Wiśniewska", phones=["600200300"]),
        branch=branch,
    )
    contact = services.interaction_record(
        branch=branch, channel=Channel.PHONE, actor=clerk, contact_address="600200300"
    )
    client.force_login(clerk)

    page = client.get(reverse("interactions:interaction_detail", args=[contact.pk]))
    assert set(page.context["candidates"]) == {caller, spouse}
    response = client.post(reverse("interactions:interaction_confirm_client", args=[contact.pk]), {"client": spouse.pk})

    contact.refresh_from_db()
    assert response.status_code == 302
    assert (contact.client, contact.client_match) == (spouse, ClientMatch.CONFIRMED)


def test_topic_outcome_and_summary_are_set_after_the_fact(client, clerk, call, topic):
    client.force_login(clerk)

    client.post(
        reverse("interactions:interaction_edit", args=[call.pk]),
        {"version": call.version, "topic": "", "outcome": "resolved", "summary": "Załatwione"},
    )

    call.refresh_from_db()
    assert (call.topic, call.outcome, call.summary, call.version) == (None, Outcome.RESOLVED, "Załatwione", 2)


def test_a_stale_edit_is_refused_and_the_input_kept(client, clerk, agent, call):
    from frontoffice.interactions.contacts import services as contact_services

    contact_services.interaction_update(
        interaction=call, actor=agent, version=call.version, topic=None, outcome="resolved", summary="Agentka"
    )
    client.force_login(clerk)

    response = client.post(
        reverse("interactions:interaction_edit", args=[call.pk]),
        {"version": 1, "topic": "", "outcome": "information", "summary": "Moja wersja"},
    )

    assert response.status_code == 400
    assert "Moja wersja" in response.content.decode()
    assert "after you opened it" in response.content.decode()
    call.refresh_from_db()
    assert call.summary == "Agentka"


def test_a_follow_up_is_added_on_the_contacts_page_and_marked_done(client, clerk, call):
    client.force_login(clerk)

    client.post(
        reverse("interactions:interaction_follow_up_add", args=[call.pk]),
        {"follow_up_note": "Wysłać wyniki", "follow_up_owner": clerk.pk, "follow_up_due": _due()},
    )
    follow_up = FollowUp.objects.get()
    client.post(reverse("interactions:follow_up_done", args=[follow_up.pk]))

    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == clerk


def test_a_contact_opens_a_case_or_joins_an_open_case_of_its_client(client, clerk, branch, call, caller):
    earlier = services.interaction_record(branch=branch, channel=Channel.EMAIL, actor=clerk, client=caller)
    open_case = services.case_open(branch=branch, subject="Faktura", actor=clerk, interaction=earlier)
    client.force_login(clerk)

    page = client.get(reverse("interactions:interaction_detail", args=[call.pk]))
    assert page.context["cases_to_join"] == [open_case]
    client.post(reverse("interactions:interaction_join_case", args=[call.pk]), {"case": open_case.pk})
    call.refresh_from_db()
    assert call.case == open_case

    other = services.interaction_record(branch=branch, channel=Channel.SMS, actor=clerk, client=caller)
    client.post(reverse("interactions:interaction_open_case", args=[other.pk]), {"subject": "Nowa sprawa"})
    other.refresh_from_db()
    assert other.case.subject == "Nowa sprawa" and other.case.status == CaseStatus.NEW
    assert Case.objects.count() == 2


def test_an_executive_sees_a_contact_without_the_forms(client, executive, call):
    client.force_login(executive)

    response = client.get(reverse("interactions:interaction_detail", args=[call.pk]))

    assert response.status_code == 200
    assert reverse("interactions:interaction_edit", args=[call.pk]) not in response.content.decode()


# --- follow-ups -----------------------------------------------------------------------------------


def test_my_follow_ups_list_the_overdue_first_and_the_home_card_shows_them(client, clerk, call):
    now = timezone.now()
    later = services.follow_up_create(
        owner=clerk, due_at=now + timedelta(days=2), note="Później", actor=clerk, interaction=call
    )
    overdue = services.follow_up_create(
        owner=clerk, due_at=now - timedelta(hours=3), note="Zaległe", actor=clerk, interaction=call
    )
    client.force_login(clerk)

    page = client.get(reverse("interactions:follow_up_list"))
    home = client.get(reverse("core:home"))

    assert page.context["rows"] == [overdue, later]
    assert "My follow-ups" in home.content.decode() and "Zaległe" in home.content.decode()


def test_a_team_lead_filters_follow_ups_by_a_member_but_a_clerk_cannot(client, clerk, agent, manager, team, call_back):
    client.force_login(manager)
    response = client.get(reverse("interactions:follow_up_list"), {"owner": clerk.pk})
    assert response.context["rows"] == [call_back]

    client.force_login(agent)
    response = client.get(reverse("interactions:follow_up_list"), {"owner": clerk.pk})
    assert response.status_code == 400 and response.context["rows"] == []


def test_a_colleague_cannot_mark_someone_elses_follow_up_done(client, agent, call_back):
    client.force_login(agent)

    response = client.post(reverse("interactions:follow_up_done", args=[call_back.pk]))

    assert response.status_code == 404
    call_back.refresh_from_db()
    assert call_back.done_at is None


# --- topics and teams -----------------------------------------------------------------------------


def test_a_manager_adds_renames_and_deactivates_a_topic(client, manager, organisation):
    client.force_login(manager)

    client.post(reverse("interactions:topic_create"), {"name": "Parking", "name_pl": "Parking", "position": 3})
    topic = Topic.objects.get()
    client.post(
        reverse("interactions:topic_edit", args=[topic.pk]),
        {"version": topic.version, "name": "Car park", "name_pl": "Parking", "position": 3},
    )

    topic.refresh_from_db()
    assert (topic.organisation, topic.name, topic.is_active) == (organisation, "Car park", False)


def test_a_topic_name_is_used_only_once(client, manager, topic):
    client.force_login(manager)

    response = client.post(reverse("interactions:topic_create"), {"name": "appointment", "position": 0})

    assert response.status_code == 400
    assert "This name is already used." in response.content.decode()


def test_a_manager_sets_up_a_team_with_a_lead_and_members(client, manager, clerk, agent, branch):
    client.force_login(manager)

    client.post(
        reverse("interactions:team_create"),
        {"name": "Infolinia", "branch": branch.pk, "lead": manager.pk, "members": [clerk.pk, agent.pk]},
    )

    team = Team.objects.get()
    assert (team.branch, team.lead) == (branch, manager)
    assert set(team.members.all()) == {clerk, agent}


def test_staff_of_another_organisation_cannot_join_a_team(client, manager, branch, outsider_org):
    client.force_login(manager)

    response = client.post(
        reverse("interactions:team_create"), {"name": "Infolinia", "branch": branch.pk, "members": [outsider_org.pk]}
    )

    assert response.status_code == 400
    assert not Team.objects.exists()
