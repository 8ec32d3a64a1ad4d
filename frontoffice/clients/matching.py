"""Explainable duplicate matching, Fellegi–Sunter style.

Each field that both records have either agrees, nearly agrees or disagrees,
and adds a weight (roughly log2 of m/u: how much likelier that outcome is for
the same person than for two different people). A missing field adds
nothing. The total is the score; every weight comes with a readable reason,
so the clerk sees *why* a record is proposed ("same PESEL"; "family name
Kowalski ≈ Kowalsky, same date of birth").

The same scoring serves three callers: the side panel while a clerk types
(``find_matches``), the API's match check, and the batch finder
(``score_pair`` over blocked pairs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from rapidfuzz.distance import JaroWinkler

from frontoffice.core.models import Organisation

from .blocking import IDENTIFIER_TAG, Blocks, as_date, candidate_rows
from .models import Client, ClientSettings
from .normalise import (
    canonical_given_name,
    fold,
    normalise_email,
    normalise_identifier,
    normalise_phone,
    swapped_day_month,
)

# Weights: agreement, near agreement, disagreement (see the module docstring).
FAMILY = (7.0, 4.5, -4.0)
# A different given name weighs more than the other disagreements: twins and siblings share the family name,
# and twins the date of birth too; at a million clients such pairs were most of the false "possible" matches.
GIVEN = (5.0, 3.0, -6.0)
BIRTH = (8.0, 4.0, -7.0)
PHONE = (7.0, 0.0, -0.5)
EMAIL = (8.0, 0.0, -0.5)
SEX_DISAGREES = -3.0
IDENTIFIER_AGREES = 25.0
IDENTIFIER_DISAGREES = -12.0
NEAR = 0.90  # Jaro–Winkler similarity that counts as "nearly the same"

EXACT, PROBABLE, POSSIBLE = "exact", "probable", "possible"


@dataclass(frozen=True)
class MatchQuery:
    """What is known about a person: typed into a form, read from an import row, or taken from a client."""

    given_name: str = ""
    family_name: str = ""
    second_family_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (kind, value)

    def normalised(self) -> _Prepared:
        return _Prepared(
            given=canonical_given_name(self.given_name),
            families=tuple(f for f in (fold(self.family_name), fold(self.second_family_name)) if f),
            birth=self.date_of_birth,
            sex=self.sex,
            phones=frozenset(p for p in (_phone(raw) for raw in self.phones) if p),
            emails=frozenset(e for e in (normalise_email(raw) for raw in self.emails) if e),
            identifiers=frozenset((kind, normalise_identifier(value)) for kind, value in self.identifiers if value),
        )


def _phone(raw: str) -> str | None:
    # Stored contacts are E.164 already; parsing them again is most of the scoring time.
    if raw.startswith("+") and raw[1:].isdigit():
        return raw
    return normalise_phone(raw)


@dataclass(frozen=True)
class _Prepared:
    given: str
    families: tuple[str, ...]
    birth: date | None
    sex: str
    phones: frozenset[str]
    emails: frozenset[str]
    identifiers: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Reason:
    code: str  # stable, for the API: "identifier", "family_name", "given_name", "birth_date", "phone", "email", "sex"
    text: str  # translated, for people
    weight: float


@dataclass
class Match:
    client: Client
    score: float
    level: str  # exact, probable or possible
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Thresholds:
    possible: float
    probable: float


def thresholds_for(organisation: Organisation) -> Thresholds:
    # Two columns of one row: through a model instance this was a tenth of a duplicate check's time.
    row = (
        ClientSettings.objects.filter(organisation=organisation)
        .values_list("possible_match_score", "probable_match_score")
        .first()
    )
    if row is None:
        defaults = ClientSettings()
        row = (defaults.possible_match_score, defaults.probable_match_score)
    return Thresholds(possible=row[0], probable=row[1])


def query_from_client(client: Client) -> MatchQuery:
    contacts = list(client.contacts.all())
    return MatchQuery(
        given_name=client.given_name,
        family_name=client.family_name,
        second_family_name=client.second_family_name,
        date_of_birth=client.date_of_birth,
        sex=client.sex,
        phones=tuple(c.value for c in contacts if c.kind == "phone"),
        emails=tuple(c.value for c in contacts if c.kind == "email"),
        identifiers=tuple((i.kind, i.value_normalised) for i in client.identifiers.all()),
    )


def _similar(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b) if a and b else 0.0


def _best_family(a: _Prepared, b: _Prepared) -> tuple[float, str, str]:
    best = (0.0, "", "")
    for left in a.families:
        for right in b.families:
            similarity = _similar(left, right)
            if similarity > best[0]:
                best = (similarity, left, right)
    return best


def score_pair(a: MatchQuery | _Prepared, b: MatchQuery | _Prepared) -> tuple[float, list[Reason]]:
    """The match score of two records and the reasons, strongest first. Pure: no database."""
    left = a.normalised() if isinstance(a, MatchQuery) else a
    right = b.normalised() if isinstance(b, MatchQuery) else b
    reasons: list[Reason] = []

    shared_ids = left.identifiers & right.identifiers
    if shared_ids:
        kind, _value = sorted(shared_ids)[0]
        reasons.append(Reason("identifier", _("same %(kind)s") % {"kind": _identifier_label(kind)}, IDENTIFIER_AGREES))
    else:
        left_kinds = {kind: value for kind, value in left.identifiers}
        for kind, value in right.identifiers:
            if kind in left_kinds and left_kinds[kind] != value and kind != "other":
                reasons.append(
                    Reason(
                        "identifier", _("different %(kind)s") % {"kind": _identifier_label(kind)}, IDENTIFIER_DISAGREES
                    )
                )
                break

    _score_names(left, right, reasons)
    _score_birth(left, right, reasons)
    _score_set("phone", left.phones, right.phones, PHONE, _("same phone"), _("different phones"), reasons)
    _score_set("email", left.emails, right.emails, EMAIL, _("same e-mail"), _("different e-mails"), reasons)
    if left.sex and right.sex and left.sex != right.sex:
        reasons.append(Reason("sex", _("different sex"), SEX_DISAGREES))
    reasons.sort(key=lambda reason: -abs(reason.weight))
    return round(sum(reason.weight for reason in reasons), 2), reasons


def _score_names(left: _Prepared, right: _Prepared, reasons: list[Reason]) -> None:
    family_similarity, family_a, family_b = _best_family(left, right)
    given_similarity = _similar(left.given, right.given)
    # Given and family names typed the other way round.
    left_family = left.families[0] if left.families else ""
    right_family = right.families[0] if right.families else ""
    swapped = min(_similar(left.given, right_family), _similar(left_family, right.given))
    if swapped >= NEAR and swapped > max(family_similarity, given_similarity) and left.given != left_family:
        reasons.append(Reason("family_name", _("given and family names swapped"), FAMILY[0] + GIVEN[1]))
        return
    if left.families and right.families:
        if family_similarity == 1.0:
            reasons.append(Reason("family_name", _("same family name"), FAMILY[0]))
        elif family_similarity >= NEAR:
            reasons.append(
                Reason("family_name", _("family name %(a)s ≈ %(b)s") % {"a": family_a, "b": family_b}, FAMILY[1])
            )
        else:
            reasons.append(Reason("family_name", _("different family names"), FAMILY[2]))
    if left.given and right.given:
        if given_similarity == 1.0:
            reasons.append(Reason("given_name", _("same given name"), GIVEN[0]))
        elif given_similarity >= NEAR:
            reasons.append(
                Reason("given_name", _("given name %(a)s ≈ %(b)s") % {"a": left.given, "b": right.given}, GIVEN[1])
            )
        else:
            reasons.append(Reason("given_name", _("different given names"), GIVEN[2]))


def _score_birth(left: _Prepared, right: _Prepared, reasons: list[Reason]) -> None:
    if not (left.birth and right.birth):
        return
    if left.birth == right.birth:
        reasons.append(Reason("birth_date", _("same date of birth"), BIRTH[0]))
    elif swapped_day_month(left.birth) == right.birth:
        reasons.append(Reason("birth_date", _("date of birth with day and month swapped"), BIRTH[1]))
    elif _one_digit_apart(left.birth, right.birth):
        reasons.append(Reason("birth_date", _("date of birth differs by one digit"), BIRTH[1]))
    else:
        reasons.append(Reason("birth_date", _("different date of birth"), BIRTH[2]))


def _one_digit_apart(a: date, b: date) -> bool:
    text_a, text_b = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(1 for x, y in zip(text_a, text_b, strict=True) if x != y) == 1


def _score_set(
    code: str,
    left: frozenset[str],
    right: frozenset[str],
    weights: tuple[float, float, float],
    agree: str,
    disagree: str,
    reasons: list[Reason],
) -> None:
    if not (left and right):
        return
    if left & right:
        reasons.append(Reason(code, agree, weights[0]))
    else:
        reasons.append(Reason(code, disagree, weights[2]))


def _identifier_label(kind: str) -> str:
    from .choices import IdentifierKind

    try:
        return str(IdentifierKind(kind).label)
    except ValueError:
        return kind


def level_of(score: float, reasons: Iterable[Reason], thresholds: Thresholds) -> str | None:
    if any(reason.code == "identifier" and reason.weight > 0 for reason in reasons):
        return EXACT
    if score >= thresholds.probable:
        return PROBABLE
    if score >= thresholds.possible:
        return POSSIBLE
    return None


# A candidate found only by its name, whose date of birth is neither the same, nor swapped, nor one digit
# apart, scores at most this much (names agreeing, birth date disagreeing) unless an identifier, phone or
# e-mail agrees too, and those are blocked on separately. While the "possible" threshold is above it, the
# name blocking can leave such candidates out in the database, which keeps common names cheap.
NAME_ONLY_WITH_OTHER_BIRTH = FAMILY[0] + GIVEN[0] + BIRTH[2]


def candidate_ids(
    *, organisation: Organisation, query: MatchQuery, limit: int = 300, thresholds: Thresholds | None = None
) -> set[int]:
    """Blocking (``blocking.Blocks``): clients sharing an identifier, a phone, an e-mail, the date of birth (or
    it with day and month swapped), or a family-name fragment. Only these are scored. One query."""
    prepared = query.normalised()
    blocks = Blocks(organisation.pk, limit)
    blocks.identifiers(prepared.identifiers)
    blocks.contacts(prepared.phones, prepared.emails)
    narrow = None
    if prepared.birth:
        blocks.births(prepared.birth)
        if (thresholds or thresholds_for(organisation)).possible > NAME_ONLY_WITH_OTHER_BIRTH:
            narrow = prepared.birth
    for family in prepared.families:
        blocks.names(family, prepared.given, narrow_birth=narrow, typo_in_start=prepared.birth is None)
    return blocks.ids()


def find_matches(
    *, organisation: Organisation, query: MatchQuery, limit: int = 5, exclude_ids: Iterable[int] = ()
) -> list[Match]:
    """Existing clients that may be the person described by ``query``, best first, with reasons."""
    thresholds = thresholds_for(organisation)
    ids = candidate_ids(organisation=organisation, query=query, thresholds=thresholds) - set(exclude_ids)
    if not ids:
        return []
    prepared = query.normalised()
    scored = []
    for pk, candidate in _prepared_candidates(ids).items():
        score, reasons = score_pair(prepared, candidate)
        level = level_of(score, reasons, thresholds)
        if level is not None:
            scored.append((pk, score, level, reasons))
    scored.sort(key=lambda row: (row[2] != EXACT, -row[1], row[0]))
    scored = scored[:limit]
    clients = Client.objects.in_bulk([row[0] for row in scored])
    return [Match(clients[pk], score, level, reasons) for pk, score, level, reasons in scored]


def _prepared_candidates(ids: set[int]) -> dict[int, _Prepared]:
    """The candidates as the scorer reads them, from one query (``blocking.candidate_rows``): building model
    instances with prefetched contacts and identifiers for every candidate was most of a check's time."""
    people: dict[int, tuple[Any, ...]] = {}
    phones: dict[int, set[str]] = {}
    emails: dict[int, set[str]] = {}
    identifiers: dict[int, set[tuple[str, str]]] = {}
    for pk, kind, *values in candidate_rows(ids):
        if kind is None:
            people[pk] = tuple(values)
        elif kind.startswith(IDENTIFIER_TAG):
            identifiers.setdefault(pk, set()).add((kind.removeprefix(IDENTIFIER_TAG), values[0]))
        else:
            (phones if kind == "phone" else emails).setdefault(pk, set()).add(values[0])
    return {
        pk: _Prepared(
            given=canonical_given_name(given),
            families=tuple(folded for folded in (fold(family), fold(second)) if folded),
            birth=as_date(birth),
            sex=sex,
            phones=frozenset(value for value in (_phone(raw) for raw in phones.get(pk, ())) if value),
            emails=frozenset(value for value in (normalise_email(raw) for raw in emails.get(pk, ())) if value),
            identifiers=frozenset(identifiers.get(pk, ())),
        )
        for pk, (given, family, second, birth, sex) in people.items()
    }
