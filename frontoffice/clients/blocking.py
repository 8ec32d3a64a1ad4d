"""The duplicate check's two reads, written as SQL: which clients to score (blocking) and what is scored.

Built through the ORM, the check spent more time in Python composing these statements (a dozen querysets
with their lookups, compiled one by one) than the database spent answering them: at a million clients,
about half of a 20 ms check. The statements are the ones the ORM made, written once; every value is a
parameter. Each read is one round trip: the blocks are one ``UNION ALL`` of subqueries that keep their own
``LIMIT``, and the candidates' names, contacts and identifiers come back as one ``UNION ALL`` of three
shapes padded to the same columns.

Blocks (a client is scored when it is in any):

- an identifier of the same kind and value, a phone or an e-mail (the (organisation, kind, value) indexes);
- the same date of birth, or it with day and month swapped;
- a family-name fragment with the given name's first letters, through the trigram index (FTS5 on SQLite,
  ``pg_trgm`` on PostgreSQL): the whole family name, or for six letters and more its first four letters or
  the rest (``_rest``), so that one typo still finds the person; anywhere in the name, so swapped names do
  too. With ``narrow_birth``, only clients whose date of birth is unknown, in the same year, or on the same
  day and month (see ``matching.candidate_ids``).

When the date of birth is known, the check leaves out the rest's block: a typo in the first four letters
with the same date of birth is found by the birth block, and the rest's fragment is what costs (the common
endings: "iewicz" is in 27,000 names of a million, and the trigram index reads every one of them, 14 ms on
SQLite). What it leaves unfound is a typo in the first four letters together with a different date of birth.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection

from .models import Client, ClientContact, ClientIdentifier
from .normalise import fold, swapped_day_month

CLIENT = Client._meta.db_table
CONTACT = ClientContact._meta.db_table
IDENTIFIER = ClientIdentifier._meta.db_table
FTS_IDS = "SELECT rowid FROM clients_client_fts WHERE clients_client_fts MATCH %s"
IDENTIFIER_TAG = "identifier:"  # marks identifier rows among the contact rows of ``candidate_rows``
_ACTIVE = "c.organisation_id = %s AND c.replaced_by_id IS NULL AND c.erased_at IS NULL"
# Folded text (``normalise.fold``) holds letters, digits and spaces only: nothing to escape in a LIKE pattern.
_CONTAINS = "c.search_name LIKE %s"


class Blocks:
    """The blocks of one check, each ``limit`` ids at most, read in one round trip by ``ids()``."""

    def __init__(self, organisation_id: int, limit: int) -> None:
        self.organisation_id = organisation_id
        self.limit = limit
        self._parts: list[str] = []
        self._params: list[Any] = []

    def _add(self, sql: str, params: Iterable[Any]) -> None:
        self._parts.append(f"SELECT * FROM ({sql} LIMIT %s) AS part{len(self._parts)}")  # noqa: S608
        self._params.extend([*params, self.limit])

    def identifiers(self, pairs: Iterable[tuple[str, str]]) -> None:
        pairs = list(pairs)
        if pairs:
            either = " OR ".join(["(kind = %s AND value_normalised = %s)"] * len(pairs))
            self._add(
                f"SELECT client_id FROM {IDENTIFIER} WHERE organisation_id = %s AND ({either})",  # noqa: S608
                [self.organisation_id, *(value for pair in pairs for value in pair)],
            )

    def contacts(self, phones: Iterable[str], emails: Iterable[str]) -> None:
        # By kind too, so that the (organisation, kind, value) index answers it.
        conditions, params = [], []
        for kind, values in (("phone", sorted(phones)), ("email", sorted(emails))):
            if values:
                conditions.append(f"(kind = %s AND value IN ({', '.join(['%s'] * len(values))}))")
                params += [kind, *values]
        if conditions:
            self._add(
                f"SELECT client_id FROM {CONTACT} WHERE organisation_id = %s AND ({' OR '.join(conditions)})",  # noqa: S608
                [self.organisation_id, *params],
            )

    def births(self, birth: datetime.date) -> None:
        births = [birth, *(day for day in [swapped_day_month(birth)] if day)]
        self._add(
            f"SELECT c.id FROM {CLIENT} c WHERE {_ACTIVE} AND c.date_of_birth IN ({', '.join(['%s'] * len(births))})",  # noqa: S608
            [self.organisation_id, *map(_date, births)],
        )

    def names(
        self, family: str, given: str = "", *, narrow_birth: datetime.date | None = None, typo_in_start: bool = True
    ) -> None:
        """A block per fragment of the (folded) family name, with the given name's first three letters.
        ``typo_in_start``: also the fragment that still matches with a typo in the first four letters."""
        family, given = fold(family), fold(given)
        if not family:
            return
        fragments = [family]
        if len(family) >= 6:
            fragments = sorted({family[:4], _rest(family)}) if typo_in_start else [family[:4]]
        given_part = given.split()[0][:3] if given else ""
        narrow, narrow_params = _compatible_births(narrow_birth) if narrow_birth else ("", [])
        for fragment in fragments:
            words = [word for word in dict.fromkeys((fragment, given_part)) if len(word) >= 3]
            conditions, params = [_ACTIVE], [self.organisation_id]
            if narrow:
                conditions.append(narrow)
                params += narrow_params
            if not words:
                # The (organisation, search_name) index serves a prefix range.
                conditions.append("c.search_name >= %s AND c.search_name < %s")
                params += [fragment, next_prefix(fragment)]
            elif connection.vendor == "sqlite":
                conditions.append(f"c.id IN ({FTS_IDS})")
                params.append(" AND ".join(f'search_name : "{word}"' for word in words))  # folded: no quote to double
            else:
                conditions += [_CONTAINS] * len(words)
                params += [f"%{word}%" for word in words]
            if 0 < len(fragment) < 3 and words:
                conditions.append(_CONTAINS)
                params.append(f"%{fragment}%")
            if 0 < len(given_part) < 3:
                conditions.append(_CONTAINS)
                params.append(f"%{given_part}%")
            self._add(f"SELECT c.id FROM {CLIENT} c WHERE {' AND '.join(conditions)}", params)  # noqa: S608

    def ids(self) -> set[int]:
        if not self._parts:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(self._parts), self._params)
            return {row[0] for row in cursor.fetchall()}


def candidate_rows(ids: Iterable[int]) -> list[tuple[Any, ...]]:
    """The candidates' names, contacts and identifiers in one round trip, as rows of seven columns:

    - ``(id, None, given, family, second family, date of birth, sex)``, one per client;
    - ``(client id, kind, value, None…)``, one per phone or e-mail (kind ``phone`` or ``email``) and one per
      identifier (kind ``identifier:<kind>``, value normalised).
    """
    ids = list(ids)
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT id, NULL, given_name, family_name, second_family_name, date_of_birth, sex FROM {CLIENT}"  # noqa: S608
        f" WHERE id IN ({marks})"
        f" UNION ALL SELECT client_id, kind, value, NULL, NULL, NULL, NULL FROM {CONTACT}"
        f" WHERE client_id IN ({marks}) AND kind IN ('phone', 'email')"
        f" UNION ALL SELECT client_id, %s || kind, value_normalised, NULL, NULL, NULL, NULL FROM {IDENTIFIER}"
        f" WHERE client_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids, IDENTIFIER_TAG, *ids])
        return cursor.fetchall()


def _rest(family: str) -> str:
    """The fragment that still matches when a typo is in the first four letters: the letters after them, or
    the last four when fewer are left. Longer is cheaper: a common ending alone ("wicz" is in sixty thousand
    names of a million) made the trigram index read that many entries for one check."""
    return family[4:] if len(family) >= 8 else family[-4:]


def as_date(value: Any) -> datetime.date | None:
    """A date of birth from ``candidate_rows``: SQLite gives the stored text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _compatible_births(birth: datetime.date) -> tuple[str, list[Any]]:
    """Clients whose date of birth is unknown, the same, swapped or one digit apart from ``birth``: one digit
    apart keeps either the year (a digit of the month or day changed; a swap keeps it too) or the month and
    the day (a digit of the year changed)."""
    year = [_date(datetime.date(birth.year, 1, 1)), _date(datetime.date(birth.year, 12, 31))]
    if connection.vendor == "sqlite":
        # Dates are stored as YYYY-MM-DD text: the month and day are its end, without a function per row.
        same_day = "substr(c.date_of_birth, 6) = %s"
        day_params: list[Any] = [f"{birth.month:02d}-{birth.day:02d}"]
    else:
        same_day = "(EXTRACT(MONTH FROM c.date_of_birth) = %s AND EXTRACT(DAY FROM c.date_of_birth) = %s)"
        day_params = [birth.month, birth.day]
    return (
        f"(c.date_of_birth IS NULL OR (c.date_of_birth >= %s AND c.date_of_birth <= %s) OR {same_day})",
        [*year, *day_params],
    )


def _date(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"


def name_candidate_ids(*, organisation_id: int, family: str, given: str = "", limit: int = 300) -> set[int]:
    """The name blocks alone (any date of birth)."""
    blocks = Blocks(organisation_id, limit)
    blocks.names(family, given)
    return blocks.ids()
