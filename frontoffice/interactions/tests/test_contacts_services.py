"""Contacts services and selectors: the quick log in one step, edits with a version, topics, teams, and who
sees whose follow-ups."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.core.concurrency import StaleEdit
from frontoffice.interactions.choices import Channel, ClientMatch, Direction, Outcome
from frontoffice.interactions.contacts import selectors, services
from frontoffice.interactions.contacts.home import _follow_ups
from frontoffice.interactions.models import Case, FollowUp, Interaction

pytestmark = pytest.mark.django_db


def test_a_logged_contact_is_handled_by_the_actor_and_can_bring_a_follow_up_and_a_case(branch, clerk, agent, caller):
    due = timezone.now() + timedelta(days=2)

    logged = services.contact_log(
        branch=branch,
        channel=Channel.LETTER,
        direction=Direction.INBOUND,
        actor=clerk,
        client=caller,
        summary="List z reklamacją",
        follow_up=services.FollowUpData(owner=agent, due_at=due, note="Odpisać"),
        case_subject="Reklamacja listowna",
    )

    assert (logged.interaction.staff, logged.interaction.client_match) == (clerk, ClientMatch.CONFIRMED)
    assert logged.interaction.outcome == Outcome.CASE_OPENED
    assert (logged.follow_up.owner, logged.follow_up.due_at) == (agent, due)
    assert logged.case.client == caller and logged.interaction.case == logged.case


def test_a_follow_up_for_someone_of_another_organisation_undoes_the_whole_log(branch, clerk, outsider_org):
    with pytest.raises(ValidationError):
        services.contact_log(
            branch=branch,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            actor=clerk,
            follow_up=services.FollowUpData(owner=outsider_org, due_at=timezone.now(), note="Nie"),
            case_subject="Nie powstanie",
        )

    assert not Interaction.objects.exists() and not FollowUp.objects.exists() and not Case.objects.exists()


def test_an_update_needs_the_current_version(call, clerk, agent, topic):
    services.interaction_update(interaction=call, actor=agent, version=1, topic=None, outcome="", summary="Pierwsza")

    with pytest.raises(StaleEdit):
        services.interaction_update(interaction=call, actor=clerk, version=1, topic=topic, outcome="", summary="Druga")
    call.refresh_from_db()
    assert (call.summary, call.version, call.updated_by) == ("Pierwsza", 2, agent)


def test_a_topic_of_another_organisation_cannot_be_set(call, clerk, other_organisation, outsider_org):
    foreign = services.topic_create(organisation=other_organisation, actor=outsider_org, name="Obcy")

    with pytest.raises(ValidationError):
        services.interaction_update(interaction=call, actor=clerk, version=1, topic=foreign, outcome="", summary="")


def test_topic_names_are_unique_per_organisation_only(organisation, other_organisation, manager, outsider_org, topic):
    with pytest.raises(ValidationError):
        services.topic_create(organisation=organisation, actor=manager, name=" APPOINTMENT ")

    assert services.topic_create(organisation=other_organisation, actor=outsider_org, name="Appointment").pk


def test_a_team_lead_oversees_the_follow_ups_of_their_members_only(clerk, agent, manager, guard, team, call_back):
    assert set(selectors.follow_up_owners(user=agent)) == {agent}
    assert {clerk, agent} <= set(selectors.follow_up_owners(user=manager))
    assert list(selectors.follow_up_list(user=agent, owner_id=clerk.pk)) == []
    assert list(selectors.follow_up_list(user=manager, owner_id=clerk.pk)) == [call_back]


def test_a_team_led_by_an_agent_lets_them_see_their_members(branch, manager, agent, clerk, call_back):
    services.team_create(branch=branch, actor=manager, name="Infolinia", lead=agent, members=[clerk])

    assert selectors.may_oversee_follow_ups(agent)
    assert list(selectors.follow_up_list(user=agent, owner_id=clerk.pk)) == [call_back]
    assert selectors.follow_up_get(user=agent, pk=call_back.pk) == call_back


def test_the_home_card_counts_open_follow_ups_and_warns_of_overdue_ones(clerk, call, django_assert_max_num_queries):
    now = timezone.now()
    for hours in (-5, 2, 30):
        FollowUp.objects.create(
            organisation=call.organisation,
            branch=call.branch,
            interaction=call,
            owner=clerk,
            due_at=now + timedelta(hours=hours),
            note=f"{hours} h",
        )

    with django_assert_max_num_queries(6):
        card = _follow_ups(clerk)

    assert (card.figure, card.tone) == (3, "warn")
    assert [note for note, _when in card.items] == ["-5 h", "2 h", "30 h"]
