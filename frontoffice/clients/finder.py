"""The batch duplicate finder: every likely pair of clients in an organisation, without comparing all pairs.

Blocking: each client gets a few keys, and only clients sharing a key are
scored (with ``matching.score_pair``, the same explainable score the clerk
sees). The keys:

- an identifier (kind and normalised value), a phone, an e-mail;
- the date of birth (and it with day and month swapped) with the first letter
  of the given name or of the family name, so typos in one name, swapped
  names and married-name changes still meet;
- the first four letters of the folded family name with the birth year (or,
  without a date of birth, with the first letter of the given name).

A very large block (a switchboard phone shared by hundreds) is not scored
in full: its members are sorted by name and each is compared with its next
``WINDOW`` neighbours (sorted neighbourhood), so the work stays linear.

Rows are streamed with ``values_list(...).iterator()``; each client is
prepared (folded) once, and only if it shares a key with another.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from frontoffice.core.models import Organisation
from frontoffice.core.scoping import scope_for

from .matching import MatchQuery, Reason, score_pair, thresholds_for
from .models import Client, ClientContact, ClientIdentifier, NotDuplicate
from .normalise import canonical_given_name, fold, swapped_day_month

CHUNK = 5000
LARGE_BLOCK = 60  # above this, a block is scored by sorted neighbourhood
WINDOW = 12

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Pair:
    """Two clients that may be the same person; ``client_id_a < client_id_b``."""

    client_id_a: int
    client_id_b: int
    score: float
    reasons: tuple[Reason, ...]

    @property
    def reasons_text(self) -> str:
        return "; ".join(reason.text for reason in self.reasons)


def _active(organisation: Organisation) -> Any:
    return Client.objects.filter(organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True)


def not_duplicate_pairs(organisation: Organisation) -> set[tuple[int, int]]:
    return set(NotDuplicate.objects.filter(organisation=organisation).values_list("client_a_id", "client_b_id"))


def _name_keys(given: str, family: str, birth: date | None) -> list[tuple[Any, ...]]:
    keys: list[tuple[Any, ...]] = []
    letters = {name[:1] for name in (given, family) if name}
    births = [birth, swapped_day_month(birth)] if birth else []
    for day in births:
        if day:
            keys.extend(("b", day, letter) for letter in letters)
    if family:
        keys.append(("f", family[:4], birth.year if birth else given[:1]))
    return keys


def find_duplicate_pairs(*, organisation: Organisation, progress: Progress | None = None) -> Iterator[Pair]:
    """Likely duplicate pairs among the organisation's active clients, at or above the 'possible' score.

    Pairs already marked "not the same person" are skipped. Pairs come in no particular order.
    """
    report = progress or (lambda stage, done, total: None)
    active = _active(organisation)
    total = active.count()
    blocks: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    raw: dict[int, tuple[str, str, str, date | None, str]] = {}
    sort_name: dict[int, str] = {}

    for done, (pk, given, family, second, birth, sex, search_name) in enumerate(
        active.order_by()
        .values_list("pk", "given_name", "family_name", "second_family_name", "date_of_birth", "sex", "search_name")
        .iterator(chunk_size=CHUNK),
        start=1,
    ):
        raw[pk] = (given, family, second, birth, sex)
        sort_name[pk] = search_name
        for key in _name_keys(canonical_given_name(given), fold(family), birth):
            blocks[key].append(pk)
        if family and second:
            for key in _name_keys(canonical_given_name(given), fold(second), birth):
                blocks[key].append(pk)
        if done % CHUNK == 0:
            report("read", done, total)
    report("read", total, total)

    phones: dict[int, set[str]] = defaultdict(set)
    emails: dict[int, set[str]] = defaultdict(set)
    identifiers: dict[int, set[tuple[str, str]]] = defaultdict(set)
    contacts = ClientContact.objects.filter(organisation=organisation, client_id__in=active.values("pk"))
    for client_id, kind, value in contacts.order_by().values_list("client_id", "kind", "value").iterator(CHUNK):
        (phones if kind == "phone" else emails)[client_id].add(value)
        blocks[("c", value)].append(client_id)
    ids = ClientIdentifier.objects.filter(organisation=organisation, client_id__in=active.values("pk"))
    for client_id, kind, value in ids.order_by().values_list("client_id", "kind", "value_normalised").iterator(CHUNK):
        identifiers[client_id].add((kind, value))
        blocks[("i", kind, value)].append(client_id)

    prepared: dict[int, Any] = {}

    def prepare(pk: int) -> Any:
        found = prepared.get(pk)
        if found is None:
            given, family, second, birth, sex = raw[pk]
            found = dataclasses.replace(
                MatchQuery(
                    given_name=given, family_name=family, second_family_name=second, date_of_birth=birth, sex=sex
                ).normalised(),
                # Stored contacts and identifiers are already normalised: no need to parse them again.
                phones=frozenset(phones.get(pk, ())),
                emails=frozenset(emails.get(pk, ())),
                identifiers=frozenset(identifiers.get(pk, ())),
            )
            prepared[pk] = found
        return found

    thresholds = thresholds_for(organisation)
    skip = not_duplicate_pairs(organisation)
    seen: set[int] = set()
    shift = 1 << 32
    block_total = len(blocks)
    for number, members in enumerate(blocks.values(), start=1):
        if number % 20000 == 0:
            report("compare", number, block_total)
        if len(members) < 2:
            continue
        for a, b in _candidate_pairs(members, sort_name):
            code = a * shift + b
            if code in seen or (a, b) in skip:
                continue
            seen.add(code)
            score, reasons = score_pair(prepare(a), prepare(b))
            if score >= thresholds.possible:
                yield Pair(a, b, score, tuple(reasons))
    report("compare", block_total, block_total)


def _candidate_pairs(members: list[int], sort_name: dict[int, str]) -> Iterator[tuple[int, int]]:
    unique = sorted(set(members))
    if len(unique) <= LARGE_BLOCK:
        for index, a in enumerate(unique):
            for b in unique[index + 1 :]:
                yield a, b
        return
    ordered = sorted(unique, key=lambda pk: (sort_name.get(pk, ""), pk))
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 : index + 1 + WINDOW]:
            yield (a, b) if a < b else (b, a)


def pairs_for_clients(*, organisation: Organisation, client_ids: list[int], per_client: int = 3) -> list[Pair]:
    """The best matches of a few clients (those flagged for review), as pairs; fast enough for a page."""
    from .matching import find_matches, query_from_client

    skip = not_duplicate_pairs(organisation)
    pairs: dict[tuple[int, int], Pair] = {}
    clients = _active(organisation).filter(pk__in=client_ids).prefetch_related("contacts", "identifiers")
    for client in clients:
        for match in find_matches(
            organisation=organisation, query=query_from_client(client), limit=per_client, exclude_ids=[client.pk]
        ):
            a, b = sorted((client.pk, match.client.pk))
            if (a, b) not in skip:
                pairs[(a, b)] = Pair(a, b, match.score, tuple(match.reasons))
    return list(pairs.values())


PAGE_SCAN_LIMIT = 3000  # up to this many active clients, the review page runs the whole finder on demand
REVIEW_LIMIT = 100  # clients flagged for review examined per page load


def review_pairs(*, user: Any, limit: int = 200) -> list[Pair]:
    """Pairs for the manager's review page and the API, best first, for the user's organisation.

    Fast enough for a page at any size: the clients flagged for review (imported or created despite
    a probable match) with their best matches, found through the indexed match check; for a small
    organisation also every pair the batch finder proposes. The full list of a large organisation
    comes from ``frontoffice clients duplicates``.
    """
    from .selectors import client_queryset

    clients = client_queryset(user=user)
    organisation_id = scope_for(user).organisation_id
    organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    if organisation is None:
        return []
    flagged = list(clients.filter(needs_review=True).order_by("pk").values_list("pk", flat=True)[:REVIEW_LIMIT])
    pairs = {
        (p.client_id_a, p.client_id_b): p for p in pairs_for_clients(organisation=organisation, client_ids=flagged)
    }
    if clients.count() <= PAGE_SCAN_LIMIT:
        for pair in find_duplicate_pairs(organisation=organisation):
            pairs.setdefault((pair.client_id_a, pair.client_id_b), pair)
    ordered = sorted(pairs.values(), key=lambda pair: (-pair.score, pair.client_id_a, pair.client_id_b))
    return ordered[:limit]
