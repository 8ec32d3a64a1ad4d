"""The demo gives every organisation topics, two teams and a month of contacts with follow-ups and cases."""

from datetime import timedelta

from django.utils import timezone

from frontoffice.core.demo import load_demo
from frontoffice.interactions.choices import Channel, ClientMatch
from frontoffice.interactions.models import Case, FollowUp, Interaction, Team, Topic


def test_the_demo_fills_every_organisation_once_with_contacts_in_every_channel(db):
    organisations = load_demo()
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
