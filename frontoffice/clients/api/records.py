"""Client records through the API: the match check, create, read, update and consents."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from frontoffice.core.apikit import (
    CONFLICT,
    VALIDATION_ERROR,
    Id,
    Problem,
    current_user,
    django_field_errors,
    idempotent,
    problem,
    requires,
)

from .. import selectors, services
from ..choices import ConsentPurpose
from ..matching import Match
from ..models import Client, Consent
from ..permissions import ClientsPermission
from ..registration import IdentifierTaken, ProbableMatch, check_matches, client_register, pesel_warnings
from ..schemas import (
    CandidateOut,
    ClientCreateIn,
    ClientOut,
    ClientUpdateIn,
    ConsentIn,
    ConsentOut,
    MatchIn,
    MatchOut,
    ReasonOut,
)
from ..services import ClientData, IdentifierData

router = Router(tags=["Clients"])

VIEW = ClientsPermission.VIEW_CLIENTS.perm
EDIT = ClientsPermission.EDIT_CLIENTS.perm


def _organisation(user: Any) -> Any:
    return user.staff.organisation


def _candidates(matches: list[Match]) -> list[CandidateOut]:
    return [
        CandidateOut(
            id=match.client.pk,
            number=match.client.number,
            name=match.client.display_name,
            date_of_birth=match.client.date_of_birth,
            score=match.score,
            level=match.level,
            reasons=[ReasonOut(code=r.code, text=str(r.text), weight=r.weight) for r in match.reasons],
        )
        for match in matches
    ]


def _load(user: Any, pk: int) -> Client:
    """The client with everything ClientOut reads, fetched in a fixed number of queries."""
    return (
        selectors.client_queryset(user=user, include_inactive=True)
        .prefetch_related(
            "contacts", "identifiers", "addresses", Prefetch("consents", Consent.objects.select_related("recorded_by"))
        )
        .get(pk=pk)
    )


def _with_extras(response: HttpResponse, **extras: Any) -> HttpResponse:
    """A problem+json response with extension members (RFC 7807 §3.2)."""
    body = json.loads(response.content)
    body.update(extras)
    response.content = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    return response


@router.post("/clients/match", response=MatchOut, summary="Check for existing clients like this one")
@requires(VIEW)
def client_match(request: HttpRequest, payload: MatchIn) -> Any:
    """The duplicate check of the registration form: existing clients that may be this person, with the score,
    the level and the reasons, plus warnings where a PESEL contradicts the date of birth or sex."""
    data = ClientData(
        given_name=payload.given_name,
        family_name=payload.family_name,
        second_family_name=payload.second_family_name,
        date_of_birth=payload.date_of_birth,
        sex=payload.sex or "",
        phones=list(payload.phones),
        emails=list(payload.emails),
        identifiers=[IdentifierData(kind=i.kind, value=i.value, other_kind=i.other_kind) for i in payload.identifiers],
    )
    matches = check_matches(organisation=_organisation(current_user(request)), data=data)
    return MatchOut(candidates=_candidates(matches), pesel_warnings=pesel_warnings(data))


@router.post(
    "/clients",
    response={201: ClientOut, 409: Problem},
    summary="Register a client",
)
@requires(EDIT)
@idempotent
def client_create(request: HttpRequest, payload: ClientCreateIn) -> Any:
    """Runs the duplicate check first. An identifier another client has gives 409 with that client's id
    (`client_id`). A probable match gives 422 unless `create_anyway` is true and `create_anyway_reason` says why;
    such a client is flagged for duplicate review and the choice is logged. A PESEL that contradicts the date of
    birth or sex gives 422 unless `confirm_pesel_mismatch` is true."""
    user = current_user(request)
    try:
        client = client_register(
            organisation=_organisation(user),
            actor=user,
            data=payload.client_data(),
            create_anyway=payload.create_anyway,
            create_anyway_reason=payload.create_anyway_reason,
            confirm_pesel_mismatch=payload.confirm_pesel_mismatch,
        )
    except IdentifierTaken as error:
        existing = error.matches[0].client
        return _with_extras(
            problem(
                request,
                409,
                type=CONFLICT,
                detail=error.messages[0],
                errors=django_field_errors(error),
            ),
            client_id=existing.pk,
            candidates=[c.model_dump(mode="json") for c in _candidates(error.matches)],
        )
    except ProbableMatch as error:
        return _with_extras(
            problem(
                request,
                422,
                type=VALIDATION_ERROR,
                detail=_("A probable match exists; send create_anyway and create_anyway_reason to register anyway."),
                errors=django_field_errors(error),
            ),
            candidates=[c.model_dump(mode="json") for c in _candidates(error.matches)],
        )
    return Status(201, _load(user, client.pk))


@router.get("/clients/{int:client_id}", response=ClientOut, summary="Get a client")
@requires(VIEW)
def client_get(request: HttpRequest, client_id: Id) -> Any:
    """A merged-away id answers with the surviving client's data and `replaced_by` set to its id."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id)
    loaded = _load(user, client.pk)
    if client.pk != client_id:
        loaded.requested_replaced_by = client.pk  # type: ignore[attr-defined]
    return loaded


@router.put("/clients/{int:client_id}", response=ClientOut, summary="Change a client")
@requires(EDIT)
def client_update(request: HttpRequest, client_id: Id, payload: ClientUpdateIn) -> Any:
    """Replaces the client's details, phones, e-mails, identifiers and addresses. A `version` older than the
    stored one gives 409: someone else changed the client since it was read."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    if not client.is_active_record:
        return problem(request, 409, type=CONFLICT, detail=_("This client was merged or erased and cannot be changed."))
    data = payload.client_data()
    services.client_update(client=client, actor=user, data=data, expected_version=payload.version)
    return _load(user, client.pk)


@router.post("/clients/{int:client_id}/consents", response={201: ConsentOut}, summary="Record a consent")
@requires(EDIT)
@idempotent
def client_consent_give(request: HttpRequest, client_id: Id, payload: ConsentIn) -> Any:
    """An already active consent for the purpose is returned as it is."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    if not client.is_active_record:
        return problem(request, 409, type=CONFLICT, detail=_("This client was merged or erased."))
    consent = services.consent_give(
        client=client, actor=user, purpose=payload.purpose, method=payload.method, note=payload.note
    )
    return Status(201, Consent.objects.select_related("recorded_by").get(pk=consent.pk))


@router.post(
    "/clients/{int:client_id}/consents/{purpose}/withdraw",
    response={200: ConsentOut, 404: Problem},
    summary="Withdraw a consent",
)
@requires(EDIT)
def client_consent_withdraw(request: HttpRequest, client_id: Id, purpose: ConsentPurpose) -> Any:
    """404 when the client has no active consent for the purpose."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    consent = services.consent_withdraw(client=client, actor=user, purpose=purpose)
    if consent is None:
        return problem(request, 404, detail=_("The client has no active consent for this purpose."))
    return Consent.objects.select_related("recorded_by").get(pk=consent.pk)
