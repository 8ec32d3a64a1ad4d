"""Coverage: the policy rules, the eligibility adapter, recorded checks and the self-pay fallback."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from frontoffice.clients.services import ClientData, client_create
from frontoffice.core.concurrency import StaleEdit
from frontoffice.core.models import AuditEntry
from frontoffice.desk import eligibility, services
from frontoffice.desk import services_coverage as cov
from frontoffice.desk.choices import VisitStatus as S
from frontoffice.desk.choices_coverage import Billing, EligibilityResult, SelfPayReason
from frontoffice.desk.models import EligibilityCheck, VisitBilling
from frontoffice.desk.services_coverage import CoverageData
from frontoffice.desk.tests.cards import PNG

pytestmark = pytest.mark.django_db

JAN_1 = date(2024, 1, 1)


@pytest.fixture
def nfz(organisation, manager):
    return cov.payer_create(organisation=organisation, actor=manager, name="NFZ Mazowiecki OW", kind="public_fund")


@pytest.fixture
def insurer(organisation, manager):
    return cov.payer_create(organisation=organisation, actor=manager, name="Medicover", kind="private_insurer")


@pytest.fixture
def spouse(organisation, clerk):
    return client_create(
        organisation=organisation, actor=clerk, data=ClientData(given_name="Anna", family_name="Kowalska")
    )


def _policy(client, payer, actor, **changes):
    data = CoverageData(payer=payer, member_number="12345671", valid_from=JAN_1)
    for name, value in changes.items():
        setattr(data, name, value)
    return cov.coverage_create(client=client, actor=actor, data=data)


# --- rules of a policy ------------------------------------------------------------------------


def test_a_self_policy_has_the_client_as_its_subscriber_and_is_audited(patient, nfz, clerk):
    policy = _policy(patient, nfz, clerk)
    assert policy.subscriber_id == patient.pk and policy.relationship == "self"
    assert AuditEntry.objects.filter(action="coverage.create", target_id=str(policy.pk)).exists()


def test_a_second_open_primary_policy_is_refused(patient, nfz, insurer, clerk):
    _policy(patient, nfz, clerk)
    with pytest.raises(ValidationError) as caught:
        _policy(patient, insurer, clerk, valid_from=date(2025, 6, 1))
    assert "One policy per order at a time" in caught.value.error_dict["valid_from"][0].messages[0]


def test_overlapping_dates_of_the_same_order_are_refused_but_a_secondary_is_fine(patient, nfz, insurer, clerk):
    _policy(patient, nfz, clerk, valid_to=date(2024, 12, 31))
    with pytest.raises(ValidationError):
        _policy(patient, insurer, clerk, valid_from=date(2024, 12, 31))
    after = _policy(patient, insurer, clerk, valid_from=date(2025, 1, 1))
    secondary = _policy(patient, insurer, clerk, order="secondary", member_number="X-1")
    assert after.valid_from == date(2025, 1, 1) and secondary.order == "secondary"


def test_an_end_before_the_start_is_refused(patient, nfz, clerk):
    with pytest.raises(ValidationError) as caught:
        _policy(patient, nfz, clerk, valid_to=date(2023, 12, 31))
    assert caught.value.error_dict["valid_to"][0].messages == ["The end date cannot be before the start date."]


def test_an_absurd_start_is_refused(patient, nfz, clerk):
    with pytest.raises(ValidationError) as caught:
        _policy(patient, nfz, clerk, valid_from=date(1812, 1, 1))
    assert "valid_from" in caught.value.error_dict


def test_a_self_subscriber_must_be_the_client(patient, spouse, nfz, clerk):
    with pytest.raises(ValidationError) as caught:
        _policy(patient, nfz, clerk, subscriber=spouse)
    assert "subscriber" in caught.value.error_dict


def test_a_spouse_policy_needs_the_subscriber_and_not_the_client(patient, spouse, insurer, clerk):
    with pytest.raises(ValidationError) as caught:
        _policy(patient, insurer, clerk, relationship="spouse")
    assert "subscriber" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        _policy(patient, insurer, clerk, relationship="spouse", subscriber=patient)
    assert "relationship" in caught.value.error_dict
    policy = _policy(patient, insurer, clerk, relationship="spouse", subscriber=spouse)
    assert policy.subscriber_id == spouse.pk


def test_a_payer_of_another_organisation_is_refused(patient, other_organisation, clerk):
    foreign = cov.payer_create(organisation=other_organisation, actor=None, name="Obcy")
    with pytest.raises(ValidationError) as caught:
        _policy(patient, foreign, clerk)
    assert "payer" in caught.value.error_dict


def test_a_stale_policy_edit_is_refused(patient, nfz, clerk, manager):
    policy = _policy(patient, nfz, clerk)
    data = CoverageData(payer=nfz, member_number="999", valid_from=JAN_1)
    cov.coverage_update(coverage=policy, actor=manager, data=data, expected_version=1)
    with pytest.raises(StaleEdit):
        cov.coverage_update(coverage=policy, actor=clerk, data=data, expected_version=1)


def test_copays_are_kept_per_visit_type(patient, nfz, clerk, consultation):
    data = CoverageData(payer=nfz, member_number="12345671", valid_from=JAN_1)
    policy = cov.coverage_create(client=patient, actor=clerk, data=data, copays={consultation: Decimal("20.00")})
    assert cov.copay_for(policy, consultation) == Decimal("20.00")


def test_card_images_are_checked_by_their_content_and_stored_privately(patient, nfz, clerk, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    data = CoverageData(payer=nfz, member_number="12345671", valid_from=JAN_1)
    fake = SimpleUploadedFile("card.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        cov.coverage_create(client=patient, actor=clerk, data=data, card_front=fake)
    assert caught.value.error_dict["card_front"][0].messages == [
        "This file is not one of the allowed types (JPEG image, PNG image, WebP image); "
        "its contents were checked, not only its name."
    ]
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        cov.coverage_create(client=patient, actor=clerk, data=data, card_front=SimpleUploadedFile("c.png", PNG))
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    policy = cov.coverage_create(
        client=patient, actor=clerk, data=data, card_front=SimpleUploadedFile("Jan Kowalski PESEL.png", PNG)
    )
    assert policy.card_front.name.startswith(f"coverage/{patient.organisation_id}/")
    assert policy.card_front.name.endswith(".png") and "Kowalski" not in policy.card_front.name
    assert (tmp_path / policy.card_front.name).read_bytes() == PNG


# --- the simulated eligibility service -------------------------------------------------------


def _ask(number, slug="clinic"):
    request = eligibility.EligibilityRequest(
        organisation_slug=slug, payer_name="NFZ", payer_code="07", member_number=number, date_of_service=JAN_1
    )
    return eligibility.SimulatedEligibility().check(request)


def test_the_simulated_service_answers_by_member_number_and_always_the_same():
    assert _ask("12345671").result == EligibilityResult.ELIGIBLE
    assert _ask("12345670").result == EligibilityResult.NOT_ELIGIBLE
    assert _ask("12345679").result == EligibilityResult.UNKNOWN
    assert _ask("12345671").reference == _ask("12345671").reference
    with pytest.raises(eligibility.ServiceUnavailable):
        _ask("DOWN-1")


def test_an_outage_is_configured_per_organisation_or_for_everyone(settings):
    settings.DESK_ELIGIBILITY_OUTAGE = "clinic, other"
    with pytest.raises(eligibility.ServiceUnavailable):
        _ask("12345671", slug="clinic")
    assert _ask("12345671", slug="hotel").result == EligibilityResult.ELIGIBLE
    settings.DESK_ELIGIBILITY_OUTAGE = "*"
    with pytest.raises(eligibility.ServiceUnavailable):
        _ask("12345671", slug="hotel")


# --- checks on a visit ------------------------------------------------------------------------


def _visit_on_policy_day(clinic_visit):
    return clinic_visit  # policies below start in 2024 and are open-ended: valid on any visit day


def test_an_eligible_check_is_recorded_and_the_visit_is_covered_with_the_copay(
    clinic_visit, patient, nfz, clerk, consultation
):
    data = CoverageData(payer=nfz, member_number="12345671", valid_from=JAN_1)
    cov.coverage_create(client=patient, actor=clerk, data=data, copays={consultation: Decimal("15.00")})
    check = cov.eligibility_check(visit=clinic_visit, actor=clerk)
    assert check.result == EligibilityResult.ELIGIBLE and check.checked_by == clerk and check.service == "simulated"
    assert check.raw_summary["status"] == "green" and check.copay == Decimal("15.00")
    billing = VisitBilling.objects.get(visit=clinic_visit)
    assert billing.billing == Billing.COVERAGE and billing.copay == Decimal("15.00") and billing.last_check == check


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("12345670", SelfPayReason.NOT_ELIGIBLE),
        ("12345679", SelfPayReason.UNKNOWN),
        ("DOWN77", SelfPayReason.UNAVAILABLE),
    ],
)
def test_a_failed_check_falls_back_to_self_pay_without_raising(clinic_visit, patient, nfz, clerk, number, reason):
    _policy(patient, nfz, clerk, member_number=number)
    check = cov.eligibility_check(visit=clinic_visit, actor=clerk)
    billing = VisitBilling.objects.get(visit=clinic_visit)
    assert billing.billing == Billing.SELF_PAY and billing.self_pay_reason == reason
    assert EligibilityCheck.objects.filter(visit=clinic_visit).get() == check


def test_an_outage_falls_back_to_self_pay_and_a_later_check_restores_coverage(
    clinic_visit, patient, nfz, clerk, settings
):
    _policy(patient, nfz, clerk)
    settings.DESK_ELIGIBILITY_OUTAGE = "*"
    down = cov.eligibility_check(visit=clinic_visit, actor=clerk)
    assert down.result == EligibilityResult.UNAVAILABLE and down.raw_summary == {"error": "ServiceUnavailable"}
    assert VisitBilling.objects.get(visit=clinic_visit).self_pay_reason == SelfPayReason.UNAVAILABLE
    settings.DESK_ELIGIBILITY_OUTAGE = ""
    cov.eligibility_check(visit=clinic_visit, actor=clerk)
    assert VisitBilling.objects.get(visit=clinic_visit).billing == Billing.COVERAGE
    assert EligibilityCheck.objects.filter(visit=clinic_visit).count() == 2


class BrokenService:
    name = "broken"

    def check(self, request):
        raise TimeoutError("no answer in 5 s")


def test_any_failure_of_a_real_adapter_counts_as_unavailable(clinic_visit, patient, nfz, clerk, settings):
    settings.DESK_ELIGIBILITY_ADAPTER = "frontoffice.desk.tests.test_coverage.BrokenService"
    _policy(patient, nfz, clerk)
    check = cov.eligibility_check(visit=clinic_visit, actor=clerk)
    assert check.result == EligibilityResult.UNAVAILABLE and check.service == "broken"


def test_no_policy_on_file_is_recorded_as_self_pay(clinic_visit, clerk):
    check = cov.eligibility_check(visit=clinic_visit, actor=clerk)
    assert check.result == EligibilityResult.NO_COVERAGE and check.coverage is None
    assert VisitBilling.objects.get(visit=clinic_visit).self_pay_reason == SelfPayReason.NO_COVERAGE


def test_an_expired_policy_does_not_cover_the_visit(clinic_visit, patient, nfz, clerk):
    _policy(patient, nfz, clerk, valid_to=date(2024, 1, 31))
    assert cov.eligibility_check(visit=clinic_visit, actor=clerk).result == EligibilityResult.NO_COVERAGE


def test_another_clients_policy_cannot_be_checked_for_the_visit(clinic_visit, spouse, nfz, clerk):
    policy = _policy(spouse, nfz, clerk)
    with pytest.raises(ValidationError):
        cov.eligibility_check(visit=clinic_visit, actor=clerk, coverage=policy)


# --- arrival of a visit whose type requires coverage -------------------------------------------


@pytest.fixture
def nfz_visit(branch, clerk, patient, organisation, manager):
    from django.utils import timezone

    nfz_type = services.visit_type_create(
        organisation=organisation, actor=manager, name="Porada (NFZ)", vertical="clinic", coverage_required=True
    )
    return services.visit_create(
        branch=branch,
        actor=clerk,
        client=patient,
        visit_type=nfz_type,
        data=services.VisitData(scheduled_at=timezone.now() + timedelta(minutes=5)),
    )


def test_arrival_without_coverage_is_not_blocked_but_flagged_self_pay(nfz_visit, clerk):
    visit = services.visit_transition(visit=nfz_visit, to_status=S.ARRIVED, actor=clerk)
    assert visit.status == S.ARRIVED
    billing = VisitBilling.objects.get(visit=visit)
    assert billing.billing == Billing.SELF_PAY and billing.self_pay_reason == SelfPayReason.NO_COVERAGE


def test_arrival_with_a_policy_checks_eligibility_right_after_it_is_saved(
    nfz_visit, patient, nfz, clerk, django_capture_on_commit_callbacks
):
    _policy(patient, nfz, clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_transition(visit=nfz_visit, to_status=S.ARRIVED, actor=clerk)
    assert EligibilityCheck.objects.get(visit=nfz_visit).result == EligibilityResult.ELIGIBLE
    assert VisitBilling.objects.get(visit=nfz_visit).billing == Billing.COVERAGE


def test_arrival_during_an_outage_stays_self_pay_with_the_reason(
    nfz_visit, patient, nfz, clerk, settings, django_capture_on_commit_callbacks
):
    _policy(patient, nfz, clerk)
    settings.DESK_ELIGIBILITY_OUTAGE = "*"
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_transition(visit=nfz_visit, to_status=S.ARRIVED, actor=clerk)
    assert visit.status == S.ARRIVED
    assert VisitBilling.objects.get(visit=nfz_visit).self_pay_reason == SelfPayReason.UNAVAILABLE


def test_a_type_without_the_requirement_leaves_billing_alone(clinic_visit, clerk):
    services.visit_transition(visit=clinic_visit, to_status=S.ARRIVED, actor=clerk)
    assert not VisitBilling.objects.filter(visit=clinic_visit).exists()


def test_merging_clients_moves_their_policies(patient, spouse, nfz, clerk, manager):
    from frontoffice.clients.merging import client_merge

    policy = _policy(spouse, nfz, clerk)
    client_merge(survivor=patient, merged=spouse, actor=manager, field_choices={}, reason="duplikat")
    policy.refresh_from_db()
    assert policy.client_id == patient.pk and policy.subscriber_id == patient.pk
