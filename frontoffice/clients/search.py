"""Search as you type over clients: one engine for the client list, the pickers and the API.

What was typed decides where to look:

- digits (at least three, ignoring spaces, dashes, dots, brackets and ``+``) → phone digits
  (``search_phones``), an identifier (``ClientIdentifier.value_normalised``, exact or as a
  prefix) and, for ten digits ``YYYYNNNNNN``, the client number;
- a client number (``K-2026-000123``) → that number;
- text with ``@`` → the e-mails (``search_emails``);
- a date (``DD.MM.YYYY``, ``D.M.YYYY``, ``YYYY-MM-DD``) → the date of birth, with day and month
  swapped as a weaker match; a date may also follow a name ("kowalski 12.03.1980");
- anything else → a name, folded like the stored copies (``normalise.fold``), so "zolw" finds
  "Żółw". Several words must all match, in any order.

Indexes. A typed word must start a word of the name. On PostgreSQL the words table
``clients_client_word`` (migration 0005, kept by a trigger) answers that with B-tree range scans
joined per word (the column keeps statistics on its 10,000 commonest words, so that the planner
knows "anna" from "dzielak" and joins them the cheap way); on SQLite the FTS5 word index
``clients_client_words`` (migration 0006, kept by triggers) is read through its ``fts5vocab``
view in word order (several typed words: one FTS5 prefix query, which FTS5 intersects). Either way
the first ``PREFIX_CANDIDATES`` clients in the alphabetical order of the matching words are
ranked (a whole word sorts before its longer forms, so "nowak" finds every Nowak before the
Nowakowskis): fetching every client that merely contains "and" to rank them took hundreds of
milliseconds at a million clients; this takes a few. Only when no word starts with what was
typed are substrings looked for (``pg_trgm`` GIN; the FTS5 trigram table of migration 0002 on
SQLite, where words of one or two characters then match the start of a name or word).

Typos. When a name finds nobody as typed, it is run again fuzzily (searching fuzzily every time
costs more than all the rest at a million clients). On PostgreSQL: clients whose name is close
by trigram word similarity (``word <% search_name``, the ``gin_trgm_ops`` index) or contains the
word, so "kowalsky" and "walski" still find "Kowalski". On SQLite, where FTS5 trigram matches
substrings, for a word of five letters or more: clients whose name holds its first or its last
half (one typo leaves one of them intact; at most ``FUZZY_CANDIDATES`` of
them, through the FTS5 table) and a word at most one edit in five letters away
(``FUZZY_SIMILARITY``; a swap of neighbouring letters is one edit; a SQL function registered on
every SQLite connection) are kept, the closest first.

Ranking. Each word scores 2 when it is a whole word of the name, 1 when a word starts with it,
0 when it only occurs inside a word; the total orders the results. Ties are broken by
``word_similarity`` on PostgreSQL (and FTS5's ``bm25`` on the SQLite substring path), then by
the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from rapidfuzz.distance import OSA

from frontoffice.core.scoping import scope_for

from . import selectors
from .blocking import FTS_IDS, next_prefix
from .models import Client, ClientIdentifier
from .normalise import fold, normalise_identifier, swapped_day_month

MAX_QUERY_LENGTH = 100
FTS_TABLE = "clients_client_fts"
_BM25 = "bm25(clients_client_fts)"
FUZZY_MIN_LENGTH = 4  # PostgreSQL: words this long also match by trigram word similarity
PREFIX_CANDIDATES = 200  # PostgreSQL: clients ranked at most, per way of matching
SQLITE_FUZZY_MIN_LENGTH = 5  # SQLite: words this long are retried fuzzily when nothing matches
FUZZY_SIMILARITY = 0.8  # edit similarity of a typed word to a word of the name (SQLite): 1 edit in 5
FUZZY_CANDIDATES = 3000  # rows per fragment the SQLite fallback scores at most
SIMILARITY_FUNCTION = "frontoffice_word_similarity"

_PHONE_LIKE = re.compile(r"^[\d\s\-+().]+$")
_NUMBER = re.compile(r"^[kK]-?(\d{4})-?(\d{1,9})$")
_DATE_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_IDENTIFIER_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9]{5,}$")


@dataclass(frozen=True)
class ParsedQuery:
    """What a search string asks for; ``kind`` is one of name, phone, email, date, number, empty."""

    kind: str
    words: tuple[str, ...] = ()
    digits: str = ""
    email: str = ""
    dates: tuple[date, ...] = field(default_factory=tuple)
    number: str = ""
    identifier: str = ""


def clean(raw: str | None) -> str:
    """The query as searched: without NUL bytes or control characters, at most 100 characters."""
    text = "".join(char if char.isprintable() else " " for char in (raw or "").replace("\x00", ""))
    return text.strip()[:MAX_QUERY_LENGTH].strip()


def parse_date(text: str) -> date | None:
    for pattern, order in ((_DATE_DMY, (2, 1, 0)), (_DATE_YMD, (0, 1, 2))):
        found = pattern.match(text)
        if found:
            parts = [int(part) for part in found.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


def parse(raw: str | None) -> ParsedQuery:
    text = clean(raw)
    if not text:
        return ParsedQuery("empty")
    number = _NUMBER.match(text.replace(" ", ""))
    if number:
        year, value = number.groups()
        return ParsedQuery("number", number=f"K-{year}-{int(value):06d}")
    if "@" in text:
        return ParsedQuery("email", email=text.lower().replace(" ", ""))
    whole_date = parse_date(text.replace(" ", ""))
    if whole_date:
        return ParsedQuery("date", dates=(whole_date,))
    if _PHONE_LIKE.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 3:
            return ParsedQuery("phone", digits=digits)
    if _IDENTIFIER_LIKE.match(text.replace(" ", "").replace("-", "")):
        identifier = normalise_identifier(text)
        # A passport or ID card number ("ABC123456"): an identifier, but it may also be part of a name.
        return ParsedQuery("name", words=tuple(fold(text).split()), identifier=identifier)
    words, dates = [], []
    for token in text.split():
        parsed = parse_date(token)
        if parsed:
            dates.append(parsed)
        else:
            words.extend(fold(token).split())
    if not words and not dates:
        return ParsedQuery("empty")
    if not words:
        return ParsedQuery("date", dates=tuple(dates))
    return ParsedQuery("name", words=tuple(dict.fromkeys(words)), dates=tuple(dates))


def search_queryset(*, user: Any, query: str | None) -> QuerySet[Client]:
    """The user's active clients matching ``query``, annotated with ``relevance`` (lower is better) and
    ordered by it. An empty query matches every client (ordered by name)."""
    clients = selectors.client_queryset(user=user)
    organisation_id = scope_for(user).organisation_id or 0  # 0: no organisation, nothing found
    parsed = parse(query)
    if parsed.kind == "empty":
        return clients.annotate(relevance=Value(0, output_field=IntegerField())).order_by(
            "family_name", "given_name", "pk"
        )
    if parsed.kind == "number":
        return _ranked(clients.filter(number=parsed.number), Value(0, output_field=IntegerField()))
    if parsed.kind == "date":
        return _dates(clients, parsed.dates)
    if parsed.kind == "email":
        return _emails(clients, parsed.email)
    if parsed.kind == "phone":
        return _phones(clients, parsed.digits, organisation_id)
    return _names(clients, parsed, organisation_id)


def search_clients(*, user: Any, query: str | None, limit: int = 20) -> list[Client]:
    """The best ``limit`` matches for what a clerk typed, best first (see the module docstring)."""
    if parse(query).kind == "empty":
        return []
    return list(search_queryset(user=user, query=query)[: max(0, limit)])


# The pieces ------------------------------------------------------------------------------------


def _ranked(clients: QuerySet[Client], relevance: Any) -> QuerySet[Client]:
    return clients.annotate(relevance=relevance).order_by("relevance", "family_name", "given_name", "pk")


def _dates(clients: QuerySet[Client], dates: tuple[date, ...]) -> QuerySet[Client]:
    exact = dates[0]
    swapped = swapped_day_month(exact)
    births = [exact, swapped] if swapped else [exact]
    relevance = Case(When(date_of_birth=exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    return _ranked(clients.filter(date_of_birth__in=births), relevance)


def _emails(clients: QuerySet[Client], email: str) -> QuerySet[Client]:
    padded = Concat(Value(" "), F("search_emails"), Value(" "))
    relevance = Case(
        When(Q(padded__contains=f" {email} "), then=Value(0)),
        When(Q(padded__contains=f" {email}"), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    if connection.vendor == "sqlite" and len(email) >= 3:
        matched = clients.filter(pk__in=_fts_ids("search_emails", [email]))
    else:
        matched = clients.filter(search_emails__contains=email)
    return _ranked(matched.alias(padded=padded), relevance)


def _phones(clients: QuerySet[Client], digits: str, organisation_id: int) -> QuerySet[Client]:
    if digits.startswith("00"):
        digits = digits[2:]
    identifier = normalise_identifier(digits)
    # Identifiers first, as a short list of ids: an OR with a subquery would keep PostgreSQL from
    # combining the trigram index on search_phones with the primary key (a full scan instead).
    by_identifier = dict(
        ClientIdentifier.objects.filter(
            value_normalised__gte=identifier,
            value_normalised__lt=next_prefix(identifier),
            organisation_id=organisation_id,
        ).values_list("client_id", "value_normalised")[:50]
    )
    exact_ids = [pk for pk, value in by_identifier.items() if value == identifier]
    if connection.vendor == "sqlite":
        condition = Q(pk__in=_fts_ids("search_phones", [digits]))
    else:
        condition = Q(search_phones__contains=digits)
    if by_identifier:
        condition |= Q(pk__in=list(by_identifier))
    numbers = []
    if len(digits) == 10:
        numbers.append(f"K-{digits[:4]}-{digits[4:]}")
        condition |= Q(number__in=numbers)
    relevance = Case(
        When(Q(pk__in=exact_ids) | Q(number__in=numbers), then=Value(0)),
        When(Q(search_phones__endswith=digits) | Q(search_phones__contains=f"{digits} "), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return _ranked(clients.filter(condition), relevance)


def _names(clients: QuerySet[Client], parsed: ParsedQuery, organisation_id: int) -> QuerySet[Client]:
    words = parsed.words
    if parsed.identifier:
        # "ABC123456": a passport or ID card number, or part of a name.
        identified = ClientIdentifier.objects.filter(
            value_normalised=parsed.identifier, organisation_id=organisation_id
        ).values_list("client_id", flat=True)
        ids = list(identified[:20])
        if ids:
            return _ranked(clients.filter(pk__in=ids), Value(-10, output_field=IntegerField()))
    births: list[date] = []
    if parsed.dates:
        births = [parsed.dates[0], *(d for d in [swapped_day_month(parsed.dates[0])] if d)]
        clients = clients.filter(date_of_birth__in=births)
    clients = clients.alias(padded=Concat(Value(" "), F("search_name"), Value(" ")))
    if connection.vendor == "sqlite":
        ids = _sqlite_word_ids(organisation_id, words, births)
        if ids:
            clients = clients.filter(pk__in=ids)
            tie_breaker: Any = Value(0.0, output_field=FloatField())
        else:
            long_words = [word for word in words if len(word) >= 3]
            fuzzy_words = [word for word in long_words if len(word) >= SQLITE_FUZZY_MIN_LENGTH]
            if fuzzy_words and not _sqlite_names(clients, long_words).exists():
                return _sqlite_fuzzy_names(clients, parsed, fuzzy_words)
            clients, tie_breaker = _sqlite_name_filter(clients, words)
    else:
        from django.contrib.postgres.search import TrigramWordSimilarity

        clients = clients.filter(pk__in=_postgres_name_ids(organisation_id, words, births))
        tie_breaker = -TrigramWordSimilarity(" ".join(words), "search_name")
    points: Any = Value(0.0, output_field=FloatField())
    for word in words:
        points = points + Case(
            When(Q(padded__contains=f" {word} "), then=Value(2)),
            When(Q(padded__contains=f" {word}"), then=Value(1)),
            default=Value(0),
            output_field=FloatField(),
        )
    return _ranked(clients, points * -1000.0 + tie_breaker)


def _sqlite_word_ids(organisation_id: int, words: tuple[str, ...], births: list[date]) -> list[int]:
    """SQLite: ids of clients with a word starting with each typed word, at most ``PREFIX_CANDIDATES``,
    from the FTS5 word index of migration 0006: one word is read in word order from its vocabulary;
    several are one prefix query, which FTS5 intersects itself."""
    conditions = ["c.organisation_id = %s"]
    params: list[Any] = [organisation_id]
    if births:
        conditions.append(f"c.date_of_birth IN ({', '.join(['%s'] * len(births))})")
        params += [birth.isoformat() for birth in births]
    if len(words) == 1:
        # CROSS JOIN keeps SQLite reading the vocabulary first, in word order.
        source = "clients_client_words_vocab v CROSS JOIN clients_client c ON c.id = v.doc"
        conditions += ["v.term >= %s", "v.term < %s"]
        params += [words[0], next_prefix(words[0])]
        column = "v.doc"
    else:
        source = "clients_client_words w CROSS JOIN clients_client c ON c.id = w.rowid"
        conditions.append("clients_client_words MATCH %s")
        params.append(_fts_match(words, prefix=True))
        column = "w.rowid"
    # Only constants are formatted into the SQL; the words are parameters.
    sql = f"SELECT DISTINCT {column} FROM {source} WHERE {' AND '.join(conditions)} LIMIT {PREFIX_CANDIDATES}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _sqlite_name_filter(clients: QuerySet[Client], words: tuple[str, ...]) -> tuple[QuerySet[Client], Any]:
    long_words = [word for word in words if len(word) >= 3]
    tie_breaker: Any = Value(0.0, output_field=FloatField())
    if long_words:
        match = _fts_match(long_words, column="search_name")
        clients = clients.extra(  # noqa: S610 - the MATCH text is a parameter; FTS5 needs its table joined
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = clients_client.id", f"{FTS_TABLE} MATCH %s"],
            params=[match],
        )
        # bm25 is negative, better matches more so; well within ±1000.
        tie_breaker = RawSQL(_BM25, [], output_field=FloatField())  # noqa: S611 - constant SQL
    for word in words:
        if len(word) < 3:
            clients = _short_word(clients, word, alone=not long_words)
    return clients, tie_breaker


def _postgres_name_ids(organisation_id: int, words: tuple[str, ...], births: list[date]) -> RawSQL:
    """PostgreSQL, as a subquery: ids of clients with a word starting with each typed word (through the
    words table of migration 0005, at most ``PREFIX_CANDIDATES``, in the alphabetical order of the
    matching words); only when there are none, those whose name is close to a word of four letters or
    more by trigram word similarity, or contains it (typos, or a word typed from its middle)."""
    tables, conditions, params = ["clients_client_word w0"], [], []
    for index, word in enumerate(words):
        if index:
            tables.append(f"JOIN clients_client_word w{index} ON w{index}.client_id = w0.client_id")
        conditions.append(f"w{index}.organisation_id = %s AND w{index}.word >= %s AND w{index}.word < %s")
        params += [organisation_id, word, next_prefix(word)]
    if births:
        tables.append("JOIN clients_client birth ON birth.id = w0.client_id")
        conditions.append("birth.date_of_birth = ANY(%s)")
        params.append(births)
    # Only aliases and constants are formatted into the SQL; the words are parameters.
    prefix = f"SELECT w0.client_id FROM {' '.join(tables)} WHERE {' AND '.join(conditions)}"  # noqa: S608
    sql = f"({prefix} LIMIT {PREFIX_CANDIDATES})"
    if any(len(word) >= FUZZY_MIN_LENGTH for word in words):
        close, close_params = ["organisation_id = %s"], [organisation_id]
        for word in words:
            if len(word) >= FUZZY_MIN_LENGTH:
                close.append("(%s <%% search_name OR search_name LIKE %s)")
                close_params += [word, f"%{word}%"]
            elif len(word) >= 3:
                close.append("search_name LIKE %s")
                close_params.append(f"%{word}%")
            else:
                close.append("(search_name LIKE %s OR search_name LIKE %s)")
                close_params += [f"{word}%", f"% {word}%"]
        if births:
            close.append("date_of_birth = ANY(%s)")
            close_params.append(births)
        # The guard is evaluated once: when a client matched as typed, the fuzzy scan does not run.
        sql += (
            f" UNION ALL (SELECT id FROM clients_client WHERE {' AND '.join(close)}"  # noqa: S608
            f" AND NOT EXISTS ({prefix}) LIMIT {PREFIX_CANDIDATES})"
        )
        params = params + close_params + params
    return RawSQL(sql, params)  # noqa: S611 - see above


def _sqlite_names(clients: QuerySet[Client], words: list[str]) -> QuerySet[Client]:
    return clients.filter(pk__in=_fts_ids("search_name", words))


def _sqlite_fuzzy_names(clients: QuerySet[Client], parsed: ParsedQuery, fuzzy_words: list[str]) -> QuerySet[Client]:
    """Names with a typo, on SQLite (see the module docstring), the closest first."""
    closeness: Any = Value(0.0, output_field=FloatField())
    for index, word in enumerate(parsed.words):
        if word in fuzzy_words:
            half = max(3, len(word) // 2)
            fragments = _fts_match((word[:half], word[-half:]), column="search_name", joiner="OR")
            candidates = RawSQL(f"{FTS_IDS} LIMIT {FUZZY_CANDIDATES}", [fragments])  # noqa: S611 - a parameter
            name = f"similarity_{index}"
            similarity = RawSQL(  # noqa: S611 - constant SQL, the word is a parameter
                f"{SIMILARITY_FUNCTION}(%s, clients_client.search_name)", [word], output_field=FloatField()
            )
            clients = clients.filter(pk__in=candidates).alias(**{name: similarity})
            clients = clients.filter(**{f"{name}__gte": FUZZY_SIMILARITY})
            closeness = closeness + F(name)
        elif len(word) >= 3:
            clients = clients.filter(pk__in=_fts_ids("search_name", [word]))
        else:
            clients = _short_word(clients, word, alone=False)
    return _ranked(clients, closeness * -1.0)


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The word-similarity function the SQLite typo fallback filters and ranks by."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SIMILARITY_FUNCTION, 2, word_similarity, deterministic=True)


def word_similarity(word: str | None, name: str | None) -> float:
    """How close ``word`` is to the closest word of ``name`` (both folded): 1 − edits / length, where a
    swap of two neighbouring letters is one edit (optimal string alignment)."""
    if not word or not name:
        return 0.0
    return max(OSA.normalized_similarity(word, part) for part in name.split())


def _short_word(clients: QuerySet[Client], word: str, *, alone: bool) -> QuerySet[Client]:
    if alone:
        # The (organisation, search_name) index serves a prefix range.
        return clients.filter(search_name__gte=word, search_name__lt=next_prefix(word))
    return clients.filter(Q(search_name__startswith=word) | Q(search_name__contains=f" {word}"))


def _fuzzy_word(word: str) -> Any:
    return RawSQL("%s <%% clients_client.search_name", [word], output_field=BooleanField())


def _phrase(text: str) -> str:
    """An FTS5 phrase: the text in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _fts_match(fragments: Iterable[str], *, column: str = "", joiner: str = "AND", prefix: bool = False) -> str:
    """The text of an FTS5 MATCH: each fragment a quoted phrase (restricted to ``column``, a prefix query
    when ``prefix``), joined by ``joiner``. Always passed as a parameter, never formatted into SQL."""
    scope = f"{column} : " if column else ""
    star = "*" if prefix else ""
    return f" {joiner} ".join(f"{scope}{_phrase(fragment)}{star}" for fragment in fragments)


def _fts_ids(column: str, fragments: list[str]) -> RawSQL:
    return RawSQL(FTS_IDS, [_fts_match(fragments, column=column)])  # noqa: S611 - the MATCH text is a parameter
