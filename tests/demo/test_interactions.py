"""The demo gives every organisation topics, two teams and a month of contacts with follow-ups and cases."""

from datetime import timedelta
from itertools import pairwise

from django.urls import reverse
from django.utils import timezone

from frontoffice.accounts.models import User
from frontoffice.core.demo import load_demo
from frontoffice.core.models import ReportingEvent
from frontoffice.interactions.choices import (
    AgentState,
    CallbackStatus,
    CallState,
    CaseStatus,
    Channel,
    ClientMatch,
)
from frontoffice.interactions.models import (
    AgentStateChange,
    Call,
    Callback,
    Case,
    CaseEvent,
    CaseSla,
    FollowUp,
    Interaction,
    Team,
    Topic,
)
from frontoffice.interactions.models.phone_setup import SHORT_ABANDON_SECONDS


def test_the_demo_fills_every_organisation_once_with_contacts_in_every_channel(demo, db):
    organisations = demo
    counts = (Interaction.objects.count(), FollowUp.objects.count(), Topic.objects.count())
    load_demo()  # idempotent
    assert (Interaction.objects.count(), FollowUp.objects.count(), Topic.objects.count()) == counts
    now = timezone.now()
    for organisation in organisations:
        contacts = Interaction.objects.filter(organisation=organisation)
        assert Topic.objects.filter(organisation=organisation).exclude(name_pl="").count() >= 5
        assert Team.objects.filter(organisation=organisation).count() == 2
        assert set(contacts.values_list("channel", flat=True)) == set(Channel.values)
        assert contacts.filter(started_at__lt=now - timedelta(days=25)).exists()
        assert contacts.filter(client__isnull=False).count() > contacts.count() / 2
        assert contacts.filter(client_match=ClientMatch.MAYBE, candidates__isnull=False).exists()
        follow_ups = FollowUp.objects.filter(organisation=organisation)
        assert follow_ups.filter(done_at__isnull=False).exists()
        assert follow_ups.filter(done_at__isnull=True, due_at__lt=now).exists()
        assert Case.objects.filter(organisation=organisation, interactions__isnull=False).exists()


def test_the_demo_has_calls_agent_states_and_cases_with_a_past(demo, db, client):
    organisations = demo
    tables = (Call, AgentStateChange, Callback, Case, CaseEvent, CaseSla, ReportingEvent)
    counts = [model.objects.count() for model in tables]
    load_demo()  # idempotent: nothing is written twice, not even reporting events
    assert [model.objects.count() for model in tables] == counts
    now = timezone.now()
    for organisation in organisations:
        calls = Call.objects.filter(organisation=organisation)
        answered = calls.filter(interaction__answered_at__isnull=False)
        abandoned = calls.filter(interaction__answered_at__isnull=True)
        assert calls.count() > 100 and set(calls.values_list("state", flat=True)) == {CallState.ENDED}
        assert 0.02 < abandoned.count() / calls.count() < 0.12
        assert abandoned.filter(ring_seconds__lt=SHORT_ABANDON_SECONDS, cause="cancel").exists()
        assert abandoned.filter(ring_seconds__gte=SHORT_ABANDON_SECONDS).exists()
        assert not answered.filter(talk_seconds__isnull=True).exists()
        assert not answered.filter(wrap_up_seconds__isnull=True).exists()
        assert answered.filter(hold_seconds__gt=0).exists()
        assert not calls.filter(interaction__ended_at__gt=now).exists()
        callbacks = Callback.objects.filter(organisation=organisation)
        assert callbacks.filter(status=CallbackStatus.DONE, interaction__call__in=abandoned).exists()
        assert not callbacks.filter(interaction__answered_at__isnull=False).exists()
        _agent_days_add_up(organisation)

        cases = Case.objects.filter(organisation=organisation)
        assert cases.count() >= 30
        assert cases.filter(opened_at__lt=now - timedelta(days=35)).exists()
        statuses = set(cases.values_list("status", flat=True))
        assert {CaseStatus.RESOLVED, CaseStatus.CLOSED} <= statuses
        assert statuses & {CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING_CUSTOMER}
        assert cases.filter(reopen_count__gt=0, status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED)).exists()
        assert not cases.filter(status=CaseStatus.RESOLVED, resolved_at__isnull=True).exists()
        assert not cases.filter(first_response_at__isnull=True, resolved_at__isnull=False).exists()
        assert CaseSla.objects.filter(case__organisation=organisation, fulfilled=False).exists()
        assert CaseSla.objects.filter(case__organisation=organisation, fulfilled=True).exists()

    # The pages open on them: a reopened case with its clocks, the call list, an answered and an abandoned call.
    organisation = organisations[0]
    client.force_login(User.objects.get(staff__organisation=organisation, groups__name="agent"))
    reopened = Case.objects.filter(organisation=organisation, reopen_count__gt=0).first()
    calls = Call.objects.filter(organisation=organisation)
    pages = [
        reverse("interactions:case_detail", args=[reopened.pk]),
        reverse("interactions:call_list"),
        reverse("interactions:callback_list"),
        reverse("interactions:call_detail", args=[calls.filter(talk_seconds__isnull=False)[0].interaction_id]),
        reverse("interactions:call_detail", args=[calls.filter(talk_seconds__isnull=True)[0].interaction_id]),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def _agent_days_add_up(organisation):
    """Every agent's states follow one another without gaps or overlaps, the last one still open."""
    rows = AgentStateChange.objects.filter(organisation=organisation).order_by("user_id", "started_at", "pk")
    assert set(rows.values_list("state", flat=True)) == set(AgentState.values)
    by_user = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    for states in by_user.values():
        assert states[-1].ended_at is None and states[-1].state == AgentState.OFFLINE
        for previous, following in pairwise(states):
            assert previous.ended_at == following.started_at
            assert previous.state != following.state or previous.state == AgentState.AVAILABLE
    on_call = rows.filter(state=AgentState.ON_CALL)
    assert on_call.count() == Call.objects.filter(organisation=organisation, talk_seconds__isnull=False).count()
