"""Registering a new client with the duplicate check in front of it.

One function, ``client_register``, serves the registration form and the API:
it runs the same match check the side panel shows, refuses an identifier that
another client already has, asks for a reason before creating a client that
probably exists already, and only then calls ``services.client_create``.
Everything happens in one transaction, so the "create anyway" audit entry
and the ``needs_review`` flag are never written without the client.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from frontoffice.core.audit import audit
from frontoffice.core.models import Branch, Organisation

from .choices import IdentifierKind
from .matching import EXACT, PROBABLE, Match, MatchQuery, find_matches
from .models import Client
from .services import ClientData, client_create
from .validation import pesel_disagreements


class IdentifierTaken(ValidationError):
    """Another client already has one of the identifiers: open that client instead."""

    def __init__(self, matches: list[Match]) -> None:
        self.matches = matches
        existing = matches[0].client
        super().__init__(
            {
                "identifiers": ValidationError(
                    _("Another client already has this identifier: %(name)s (%(number)s).")
                    % {"name": existing.display_name, "number": existing.number},
                    code="unique",
                )
            }
        )


class ProbableMatch(ValidationError):
    """A probable match exists: creating anyway needs an explicit choice and a reason."""

    def __init__(self, matches: list[Match]) -> None:
        self.matches = matches
        super().__init__(
            {
                "create_anyway_reason": ValidationError(
                    _(
                        "This person is probably registered already. Open the existing client, "
                        "or tick “create anyway” and say why this is a different person."
                    ),
                    code="required",
                )
            }
        )


def match_query(data: ClientData) -> MatchQuery:
    """What the duplicate check compares: the names, birth date, sex, contacts and identifiers of ``data``."""
    return MatchQuery(
        given_name=data.given_name,
        family_name=data.family_name or data.company_name,
        second_family_name=data.second_family_name,
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        phones=tuple(phone for phone in data.phones if phone),
        emails=tuple(email for email in data.emails if email),
        identifiers=tuple((identifier.kind, identifier.value) for identifier in data.identifiers if identifier.value),
    )


def check_matches(*, organisation: Organisation, data: ClientData, exclude_ids: Iterable[int] = ()) -> list[Match]:
    """Existing clients that may be the person in ``data``, best first (exact identifier matches lead)."""
    query = match_query(data)
    if not any((query.family_name, query.phones, query.emails, query.identifiers, query.date_of_birth)):
        return []
    return find_matches(organisation=organisation, query=query, exclude_ids=exclude_ids)


def pesel_warnings(data: ClientData) -> list[str]:
    """Where a PESEL in ``data`` contradicts the date of birth or sex typed next to it."""
    warnings: list[str] = []
    for identifier in data.identifiers:
        if identifier.kind == IdentifierKind.PESEL and identifier.value:
            warnings += pesel_disagreements(identifier.value, date_of_birth=data.date_of_birth, sex=data.sex)
    return warnings


@transaction.atomic
def client_register(
    *,
    organisation: Organisation,
    actor: Any,
    data: ClientData,
    branch: Branch | None = None,
    create_anyway: bool = False,
    create_anyway_reason: str = "",
    confirm_pesel_mismatch: bool = False,
) -> Client:
    """Check for duplicates, then register the client.

    Raises ``IdentifierTaken`` when another client has one of the identifiers
    (also when a concurrent registration saved it a moment earlier),
    ``ProbableMatch`` when a probable match exists and no reason was given, and
    a ValidationError on ``confirm_pesel_mismatch`` when a PESEL contradicts the
    date of birth or sex and the clerk has not confirmed the typed data.
    """
    warnings = pesel_warnings(data)
    if warnings and not confirm_pesel_mismatch:
        raise ValidationError({"confirm_pesel_mismatch": [ValidationError(w, code="pesel_mismatch") for w in warnings]})
    matches = check_matches(organisation=organisation, data=data)
    exact = [match for match in matches if match.level == EXACT]
    if exact:
        raise IdentifierTaken(exact)
    probable = [match for match in matches if match.level == PROBABLE]
    reason = create_anyway_reason.strip()
    if probable and not (create_anyway and reason):
        raise ProbableMatch(probable)
    try:
        client = client_create(organisation=organisation, actor=actor, data=data, branch=branch)
    except ValidationError as error:
        # Two clerks saving the same person at once: the identifier's unique constraint let only one
        # through; the other one is shown the client that won.
        if hasattr(error, "error_dict") and "identifiers" in error.error_dict:
            taken = [match for match in check_matches(organisation=organisation, data=data) if match.level == EXACT]
            if taken:
                raise IdentifierTaken(taken) from None
        raise
    if probable:
        client.needs_review = True
        client.save(update_fields=["needs_review"])
        audit(
            actor=actor,
            action="client.create_anyway",
            target=client,
            organisation=organisation,
            branch=branch,
            summary=client.display_name,
            data={
                "candidates": [match.client.pk for match in probable],
                "scores": [match.score for match in probable],
                "reason": reason,
            },
        )
    return client


__all__ = [
    "IdentifierTaken",
    "ProbableMatch",
    "check_matches",
    "client_register",
    "match_query",
    "pesel_warnings",
]
