"""The demo gives every organisation visit types, a month of visits and today's schedule."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from frontoffice.core.demo import load_demo
from frontoffice.core.models import NumberSequence
from frontoffice.desk import workflow
from frontoffice.desk.models import Room, Visit, VisitStatusChange, VisitType


def test_the_demo_fills_the_desk_once_with_consistent_visits(db):
    organisations = load_demo()
    counts = Visit.objects.count()
    load_demo()  # idempotent
    assert Visit.objects.count() == counts
    for organisation in organisations:
        visits = Visit.objects.filter(organisation=organisation)
        assert VisitType.objects.filter(organisation=organisation, vertical=organisation.kind).exists()
        assert visits.filter(scheduled_at__lt=timezone.now() - timedelta(days=20)).exists()
        assert visits.exclude(status=workflow.INITIAL[organisation.kind]).exists()
        # every visit's recorded path is allowed by its vertical's state machine
        for visit in visits.prefetch_related("status_changes")[:200]:
            steps = list(visit.status_changes.all())
            assert steps[-1].to_status == visit.status
            for step in steps[1:]:
                workflow.check_transition(visit.vertical, step.from_status, step.to_status)
        # numbers are gap-free and the sequence continues after them
        for sequence in NumberSequence.objects.filter(organisation=organisation, key="V"):
            assert visits.filter(number__startswith=f"V-{sequence.year}-").count() == sequence.last_value
    assert Room.objects.filter(branch__organisation__kind="hotel").count() >= 12
    assert not Visit.objects.values("number", "organisation").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert VisitStatusChange.objects.count() > Visit.objects.count()


def test_the_demo_gives_clinics_policies_and_hotel_guests_signed_cards(db):
    from frontoffice.desk import services_registration as cards
    from frontoffice.desk.models import Coverage, Payer, RegistrationCard

    load_demo()
    load_demo()  # idempotent
    assert Payer.objects.filter(organisation__kind="clinic", kind="public_fund").count() == 1
    assert Coverage.objects.filter(organisation__kind="clinic").exists()
    checked_in = Visit.objects.filter(vertical="hotel", status="checked_in").first()
    assert checked_in is not None and not cards.incomplete_guests(checked_in)
    assert RegistrationCard.objects.exclude(nationality="PL").exists()
