"""The eligibility check adapter: the interface a real service (e.g. NFZ's eWUŚ) implements,
and a simulated local implementation for development, demos and tests.

The adapter is chosen by the setting ``DESK_ELIGIBILITY_ADAPTER`` (a dotted path to a class;
default ``frontoffice.desk.eligibility.SimulatedEligibility``). ``services_coverage`` calls
``adapter().check(request)`` outside any transaction and records every answer; an adapter
that raises (``ServiceUnavailable`` or anything else) counts as "service unavailable", and
the visit falls back to self-pay, so a broken service never blocks the clerk.

The simulated service answers from the member number alone, so the same number always gets
the same answer:

==========================================  ============================================
member number                                answer
==========================================  ============================================
ends in ``0``                                not eligible ("policy not active")
ends in ``9``                                no clear answer (the payer cannot tell)
contains ``DOWN``                            service unavailable (raises)
anything else                                eligible; copay = the policy's copay for the
                                             visit type, if any
==========================================  ============================================

Outages are configured with ``DESK_ELIGIBILITY_OUTAGE``: ``"*"`` takes the simulated service
down for everyone, or a comma-separated list of organisation short names (slugs) for just
those (environment variable ``FRONTOFFICE_DESK_ELIGIBILITY_OUTAGE``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .choices_coverage import EligibilityResult

DEFAULT_ADAPTER = "frontoffice.desk.eligibility.SimulatedEligibility"


class ServiceUnavailable(Exception):
    """The eligibility service could not be reached or did not answer in time."""


@dataclass(frozen=True)
class EligibilityRequest:
    organisation_slug: str
    payer_name: str
    payer_code: str
    member_number: str
    date_of_service: date
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    visit_type_name: str = ""
    policy_copay: Decimal | None = None  # the policy's copay for the visit type, if the desk knows one


@dataclass(frozen=True)
class EligibilityResponse:
    result: str  # an EligibilityResult value (not NO_COVERAGE / UNAVAILABLE: those the desk decides)
    message: str = ""
    copay: Decimal | None = None
    reference: str = ""
    raw: dict[str, Any] = field(default_factory=dict)  # a short summary, stored with the check


class EligibilityService(Protocol):
    """What a real eligibility service implements. ``name`` is recorded with every check."""

    name: str

    def check(self, request: EligibilityRequest) -> EligibilityResponse:
        """Answer for one member on one day; raise ``ServiceUnavailable`` when the service cannot answer."""
        ...


def outage_for(organisation_slug: str) -> bool:
    configured = getattr(settings, "DESK_ELIGIBILITY_OUTAGE", "") or ""
    names = {part.strip() for part in str(configured).split(",") if part.strip()}
    return "*" in names or organisation_slug in names


class SimulatedEligibility:
    """Deterministic answers by member number; outages from the settings. Sends nothing anywhere."""

    name = "simulated"

    def check(self, request: EligibilityRequest) -> EligibilityResponse:
        number = request.member_number.strip().upper()
        if outage_for(request.organisation_slug) or "DOWN" in number:
            raise ServiceUnavailable("simulated outage")
        reference = "SIM-" + hashlib.sha256(f"{number}|{request.date_of_service}".encode()).hexdigest()[:10].upper()
        raw = {"member_tail": number[-4:], "date": request.date_of_service.isoformat()}
        if number.endswith("0"):
            return EligibilityResponse(
                EligibilityResult.NOT_ELIGIBLE, "policy not active", reference=reference, raw={**raw, "status": "red"}
            )
        if number.endswith("9"):
            return EligibilityResponse(
                EligibilityResult.UNKNOWN, "payer cannot confirm", reference=reference, raw={**raw, "status": "grey"}
            )
        return EligibilityResponse(
            EligibilityResult.ELIGIBLE,
            "insured",
            copay=request.policy_copay,
            reference=reference,
            raw={**raw, "status": "green"},
        )


def adapter() -> EligibilityService:
    path = getattr(settings, "DESK_ELIGIBILITY_ADAPTER", "") or DEFAULT_ADAPTER
    service: EligibilityService = import_string(path)()
    return service
