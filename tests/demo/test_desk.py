"""The demo gives every organisation visit types, a month of visits and today's schedule."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from frontoffice.core.demo import load_demo
from frontoffice.core.models import NumberSequence
from frontoffice.desk import workflow
from frontoffice.desk.models import Room, Visit, VisitBilling, VisitStatusChange, VisitType


def test_the_demo_fills_the_desk_once_with_consistent_visits(demo, db):
    organisations = demo
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


def test_the_demo_gives_clinics_policies_and_hotel_guests_signed_cards(demo, db):
    from frontoffice.desk import services_registration as cards
    from frontoffice.desk.models import Coverage, Payer, RegistrationCard

    load_demo()  # idempotent
    assert Payer.objects.filter(organisation__kind="clinic", kind="public_fund").count() == 1
    assert Coverage.objects.filter(organisation__kind="clinic").exists()
    checked_in = Visit.objects.filter(vertical="hotel", status="checked_in").first()
    assert checked_in is not None and not cards.incomplete_guests(checked_in)
    assert RegistrationCard.objects.exclude(nationality="PL").exists()


# --- money and intake forms ------------------------------------------------------------------------


def _sum(values):
    return sum(values, Decimal("0.00"))


def test_the_demos_money_follows_the_desks_rules(demo, db, django_assert_max_num_queries):
    from frontoffice.desk.choices import VisitStatus as S
    from frontoffice.desk.models import Charge, DrawerSession, Payment, Refund, SaleDocument, VisitLine
    from frontoffice.desk.money.selectors import balances, drawer_expected, folio

    counts = (
        Payment.objects.count(),
        Refund.objects.count(),
        DrawerSession.objects.count(),
        SaleDocument.objects.count(),
    )
    load_demo()  # idempotent: nothing is paid twice
    assert counts == (
        Payment.objects.count(),
        Refund.objects.count(),
        DrawerSession.objects.count(),
        SaleDocument.objects.count(),
    )
    assert all(counts), "the demo should have payments, refunds, drawers and documents"

    visits = list(Visit.objects.select_related("visit_type"))
    lines, charges, paid, refunded = (defaultdict(Decimal) for _ in range(4))
    for visit_id, gross in VisitLine.objects.values_list("visit_id", "total_gross"):
        lines[visit_id] += gross
    for visit_id, gross in Charge.objects.filter(voided_at__isnull=True).values_list("visit_id", "total_gross"):
        charges[visit_id] += gross
    for visit_id, amount in Payment.objects.values_list("visit_id", "amount"):
        paid[visit_id] += amount
    for visit_id, amount in Refund.objects.filter(status="approved").values_list("visit_id", "amount"):
        refunded[visit_id] += amount
    with django_assert_max_num_queries(6):
        balance = balances(visits)
    settled = {S.FINISHED, S.CHECKED_OUT, S.PAID, S.FULFILLED, S.RETURNED}
    for visit in visits:
        charged = Decimal("0.00") if visit.status == S.RETURNED else lines[visit.pk] + charges[visit.pk]
        # payments less refunds per visit is exactly what the balance selector says was covered
        assert balance[visit.pk] == charged - paid[visit.pk] + refunded[visit.pk], visit.number
        assert refunded[visit.pk] <= paid[visit.pk], visit.number
        if visit.status in settled and visit.vertical != "clinic":
            assert balance[visit.pk] == 0, f"{visit.number} ({visit.status}) is not settled"
    for visit in visits[:: max(1, len(visits) // 60)]:  # the one-visit folio agrees with the list's balances
        assert folio(visit).balance == balance[visit.pk]
    # under-way clinic visits and stays had their charge posted, as the desk posts it on arrival / check-in
    under_way = Visit.objects.filter(status__in=(S.ARRIVED, S.IN_PROGRESS, S.FINISHED, S.CHECKED_IN, S.CHECKED_OUT))
    assert not under_way.exclude(charges__kind__in=("service", "nights")).exists()
    assert not Charge.objects.filter(visit__status__in=(S.CANCELLED, S.NO_SHOW)).exists()

    # cash is always in a drawer of the visit's branch, taken while it was open
    for payment in Payment.objects.filter(method="cash").select_related("drawer_session"):
        session = payment.drawer_session
        assert session.branch_id == payment.branch_id
        assert session.opened_at <= payment.taken_at and (
            session.closed_at is None or payment.taken_at <= session.closed_at
        )
    # a closed drawer expected its float + cash taken − approved cash refunds, and the count's difference is kept
    closed = DrawerSession.objects.filter(closed_at__isnull=False)
    assert closed.exists() and closed.exclude(discrepancy=0).exists()
    for session in closed:
        cash_in = _sum(session.payments.filter(method="cash").values_list("amount", flat=True))
        cash_out = _sum(session.refunds.filter(method="cash", status="approved").values_list("amount", flat=True))
        assert session.expected_amount == session.opening_float + cash_in - cash_out == drawer_expected(session)
        assert session.discrepancy == session.counted_amount - session.expected_amount
        assert not session.discrepancy or session.close_note
    assert (
        not DrawerSession.objects.values("clerk").filter(closed_at__isnull=True).annotate(n=Count("id")).filter(n__gt=1)
    )

    # refunds: returned sales and cancelled deposits, one still waiting for a manager
    pending = Refund.objects.get(status="pending")
    assert pending.required_role == "manager" and pending.decided_by is None
    assert Refund.objects.filter(status="approved", required_role="manager", decided_by__isnull=False).exists()
    # clinic patients with a private policy pay the copay; the insurer pays the rest
    assert Payment.objects.filter(method="insurer").exclude(reference="").exists()
    assert VisitBilling.objects.filter(billing="coverage", copay__gt=0).exists()

    # documents are numbered gap-free per organisation, kind and year, in the order they were issued
    for sequence in NumberSequence.objects.filter(key__in=("PAR", "FV")):
        numbers = list(
            SaleDocument.objects.filter(
                organisation=sequence.organisation, number__startswith=f"{sequence.key}-{sequence.year}-"
            )
            .order_by("issued_at", "pk")
            .values_list("number", flat=True)
        )
        assert numbers == [f"{sequence.key}-{sequence.year}-{n:06d}" for n in range(1, sequence.last_value + 1)]
    for document in SaleDocument.objects.select_related("visit")[:200]:
        assert document.total_gross == _sum(Decimal(line["gross"]) for line in document.lines)
        assert document.total_gross == (lines[document.visit_id] + charges[document.visit_id])
    assert SaleDocument.objects.filter(kind="invoice").exclude(buyer_nip="").exists()


def test_the_demo_has_intake_forms_on_the_right_visit_types_and_filled_ones(demo, db):
    from frontoffice.core.files import private_storage
    from frontoffice.desk.models import IntakeAttachment, IntakeForm, IntakeSubmission

    load_demo()  # idempotent
    clinic_form = IntakeForm.objects.get(organisation__kind="clinic")
    shop_form = IntakeForm.objects.get(organisation__kind="retail")
    assert not IntakeForm.objects.filter(organisation__kind="hotel").exists()  # hotels use registration cards
    assert set(clinic_form.visit_types.values_list("name", flat=True)) == {
        "Konsultacja internistyczna",
        "Konsultacja kardiologiczna",
    }
    assert list(shop_form.visit_types.values_list("name", flat=True)) == ["Mieszanie farby na zamówienie"]
    version = clinic_form.versions.get()
    assert version.published_at is not None
    conditional = version.fields.get(key="allergy_list")
    assert (conditional.show_if_key, conditional.show_if_value) == ("allergies", "yes")
    assert version.fields.filter(kind="signature", required=True).exists()
    # a clinic visit of such a type started since the form exists only with the form accepted
    started = Visit.objects.filter(
        visit_type__intake_form=clinic_form,
        scheduled_at__gte=version.published_at,
        status__in=("in_progress", "finished"),
    )
    assert started.exists()
    assert not started.exclude(intake_submission__status="accepted").exists()
    # the filled forms answer the version's rules: the conditional answer only after a "yes", a signature on file
    submissions = IntakeSubmission.objects.filter(form_version=version)
    assert submissions.exists()
    for submission in submissions:
        assert ("allergy_list" in submission.answers) == (submission.answers["allergies"] == "yes")
    assert any("allergy_list" in submission.answers for submission in submissions)
    signature = IntakeAttachment.objects.filter(submission__form_version=version).first()
    assert signature is not None and signature.file.read(8) == b"\x89PNG\r\n\x1a\n"
    assert private_storage().exists(signature.file.name)
    assert IntakeSubmission.objects.filter(form_version__form=shop_form, status="accepted").exists()


def test_the_demo_gives_every_branch_a_working_queue(demo, db):
    from frontoffice.desk.models import BoardScreen, Counter, QueueService, Ticket

    organisations = demo
    load_demo()  # idempotent
    for organisation in organisations:
        for branch in organisation.branches.filter(is_active=True):
            assert QueueService.objects.filter(branch=branch).count() == 2
            assert Counter.objects.filter(branch=branch).count() == 2
            assert set(BoardScreen.objects.filter(branch=branch).values_list("kind", flat=True)) == {"board", "kiosk"}
            tickets = Ticket.objects.filter(branch=branch)
            assert tickets.count() == 12
            assert tickets.filter(status="done").count() == 9 and tickets.filter(status="called").count() == 1
