"""Every write of the coverage area: payers, policies, eligibility checks, how a visit is paid.

Rules of a policy (``coverage_create`` / ``coverage_update``), each refused with a message:

- the payer is an active payer of the client's organisation;
- dates make sense: the end is not before the start, and neither is absurd;
- one open policy per order: two policies of the same order (primary, secondary) of one
  client may not overlap in time (an open-ended policy overlaps everything after its start);
  end the old one first;
- a self-subscriber is the client; any other relationship names another client
  (chosen with the read-back picker) as the subscriber.

An eligibility check (``eligibility_check``) never blocks the clerk: whatever the service
answers, or if it is down, the check is recorded and the visit is marked as covered or as
self-pay (with the reason) on ``VisitBilling``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.files import IMAGE_TYPES, delete_on_commit, validate_upload
from frontoffice.core.models import Organisation

from . import eligibility as adapters
from . import workflow
from .choices_coverage import Billing, CoverageOrder, EligibilityResult, PayerKind, SelfPayReason
from .choices_coverage import SubscriberRelationship as Rel
from .models import Coverage, CoverageCopay, EligibilityCheck, Payer, Visit, VisitBilling, VisitType

logger = logging.getLogger(__name__)

PAYER_FIELDS = ("name", "kind", "code", "phone", "notes", "is_active")
EARLIEST = date(1900, 1, 1)
MAX_YEARS_AHEAD = 100


# --- payers -----------------------------------------------------------------------------------


@transaction.atomic
def payer_create(
    *,
    organisation: Organisation,
    actor: Any,
    name: str,
    kind: str = PayerKind.PRIVATE_INSURER,
    code: str = "",
    phone: str = "",
    notes: str = "",
    is_active: bool = True,
) -> Payer:
    payer = Payer(
        organisation=organisation,
        name=name.strip(),
        kind=kind,
        code=code.strip(),
        phone=phone.strip(),
        notes=notes,
        is_active=is_active,
        updated_by=signed_in_user(actor),
    )
    payer.full_clean()
    payer.save()
    audit(actor=actor, action="payer.create", target=payer, organisation=organisation, summary=payer.name)
    return payer


@transaction.atomic
def payer_update(*, payer: Payer, actor: Any, expected_version: int | None, **changes: Any) -> Payer:
    unknown = set(changes) - set(PAYER_FIELDS)
    if unknown:
        raise TypeError(f"payer_update() got unknown fields: {sorted(unknown)}")
    payer = Payer.objects.select_for_update().get(pk=payer.pk)
    check_version(payer, expected_version)
    for name in ("name", "code", "phone"):
        if name in changes:
            changes[name] = changes[name].strip()
    changed = [name for name, value in changes.items() if getattr(payer, name) != value]
    for name, value in changes.items():
        setattr(payer, name, value)
    bump_version(payer, user=actor)
    payer.full_clean()
    payer.save()
    audit(
        actor=actor,
        action="payer.update",
        target=payer,
        organisation=payer.organisation,
        summary=payer.name,
        data={"changed": changed},
    )
    return payer


# --- policies ---------------------------------------------------------------------------------


@dataclass
class CoverageData:
    """What the clerk fills in on a policy. ``subscriber`` None with relationship ``self``: the client."""

    payer: Payer
    member_number: str
    valid_from: date
    valid_to: date | None = None
    order: str = CoverageOrder.PRIMARY
    relationship: str = Rel.SELF
    subscriber: Client | None = None
    group_number: str = ""
    plan_name: str = ""
    notes: str = ""


COVERAGE_FIELDS = tuple(item.name for item in fields(CoverageData))


def _apply_coverage(coverage: Coverage, data: CoverageData) -> None:
    for name in COVERAGE_FIELDS:
        value = getattr(data, name)
        setattr(coverage, name, value.strip() if isinstance(value, str) and name != "notes" else value)
    if coverage.relationship == Rel.SELF and data.subscriber is None:
        coverage.subscriber = coverage.client


def _validate_coverage(coverage: Coverage) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    client = coverage.client
    if coverage.payer.organisation_id != client.organisation_id:
        add("payer", _("Choose a payer of this organisation."))
    elif not coverage.payer.is_active and "payer" in _changed_fields(coverage):
        add("payer", _("This payer is no longer in use."))
    if not client.is_active_record:
        add("client", _("This client was merged or erased; choose the current record."))
    if not coverage.member_number:
        add("member_number", _("Enter the member or policy number."))
    subscriber = coverage.subscriber if coverage.subscriber_id is not None else None
    if coverage.relationship == Rel.SELF:
        if subscriber is not None and subscriber.pk != client.pk:
            add(
                "subscriber",
                _("With the relationship “self” the subscriber is the client; choose another relationship."),
            )
    elif subscriber is None:
        add("subscriber", _("Choose the subscriber who holds the policy."))
    elif subscriber.pk == client.pk:
        add("relationship", _("The client holds this policy themselves: choose the relationship “self”."))
    elif subscriber.organisation_id != client.organisation_id or not subscriber.is_active_record:
        add("subscriber", _("Choose a current client of this organisation as the subscriber."))
    _validate_dates(coverage, add)
    if errors:
        raise ValidationError(errors)


def _changed_fields(coverage: Coverage) -> set[str]:
    if coverage.pk is None:
        return {"payer"}
    stored = Coverage.objects.filter(pk=coverage.pk).values("payer_id").first()
    return {"payer"} if stored and stored["payer_id"] != coverage.payer_id else set()


def _validate_dates(coverage: Coverage, add: Any) -> None:
    latest = timezone.localdate() + timedelta(days=365 * MAX_YEARS_AHEAD)
    start, end = coverage.valid_from, coverage.valid_to
    if start is None:
        add("valid_from", _("Enter the date the policy starts."))
        return
    if not EARLIEST <= start <= latest:
        add("valid_from", _("This start date is not plausible."))
        return
    if end is not None and end < start:
        add("valid_to", _("The end date cannot be before the start date."))
        return
    if end is not None and end > latest:
        add("valid_to", _("This end date is not plausible."))
        return
    overlapping = Coverage.objects.filter(client=coverage.client, order=coverage.order).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    if end is not None:
        overlapping = overlapping.filter(valid_from__lte=end)
    if coverage.pk is not None:
        overlapping = overlapping.exclude(pk=coverage.pk)
    clash = overlapping.select_related("payer").order_by("valid_from").first()
    if clash is not None:
        params = {
            "order": CoverageOrder(coverage.order).label.lower(),
            "payer": clash.payer.name,
            "number": clash.member_number,
            "start": clash.valid_from.isoformat(),
            "end": clash.valid_to.isoformat() if clash.valid_to else _("open-ended"),
        }
        add(
            "valid_from",
            _(
                "The client already has a %(order)s policy for these dates (%(payer)s %(number)s, "
                "%(start)s – %(end)s). One policy per order at a time: end that one first."
            )
            % params,
        )


def _lock_client(client: Client) -> Client:
    """Serialises policy writes per client, so two clerks cannot both add an open primary policy."""
    return Client.objects.select_for_update().get(pk=client.pk)


def _store_cards(coverage: Coverage, card_front: UploadedFile | None, card_back: UploadedFile | None) -> list[str]:
    stored = []
    for name, upload in (("card_front", card_front), ("card_back", card_back)):
        if upload is None:
            continue
        try:
            kind = validate_upload(upload, allowed=IMAGE_TYPES)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from None
        upload.name = f"card{kind.extension}"
        old = getattr(coverage, name)
        if old:
            # The replaced image goes once the new one is saved for good; a rollback keeps it.
            delete_on_commit(old.storage, [old.name])
        getattr(coverage, name).save(upload.name, upload, save=False)
        stored.append(name)
    return stored


def _set_copays(coverage: Coverage, copays: dict[VisitType, Decimal] | None) -> None:
    if copays is None:
        return
    errors = []
    for visit_type, amount in copays.items():
        if visit_type.organisation_id != coverage.organisation_id:
            errors.append(_("Choose visit types of this organisation."))
        if amount is not None and amount < 0:
            errors.append(_("A copay cannot be negative."))
    if errors:
        raise ValidationError({"copays": sorted(set(errors))})
    coverage.copays.all().delete()
    CoverageCopay.objects.bulk_create(
        [
            CoverageCopay(coverage=coverage, visit_type=visit_type, amount=amount)
            for visit_type, amount in copays.items()
            if amount is not None
        ]
    )


@transaction.atomic
def coverage_create(
    *,
    client: Client,
    actor: Any,
    data: CoverageData,
    copays: dict[VisitType, Decimal] | None = None,
    card_front: UploadedFile | None = None,
    card_back: UploadedFile | None = None,
) -> Coverage:
    """Add a policy to the client (see the module's rules)."""
    client = _lock_client(client)
    coverage = Coverage(organisation_id=client.organisation_id, client=client, updated_by=signed_in_user(actor))
    _apply_coverage(coverage, data)
    _validate_coverage(coverage)
    coverage.full_clean(exclude=["card_front", "card_back"])
    cards = _store_cards(coverage, card_front, card_back)
    coverage.save()
    _set_copays(coverage, copays)
    audit(
        actor=actor,
        action="coverage.create",
        target=coverage,
        organisation=coverage.organisation,
        summary=f"{client.number}: {coverage.payer.name} ({coverage.get_order_display()})",
        data={"client": client.pk, "payer": coverage.payer_id, "cards": cards},
    )
    return coverage


@transaction.atomic
def coverage_update(
    *,
    coverage: Coverage,
    actor: Any,
    data: CoverageData,
    expected_version: int | None,
    copays: dict[VisitType, Decimal] | None = None,
    card_front: UploadedFile | None = None,
    card_back: UploadedFile | None = None,
) -> Coverage:
    """Change a policy; a stale version is refused ("changed by X at T"). ``copays`` None: unchanged."""
    _lock_client(coverage.client)
    coverage = Coverage.objects.select_for_update(of=("self",)).select_related("client", "payer").get(pk=coverage.pk)
    check_version(coverage, expected_version)
    before = {name: getattr(coverage, name) for name in COVERAGE_FIELDS}
    _apply_coverage(coverage, data)
    _validate_coverage(coverage)
    coverage.full_clean(exclude=["card_front", "card_back"])
    cards = _store_cards(coverage, card_front, card_back)
    bump_version(coverage, user=actor)
    coverage.save()
    _set_copays(coverage, copays)
    changed = [name for name in COVERAGE_FIELDS if before[name] != getattr(coverage, name)]
    audit(
        actor=actor,
        action="coverage.update",
        target=coverage,
        organisation=coverage.organisation,
        summary=f"{coverage.client.number}: {coverage.payer.name} ({coverage.get_order_display()})",
        data={"changed": changed, "cards": cards},
    )
    return coverage


# --- which policy applies ---------------------------------------------------------------------


def coverage_on(client: Client, day: date, order: str = CoverageOrder.PRIMARY) -> Coverage | None:
    """The client's policy of ``order`` valid on ``day``, if any."""
    return (
        Coverage.objects.filter(client=client, order=order, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("payer")
        .order_by("-valid_from")
        .first()
    )


def visit_day(visit: Visit) -> date:
    from zoneinfo import ZoneInfo

    if visit.arrival_date is not None:
        return visit.arrival_date
    return timezone.localdate(visit.scheduled_at, ZoneInfo(visit.branch.time_zone))


def copay_for(coverage: Coverage, visit_type: VisitType) -> Decimal | None:
    row = coverage.copays.filter(visit_type=visit_type).first()
    return row.amount if row is not None else None


# --- eligibility ------------------------------------------------------------------------------

_SELF_PAY_REASON = {
    EligibilityResult.NOT_ELIGIBLE: SelfPayReason.NOT_ELIGIBLE,
    EligibilityResult.UNKNOWN: SelfPayReason.UNKNOWN,
    EligibilityResult.UNAVAILABLE: SelfPayReason.UNAVAILABLE,
    EligibilityResult.NO_COVERAGE: SelfPayReason.NO_COVERAGE,
}


def eligibility_check(*, visit: Visit, actor: Any, coverage: Coverage | None = None) -> EligibilityCheck:
    """Ask the eligibility service about the visit's coverage, record the answer, and set how the visit is paid.

    Never raises because of the service: no policy, a refusal, an unclear answer and an
    outage are all recorded, and the visit falls back to self-pay with the reason. The
    service is asked outside any transaction of ours, so a slow service holds no locks.
    """
    if coverage is not None and coverage.client_id != visit.client_id:
        raise ValidationError({"coverage": _("This policy belongs to another client.")})
    day = visit_day(visit)
    coverage = coverage or coverage_on(visit.client, day)
    service = adapters.adapter()
    copay: Decimal | None = None
    result: str
    message: str
    reference, raw = "", {}
    if coverage is None:
        result, message = EligibilityResult.NO_COVERAGE, _("No policy valid on %(day)s.") % {"day": day.isoformat()}
    else:
        policy_copay = copay_for(coverage, visit.visit_type)
        request = adapters.EligibilityRequest(
            organisation_slug=visit.organisation.slug,
            payer_name=coverage.payer.name,
            payer_code=coverage.payer.code,
            member_number=coverage.member_number,
            date_of_service=day,
            given_name=visit.client.given_name,
            family_name=visit.client.family_name,
            date_of_birth=visit.client.date_of_birth,
            visit_type_name=visit.visit_type.name,
            policy_copay=policy_copay,
        )
        try:
            answer = service.check(request)
        except Exception as error:  # any failure of the service means "unavailable", never a 500
            logger.warning("eligibility service %s failed: %s", service.name, error.__class__.__name__)
            result, message = EligibilityResult.UNAVAILABLE, _("The eligibility service did not answer.")
            raw = {"error": error.__class__.__name__}
        else:
            result, message, reference, raw = answer.result, answer.message, answer.reference, dict(answer.raw)
            if result not in EligibilityResult.values or result in (
                EligibilityResult.NO_COVERAGE,
                EligibilityResult.UNAVAILABLE,
            ):
                result, raw = EligibilityResult.UNKNOWN, {**raw, "unexpected_result": str(answer.result)[:40]}
            copay = answer.copay if answer.copay is not None else policy_copay
    return _record_check(
        visit=visit,
        actor=actor,
        coverage=coverage,
        service=service.name,
        result=result,
        message=message,
        copay=copay if result == EligibilityResult.ELIGIBLE else None,
        reference=reference,
        raw=raw,
    )


@transaction.atomic
def _record_check(
    *,
    visit: Visit,
    actor: Any,
    coverage: Coverage | None,
    service: str,
    result: str,
    message: str,
    copay: Decimal | None,
    reference: str,
    raw: dict[str, Any],
) -> EligibilityCheck:
    check = EligibilityCheck.objects.create(
        organisation_id=visit.organisation_id,
        branch_id=visit.branch_id,
        client_id=visit.client_id,
        coverage=coverage,
        visit=visit,
        checked_at=timezone.now(),
        checked_by=signed_in_user(actor),
        service=service[:60],
        result=result,
        message=str(message)[:300],
        copay=copay,
        reference=reference[:80],
        raw_summary=raw,
    )
    if result == EligibilityResult.ELIGIBLE:
        _set_billing(visit, actor, Billing.COVERAGE, "", coverage=coverage, copay=copay, check=check)
    else:
        _set_billing(visit, actor, Billing.SELF_PAY, _SELF_PAY_REASON[EligibilityResult(result)], check=check)
    audit(
        actor=actor,
        action="visit.eligibility_check",
        target=visit,
        organisation=visit.organisation,
        branch=visit.branch,
        summary=f"{visit.number}: {EligibilityResult(result).label}",
        data={"check": check.pk, "result": result, "coverage": coverage.pk if coverage else None},
    )
    return check


def _set_billing(
    visit: Visit,
    actor: Any,
    billing: str,
    reason: str,
    *,
    coverage: Coverage | None = None,
    copay: Decimal | None = None,
    check: EligibilityCheck | None = None,
) -> VisitBilling:
    row = VisitBilling.objects.select_for_update().filter(visit=visit).first()
    if row is None:
        row = VisitBilling(visit=visit, updated_by=signed_in_user(actor))
    else:
        bump_version(row, user=actor)
    row.billing, row.self_pay_reason, row.coverage, row.copay = billing, reason, coverage, copay
    if check is not None:
        row.last_check = check
    row.save()
    return row


def visit_self_pay(*, visit: Visit, actor: Any, reason: str) -> VisitBilling:
    """Mark the visit as self-pay (e.g. the client chooses to pay themselves)."""
    with transaction.atomic():
        return _set_billing(visit, actor, Billing.SELF_PAY, reason)


# --- arrival: "coverage required" -------------------------------------------------------------


def coverage_on_arrival(visit: Visit, to_status: str, actor: Any) -> None:
    """After a clinic arrival: a visit type that requires coverage, not yet confirmed, becomes self-pay (flagged).

    Chosen over refusing the arrival: the patient is at the desk and the clerk must be able
    to check them in; the flag tells everyone that payment is open, and a later successful
    eligibility check turns the visit back to coverage. When the client has a policy on
    file the check is run right after the arrival is saved (``on_commit``), so in the usual
    case the flag clears itself.
    """
    if not visit.visit_type.coverage_required:
        return
    current = VisitBilling.objects.filter(visit=visit).first()
    if current is not None and current.billing == Billing.COVERAGE:
        return
    policy = coverage_on(visit.client, visit_day(visit))
    reason = SelfPayReason.NOT_CHECKED if policy is not None else SelfPayReason.NO_COVERAGE
    if current is None or current.self_pay_reason in ("", SelfPayReason.NOT_CHECKED, SelfPayReason.NO_COVERAGE):
        _set_billing(visit, actor, Billing.SELF_PAY, reason)
    if policy is not None:
        visit_pk = visit.pk
        transaction.on_commit(lambda: _check_after_arrival(visit_pk, actor))


def _check_after_arrival(visit_pk: int, actor: Any) -> None:
    visit = Visit.objects.select_related("organisation", "branch", "client", "visit_type").get(pk=visit_pk)
    try:
        eligibility_check(visit=visit, actor=actor)
    except Exception:  # the arrival is saved already; the flag stays and the clerk can check by hand
        logger.exception("eligibility check after arrival of visit %s failed", visit_pk)


def register_rules() -> None:
    from frontoffice.core.choices import BusinessKind

    from .choices import VisitStatus

    workflow.register_after(coverage_on_arrival, to_status=VisitStatus.ARRIVED, vertical=BusinessKind.CLINIC)
