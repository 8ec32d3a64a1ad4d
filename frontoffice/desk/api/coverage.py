"""Coverage through the API: payers, a client's policies (create idempotent, update versioned),
eligibility checks of a visit (run, list) and registration cards of a stay's guests."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from frontoffice.clients import selectors as client_selectors
from frontoffice.core.apikit import Id, LimitOffsetPagination, current_user, idempotent, requires
from frontoffice.core.audit import log_access
from frontoffice.core.concurrency import StaleEdit

from .. import selectors, selectors_coverage, services_coverage
from .. import services_registration as cards
from ..models import Coverage, RegistrationCard
from ..permissions import DeskPermission
from ..schemas_coverage import (
    CardIn,
    CardOut,
    CardUpdateIn,
    CoverageIn,
    CoverageOut,
    CoverageUpdateIn,
    EligibilityCheckIn,
    EligibilityCheckOut,
    EligibilityRunOut,
    PayerOut,
)
from .refs import client_ref, ref

router = Router(tags=["Desk: coverage and registration cards"])

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm


def _client(user: Any, pk: int) -> Any:
    return client_selectors.client_get(user=user, pk=pk, follow_merges=False)


def _coverage_data(payload: CoverageIn, user: Any) -> tuple[services_coverage.CoverageData, Any]:
    payer = ref("payer_id", selectors_coverage.payer_get, payload.payer_id, user)
    subscriber = client_ref("subscriber_id", payload.subscriber_id, user)
    copays = None
    if payload.copays is not None:
        copays = {
            ref("copays", selectors.visit_type_get, row.visit_type_id, user): row.amount for row in payload.copays
        }
    data = services_coverage.CoverageData(
        payer=payer,
        member_number=payload.member_number,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        order=payload.order,
        relationship=payload.relationship,
        subscriber=subscriber,
        group_number=payload.group_number,
        plan_name=payload.plan_name,
        notes=payload.notes,
    )
    return data, copays


def _coverage(user: Any, pk: int) -> Any:
    found = selectors_coverage.coverage_get(user=user, pk=pk)
    return Coverage.objects.select_related("payer").prefetch_related("copays").get(pk=found.pk)


@router.get("/desk/payers", response=list[PayerOut], summary="List payers")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def payer_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    return selectors_coverage.payer_list(user=current_user(request), include_inactive=include_inactive)


@router.get("/desk/clients/{int:client_id}/coverage", response=list[CoverageOut], summary="List a client's policies")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def coverage_list(request: HttpRequest, client_id: Id) -> Any:
    user = current_user(request)
    client = _client(user, client_id)
    log_access(user=user, target=client, organisation=client.organisation, purpose="coverage", path=request.path)
    return selectors_coverage.coverage_list(user=user, client=client)


@router.post("/desk/clients/{int:client_id}/coverage", response={201: CoverageOut}, summary="Add a policy to a client")
@requires(EDIT)
@idempotent
def coverage_create(request: HttpRequest, client_id: Id, payload: CoverageIn) -> Any:
    """One policy per order at a time (no overlapping dates), dates in order, a `self` subscriber is the client.
    Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    client = _client(user, client_id)
    data, copays = _coverage_data(payload, user)
    coverage = services_coverage.coverage_create(client=client, actor=user, data=data, copays=copays)
    return Status(201, _coverage(user, coverage.pk))


@router.get("/desk/coverage/{int:coverage_id}", response=CoverageOut, summary="Get a policy")
@requires(VIEW)
def coverage_get(request: HttpRequest, coverage_id: Id) -> Any:
    user = current_user(request)
    coverage = selectors_coverage.coverage_get(user=user, pk=coverage_id)
    log_access(user=user, target=coverage, organisation=coverage.organisation, purpose="coverage", path=request.path)
    return _coverage(user, coverage_id)


@router.put("/desk/coverage/{int:coverage_id}", response=CoverageOut, summary="Change a policy")
@requires(EDIT)
def coverage_update(request: HttpRequest, coverage_id: Id, payload: CoverageUpdateIn) -> Any:
    """Replaces the policy's fields. A `version` older than the stored one gives 409."""
    user = current_user(request)
    coverage = selectors_coverage.coverage_get(user=user, pk=coverage_id)
    data, copays = _coverage_data(payload, user)
    services_coverage.coverage_update(
        coverage=coverage, actor=user, data=data, copays=copays, expected_version=payload.version
    )
    return _coverage(user, coverage_id)


@router.get(
    "/desk/visits/{int:visit_id}/eligibility-checks",
    response=list[EligibilityCheckOut],
    summary="List a visit's eligibility checks",
)
@paginate(LimitOffsetPagination)
@requires(VIEW)
def eligibility_check_list(request: HttpRequest, visit_id: Id) -> Any:
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    return selectors_coverage.visit_checks(user=user, visit=visit)


@router.post(
    "/desk/visits/{int:visit_id}/eligibility-checks",
    response={201: EligibilityRunOut},
    summary="Check a visit's eligibility",
)
@requires(EDIT)
@idempotent
def eligibility_check_run(request: HttpRequest, visit_id: Id, payload: EligibilityCheckIn) -> Any:
    """Asks the eligibility service and records the answer. Never fails because of the service: a refusal, an
    unclear answer, no policy or an outage are recorded, and the visit falls back to self-pay (`billing`)."""
    user = current_user(request)
    visit = selectors.visit_get(user=user, pk=visit_id)
    coverage = ref("coverage_id", selectors_coverage.coverage_get, payload.coverage_id, user)
    check = services_coverage.eligibility_check(visit=visit, actor=user, coverage=coverage)
    billing = selectors_coverage.visit_billing(visit=visit)
    assert billing is not None  # a check always sets it
    return Status(
        201,
        {"check": check, "billing": billing.billing, "self_pay_reason": billing.self_pay_reason or None},
    )


def _guest(user: Any, visit_id: int, guest_id: int) -> Any:
    return selectors_coverage.guest_get(user=user, visit_pk=visit_id, guest_pk=guest_id)


def _card_of(guest: Any) -> RegistrationCard:
    card = RegistrationCard.objects.filter(guest=guest).first()
    if card is None:
        raise Http404
    return card


CARD_PATH = "/desk/visits/{int:visit_id}/guests/{int:guest_id}/registration-card"


@router.get(CARD_PATH, response=CardOut, summary="Get a guest's registration card")
@requires(VIEW)
def registration_card_get(request: HttpRequest, visit_id: Id, guest_id: Id) -> Any:
    user = current_user(request)
    card = _card_of(_guest(user, visit_id, guest_id))
    log_access(user=user, target=card, organisation=card.organisation, purpose="registration card", path=request.path)
    return card


def _card_data(payload: CardIn) -> cards.CardData:
    values = payload.dict(exclude={"signature_png", "version"})
    values["document_type"] = values["document_type"] or ""
    return cards.CardData(**values)


@router.post(CARD_PATH, response={201: CardOut}, summary="Fill in a guest's registration card")
@requires(EDIT)
@idempotent
def registration_card_create(request: HttpRequest, visit_id: Id, guest_id: Id, payload: CardIn) -> Any:
    """Required fields depend on the nationality (a foreigner's identity document); the signature is required.
    A guest has one card: a second create gives 409. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    guest = _guest(user, visit_id, guest_id)
    if RegistrationCard.objects.filter(guest=guest).exists():
        raise StaleEdit(_("This guest already has a registration card; change it instead."), code="stale")
    signature = cards.decode_signature(payload.signature_png)
    card = cards.registration_card_save(guest=guest, actor=user, data=_card_data(payload), signature_png=signature)
    return Status(201, card)


@router.put(CARD_PATH, response=CardOut, summary="Change a guest's registration card")
@requires(EDIT)
def registration_card_update(request: HttpRequest, visit_id: Id, guest_id: Id, payload: CardUpdateIn) -> Any:
    user = current_user(request)
    guest = _guest(user, visit_id, guest_id)
    _card_of(guest)
    signature = cards.decode_signature(payload.signature_png)
    return cards.registration_card_save(
        guest=guest, actor=user, data=_card_data(payload), signature_png=signature, expected_version=payload.version
    )
