"""Recording contacts: client matching, follow-ups, cases."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontoffice.clients.services import ClientData, client_create
from frontoffice.interactions import selectors, services
from frontoffice.interactions.choices import CaseStatus, Channel, ClientMatch
from frontoffice.interactions.models import Interaction

pytestmark = pytest.mark.django_db


def test_a_caller_with_one_client_on_file_is_matched_automatically(branch, clerk, caller):
    interaction = services.interaction_record(
        branch=branch, channel=Channel.PHONE, actor=clerk, contact_address="+48 600-200-300"
    )

    assert interaction.client == caller
    assert interaction.client_match == ClientMatch.AUTOMATIC


def test_a_sender_is_matched_by_e_mail_whatever_the_case(branch, clerk, caller):
    interaction = services.interaction_record(
        branch=branch, channel=Channel.EMAIL, actor=clerk, contact_address="Jan.W@Example.invalid"
    )

    assert interaction.client == caller


def test_two_clients_sharing_a_number_are_offered_as_maybe_until_confirmed(organisation, branch, clerk, caller):
    spouse = client_create(
        organisation=organisation,
        actor=clerk,
        data=ClientData(given_name="Anna", family_name="Wiśniewska", phones=["600200300"]),
        branch=branch,
    )
    interaction = services.interaction_record(
        branch=branch, channel=Channel.PHONE, actor=clerk, contact_address="600200300"
    )
    assert interaction.client is None
    assert interaction.client_match == ClientMatch.MAYBE
    assert set(interaction.candidates.all()) == {caller, spouse}

    services.interaction_confirm_client(interaction=interaction, client=spouse, actor=clerk)

    interaction.refresh_from_db()
    assert (interaction.client, interaction.client_match) == (spouse, ClientMatch.CONFIRMED)
    assert not interaction.candidates.exists()


def test_an_unknown_number_leaves_the_client_empty(branch, clerk, caller):
    interaction = services.interaction_record(
        branch=branch, channel=Channel.PHONE, actor=clerk, contact_address="+48 500 100 100"
    )

    assert interaction.client is None
    assert interaction.client_match == ClientMatch.NONE


def test_a_contact_cannot_end_before_it_started(branch, clerk):
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.interaction_record(
            branch=branch,
            channel=Channel.IN_PERSON,
            actor=clerk,
            started_at=now,
            ended_at=now - datetime.timedelta(minutes=1),
        )
    assert not Interaction.objects.exists()


def test_a_client_of_another_organisation_is_refused(branch, foreign_branch, clerk, outsider_org):
    stranger = client_create(
        organisation=foreign_branch.organisation,
        actor=outsider_org,
        data=ClientData(given_name="Ewa", family_name="Obca"),
    )
    with pytest.raises(ValidationError):
        services.interaction_record(branch=branch, channel=Channel.PHONE, actor=clerk, client=stranger)


def test_open_follow_ups_reach_their_owner_only_until_done(branch, clerk, agent):
    interaction = services.interaction_record(branch=branch, channel=Channel.PHONE, actor=clerk)
    follow_up = services.follow_up_create(
        interaction=interaction, owner=agent, due_at=timezone.now(), note="Oddzwonić z wynikiem", actor=clerk
    )

    assert list(selectors.follow_ups_open_for(user=agent)) == [follow_up]
    assert not selectors.follow_ups_open_for(user=clerk).exists()

    services.follow_up_complete(follow_up=follow_up, actor=agent)
    assert not selectors.follow_ups_open_for(user=agent).exists()


def test_a_contact_opens_a_case_and_lends_it_its_client_and_channel(branch, clerk, caller):
    interaction = services.interaction_record(
        branch=branch, channel=Channel.EMAIL, actor=clerk, contact_address="jan.w@example.invalid"
    )

    case = services.case_open(branch=branch, subject="Zwrot za wizytę", actor=clerk, interaction=interaction)

    interaction.refresh_from_db()
    assert interaction.case == case
    assert (case.client, case.channel, case.status) == (caller, Channel.EMAIL, CaseStatus.NEW)
    assert case.number.startswith("C-")


def test_another_branchs_case_is_not_found(branch, other_branch, clerk, outsider_branch):
    case = services.case_open(branch=branch, subject="Reklamacja", actor=clerk)

    assert selectors.case_get(user=clerk, pk=case.pk) == case
    with pytest.raises(Exception) as raised:
        selectors.case_get(user=outsider_branch, pk=case.pk)
    assert raised.type.__name__ == "Http404"
