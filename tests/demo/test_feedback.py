"""The demo gives every organisation surveys of every kind, their rules and a few hundred responses."""

from frontoffice.core.demo import load_demo
from frontoffice.feedback.choices import SurveyKind
from frontoffice.feedback.models import Invitation, InvitationRule, Response, Survey


def test_the_demo_fills_every_organisation_once_with_surveys_and_responses(demo, db):
    organisations = demo
    counts = (Survey.objects.count(), Response.objects.count())
    load_demo()  # idempotent
    assert (Survey.objects.count(), Response.objects.count()) == counts
    for organisation in organisations:
        assert set(Survey.objects.filter(organisation=organisation).values_list("kind", flat=True)) == set(
            SurveyKind.values
        )
        assert InvitationRule.objects.filter(organisation=organisation, is_active=True).exists()
        responses = Response.objects.filter(organisation=organisation, is_complete=True)
        assert 200 <= responses.count() <= 500
        assert responses.filter(is_low=True).exists()
        assert Invitation.objects.filter(organisation=organisation, response__isnull=True).exists()
