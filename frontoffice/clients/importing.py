"""CSV import and export of clients.

One import serves the command line (``frontoffice clients import``), the
upload page and the API. The file is read whole (encoding and delimiter
detected), every row is checked with the same validation as the
registration form (``services.validate_client_data``), and the valid rows
are written in batches, with client numbers taken a batch at a time
(``numbering.next_numbers``).

Decisions worth knowing (see docs/clients-import.md):

- ``external_id`` is required: it is what makes a re-run safe. A row whose
  ``external_id`` the organisation already has is **skipped**, never updated,
  so a re-run changes nothing and an import never overwrites what the desk
  has corrected since.
- Probable duplicates (within the file or against the database) are imported
  with ``needs_review=True``, never merged. An identifier another client
  already has cannot be stored twice: that row is an error naming the client.
- Duplicate checks are blocked in memory: the organisation's clients are
  loaded once and indexed by identifier, phone, e-mail, date of birth (and it
  with day and month swapped) and folded family + given name. Only records
  sharing a key are scored with ``matching.score_pair``. One database query
  per row would cost more than the whole write.
- Writes use ``bulk_create`` (with history rows and one audit entry per
  client) in transactions of ``BATCH_SIZE`` rows.
"""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from frontoffice.core.audit import signed_in_user
from frontoffice.core.models import AuditEntry, Branch, Organisation
from frontoffice.core.numbering import next_numbers

from . import services
from .choices import ContactKind, IdentifierKind, Sex
from .matching import EXACT, PROBABLE, MatchQuery, _Prepared, level_of, score_pair, thresholds_for
from .models import Client, ClientAddress, ClientContact, ClientIdentifier
from .normalise import canonical_given_name, fold, swapped_day_month
from .services import AddressData, ClientData, IdentifierData

COLUMNS = (
    "external_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "street",
    "city",
    "postal_code",
    "country",
    "id_type",
    "id_number",
)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
SEX_VALUES = {
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "k": Sex.FEMALE,
    "kobieta": Sex.FEMALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "mezczyzna": Sex.MALE,
    "other": Sex.OTHER,
    "inna": Sex.OTHER,
    "inny": Sex.OTHER,
}
# The delimiter's code, as the summary and the API give it. Pages say it in whole translated sentences
# (templates/clients/import_preview.html): Polish declines the word, so it cannot be slotted into one.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# The encoding's name as the summary and the API give it; pages translate it (``{% translate %}``).
UTF8_WITH_BOM = gettext_noop("UTF-8 with BOM")
BATCH_SIZE = 500
PREVIEW_ROWS = 10
# The stages ``client_import`` reports to its ``progress`` callback: (stage, rows done, rows in the stage).
CHECKING = "check"
WRITING = "write"
type Progress = Callable[[str, int, int], None]
# Which column a service's per-field error belongs to.
FIELD_TO_COLUMN = {
    "phones": "phone",
    "emails": "email",
    "identifiers": "id_number",
    "family_name": "family_name",
    "given_name": "given_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "external_id": "external_id",
    "street": "street",
    "city": "city",
    "postal_code": "postal_code",
    "country": "country",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong encoding, delimiter or header. The message is translated."""


@dataclass(frozen=True)
class RowError:
    row: int  # the line number in the file; the header is line 1
    column: str
    message: str


@dataclass
class ParsedFile:
    encoding: str
    delimiter: str
    rows: list[dict[str, str]]

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]


@dataclass
class ImportSummary:
    encoding: str = ""
    delimiter: str = ""
    dry_run: bool = False
    read: int = 0
    imported: int = 0
    skipped: int = 0
    flagged: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    preview: list[dict[str, str]] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "dry_run": self.dry_run,
            "read": self.read,
            "imported": self.imported,
            "skipped": self.skipped,
            "flagged": self.flagged,
            "error_rows": self.error_rows,
            "seconds": round(self.seconds, 2),
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


# --- reading the file -------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding's name: UTF-8 (with or without BOM), else cp1250 as Polish Excel writes."""
    if b"\x00" in raw:
        raise ImportFileError(_("This is not a text file. Save the spreadsheet as CSV (UTF-8 or Windows-1250)."))
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), UTF8_WITH_BOM
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("cp1250"), "Windows-1250"
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's encoding was not recognised. Save it as CSV in UTF-8 or Windows-1250 (cp1250).")
        ) from None


def _header_cells(line: str, delimiter: str) -> list[str]:
    return [cell.strip().strip('"').strip().lower() for cell in line.split(delimiter)]


def parse(raw: bytes) -> ParsedFile:
    """Decode ``raw``, detect the delimiter from the header and return the rows as dictionaries."""
    text, encoding = decode(raw)
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line.strip():
        raise ImportFileError(_("The file is empty. The first line must be the header: %(columns)s.") % _columns())
    expected = set(COLUMNS)
    best: tuple[int, str] = (0, "")
    for delimiter in DELIMITERS:
        cells = _header_cells(first_line, delimiter)
        if set(cells) == expected and len(cells) == len(COLUMNS):
            return ParsedFile(encoding=encoding, delimiter=delimiter, rows=_rows(text, delimiter))
        best = max(best, (len(cells), delimiter))
    count, delimiter = best
    if count < 2:
        raise ImportFileError(
            _(
                "The columns could not be told apart. Separate them with a comma, a semicolon or a tab; "
                "the header must be: %(columns)s."
            )
            % _columns()
        )
    cells = _header_cells(first_line, delimiter)
    missing = [column for column in COLUMNS if column not in cells]
    unknown = [cell for cell in cells if cell not in expected]
    raise ImportFileError(
        _("The header is not the one expected: %(columns)s. Missing: %(missing)s. Not recognised: %(unknown)s.")
        % {**_columns(), "missing": ", ".join(missing) or "—", "unknown": ", ".join(unknown) or "—"}
    )


def _columns() -> dict[str, str]:
    return {"columns": ", ".join(COLUMNS)}


def _rows(text: str, delimiter: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader)]
    rows: list[dict[str, str]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            rows.append({})  # keeps line numbers right; skipped later
            continue
        padded = [*cells, *[""] * (len(header) - len(cells))]
        row = {name: padded[index].strip() for index, name in enumerate(header)}
        if len(cells) > len(header):
            row["__extra__"] = "1"
        rows.append(row)
    return rows


# --- one row ----------------------------------------------------------------------------------


def parse_date(value: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Write the date as YYYY-MM-DD or DD.MM.YYYY."))


def row_to_data(row: dict[str, str]) -> tuple[ClientData | None, list[tuple[str, str]]]:
    """The client a row describes, or the (column, message) problems with it. Validation is the
    registration form's (``services.validate_client_data``); only the CSV's own formats are read here."""
    problems: list[tuple[str, str]] = []
    if row.get("__extra__"):
        problems.append(("", _("This row has more cells than the header.")))
    if not row.get("external_id"):
        problems.append(("external_id", _("Enter the external ID: it makes a re-run of the file safe.")))
    birth = None
    if row.get("date_of_birth"):
        try:
            birth = parse_date(row["date_of_birth"])
        except ValidationError as error:
            problems.append(("date_of_birth", error.messages[0]))
    sex = ""
    if row.get("sex"):
        sex = SEX_VALUES.get(fold(row["sex"]), "")
        if not sex:
            problems.append(("sex", _("Write female, male or other (or K, M).")))
    identifiers = []
    id_type, id_number = row.get("id_type", "").lower(), row.get("id_number", "")
    if id_type or id_number:
        if id_type not in IdentifierKind.values:
            problems.append(("id_type", _("Write one of: %(values)s.") % {"values": ", ".join(IdentifierKind.values)}))
        elif not id_number:
            problems.append(("id_number", _("Enter the number.")))
        else:
            identifiers.append(
                IdentifierData(kind=id_type, value=id_number, other_kind=_("imported") if id_type == "other" else "")
            )
    country = (row.get("country") or "PL").upper()
    data = ClientData(
        given_name=row.get("given_name", ""),
        family_name=row.get("family_name", ""),
        date_of_birth=birth,
        sex=sex,
        external_id=row.get("external_id", ""),
        phones=[row["phone"]] if row.get("phone") else [],
        emails=[row["email"]] if row.get("email") else [],
        identifiers=identifiers,
        addresses=[
            AddressData(
                street=row.get("street", ""),
                postal_code=row.get("postal_code", ""),
                city=row.get("city", ""),
                country=country,
            )
        ],
    )
    problems += _service_problems(data)
    return (None if problems else data), problems


def _service_problems(data: ClientData) -> list[tuple[str, str]]:
    """The registration form's validation, plus the model's own field checks (lengths, choices)."""
    problems: list[tuple[str, str]] = []
    try:
        services.validate_client_data(data)
    except ValidationError as error:
        problems += _as_problems(error)
    client = Client(**{name: getattr(data, name) for name in services.PERSON_FIELDS})
    try:
        client.full_clean(exclude=["organisation", "number"], validate_unique=False, validate_constraints=False)
        for address in data.addresses:
            ClientAddress(client=client, **address.__dict__).full_clean(exclude=["client"])
    except ValidationError as error:
        problems += _as_problems(error)
    return problems


def _as_problems(error: ValidationError) -> list[tuple[str, str]]:
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    return [
        (FIELD_TO_COLUMN.get(name, name), message) for name, errors in error.message_dict.items() for message in errors
    ]


# --- duplicate blocking -----------------------------------------------------------------------


@dataclass
class _Known:
    label: str  # client number, or "row N" for a row of this file
    query: Any  # matching._Prepared


class _Index:
    """Blocking keys → known records. Built once from the database, grown with each imported row."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, Any], list[_Known]] = defaultdict(list)
        self.identifiers: dict[tuple[str, str], str] = {}

    def keys(self, prepared: Any) -> Iterator[tuple[str, Any]]:
        for value in prepared.identifiers:
            yield ("id", value)
        for phone in prepared.phones:
            yield ("phone", phone)
        for email in prepared.emails:
            yield ("email", email)
        if prepared.birth:
            yield ("birth", prepared.birth)
        if prepared.families and prepared.given:
            yield ("name", (prepared.families[0], prepared.given))

    def probe_keys(self, prepared: Any) -> Iterator[tuple[str, Any]]:
        yield from self.keys(prepared)
        if prepared.birth:
            swapped = swapped_day_month(prepared.birth)
            if swapped:
                yield ("birth", swapped)
        if prepared.families and prepared.given:
            yield ("name", (prepared.given, prepared.families[0]))  # names swapped

    def add(self, known: _Known) -> None:
        for key in self.keys(known.query):
            self.by_key[key].append(known)
        for identifier in known.query.identifiers:
            self.identifiers.setdefault(identifier, known.label)

    def candidates(self, prepared: Any) -> list[_Known]:
        seen: dict[int, _Known] = {}
        for key in self.probe_keys(prepared):
            for known in self.by_key.get(key, ()):
                seen.setdefault(id(known), known)
        return list(seen.values())


def _load_index(organisation: Organisation) -> _Index:
    """Every active client of the organisation, indexed for blocking, in three queries."""
    index = _Index()
    phones: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, list[str]] = defaultdict(list)
    identifiers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for client_id, kind, value in ClientContact.objects.filter(organisation=organisation).values_list(
        "client_id", "kind", "value"
    ):
        (phones if kind == ContactKind.PHONE else emails)[client_id].append(value)
    for client_id, kind, value in ClientIdentifier.objects.filter(organisation=organisation).values_list(
        "client_id", "kind", "value_normalised"
    ):
        identifiers[client_id].append((kind, value))
    rows = Client.objects.filter(
        organisation=organisation, replaced_by__isnull=True, erased_at__isnull=True
    ).values_list(
        "pk",
        "number",
        "given_name",
        "family_name",
        "second_family_name",
        "date_of_birth",
        "sex",
    )
    for pk, number, given, family, second, birth, sex in rows:
        # Stored values are normalised already (E.164 phones, folded e-mails and identifiers): building
        # the prepared form directly skips re-parsing 100,000 phone numbers.
        prepared = _Prepared(
            given=canonical_given_name(given),
            families=tuple(f for f in (fold(family), fold(second)) if f),
            birth=birth,
            sex=sex,
            phones=frozenset(phones.get(pk, ())),
            emails=frozenset(emails.get(pk, ())),
            identifiers=frozenset(identifiers.get(pk, ())),
        )
        index.add(_Known(label=number, query=prepared))
    return index


# --- the import -------------------------------------------------------------------------------


def client_import(
    *,
    organisation: Organisation,
    actor: Any,
    raw: bytes,
    branch: Branch | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the clients in a CSV file. Raises ImportFileError when the file as a whole cannot be read;
    problems with single rows are collected in the summary and those rows are left out.

    ``progress(stage, done, total)``, when given, is called every ``batch_size`` rows and at the end of
    each stage: ``CHECKING`` (rows of the file read and checked) and then ``WRITING`` (rows written)."""
    started = time.perf_counter()
    parsed = parse(raw)
    total = sum(1 for row in parsed.rows if row)
    summary = ImportSummary(encoding=parsed.encoding, delimiter=parsed.delimiter_name, dry_run=dry_run)
    summary.preview = [row for row in parsed.rows if row][:PREVIEW_ROWS]
    thresholds = thresholds_for(organisation)
    external_ids = set(
        Client.objects.filter(organisation=organisation).exclude(external_id="").values_list("external_id", flat=True)
    )
    index: _Index | None = None  # built at the first new row: a re-run of a known file never needs it
    seen_in_file: dict[str, int] = {}
    pending: list[tuple[ClientData, bool]] = []
    for line, row in enumerate(parsed.rows, start=2):
        if not row:
            continue
        if progress is not None and summary.read and summary.read % batch_size == 0:
            progress(CHECKING, summary.read, total)
        summary.read += 1
        external_id = row.get("external_id", "")
        if external_id in external_ids:
            summary.skipped += 1
            continue
        if external_id and external_id in seen_in_file:
            summary.errors.append(
                RowError(
                    line,
                    "external_id",
                    _("The external ID %(id)s is already on line %(line)s.")
                    % {"id": external_id, "line": seen_in_file[external_id]},
                )
            )
            continue
        data, problems = row_to_data(row)
        if data is None:
            summary.errors += [RowError(line, column, message) for column, message in problems]
            continue
        prepared = _match_query(data).normalised()
        if index is None:
            index = _load_index(organisation)
        owner = next((index.identifiers[i] for i in prepared.identifiers if i in index.identifiers), None)
        if owner is not None:
            summary.errors.append(RowError(line, "id_number", _identifier_taken(owner)))
            continue
        flagged = _is_probable_duplicate(prepared, index, thresholds)
        seen_in_file[external_id] = line
        index.add(_Known(label=_("line %(line)s") % {"line": line}, query=prepared))
        summary.flagged += flagged
        pending.append((data, flagged))
    summary.imported = len(pending)
    if progress is not None:
        progress(CHECKING, summary.read, total)
    if not dry_run:
        for start in range(0, len(pending), batch_size):
            _write_batch(pending[start : start + batch_size], organisation=organisation, actor=actor, branch=branch)
            if progress is not None:
                progress(WRITING, min(start + batch_size, len(pending)), len(pending))
    summary.seconds = time.perf_counter() - started
    return summary


def _identifier_taken(owner: str) -> str:
    if owner.startswith(_("line")):
        return _("The same identifier is already on %(where)s of this file.") % {"where": owner}
    return _("Client %(number)s already has this identifier; it cannot be registered twice.") % {"number": owner}


def _match_query(data: ClientData) -> MatchQuery:
    return MatchQuery(
        given_name=data.given_name,
        family_name=data.family_name,
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        phones=tuple(data.phones),
        emails=tuple(data.emails),
        identifiers=tuple((i.kind, i.value) for i in data.identifiers),
    )


def _is_probable_duplicate(prepared: Any, index: _Index, thresholds: Any) -> bool:
    for known in index.candidates(prepared):
        score, reasons = score_pair(prepared, known.query)
        if level_of(score, reasons, thresholds) in (EXACT, PROBABLE):
            return True
    return False


@transaction.atomic
def _write_batch(
    batch: list[tuple[ClientData, bool]], *, organisation: Organisation, actor: Any, branch: Branch | None
) -> None:
    """One transaction: the clients, their children and history, and one audit entry per client."""
    user = signed_in_user(actor)
    clients, children = [], []
    # One counter update for the whole batch instead of two queries per client.
    numbers = next_numbers(organisation=organisation, prefix=services.CLIENT_NUMBER_PREFIX, count=len(batch))
    for (data, flagged), number in zip(batch, numbers, strict=True):
        phones, emails, identifiers = services.validate_client_data(data)
        client = Client(
            organisation=organisation,
            registered_at_branch=branch,
            updated_by=user,
            needs_review=flagged,
            number=number,
            **{name: getattr(data, name) for name in services.PERSON_FIELDS},
        )
        services.set_search_fields(client, phones=phones, emails=emails)
        clients.append(client)
        children.append((phones, emails, identifiers, data.addresses))
    clients = bulk_create_with_history(clients, Client, batch_size=len(clients), default_user=user)
    if any(client.pk is None for client in clients):
        by_number = {client.number: client for client in clients}
        for pk, number in Client.objects.filter(organisation=organisation, number__in=by_number).values_list(
            "pk", "number"
        ):
            by_number[number].pk = pk
    contacts, identifier_rows, addresses = [], [], []
    for client, (phones, emails, identifiers, address_data) in zip(clients, children, strict=True):
        for kind, values in ((ContactKind.PHONE, phones), (ContactKind.EMAIL, emails)):
            contacts += [
                ClientContact(organisation=organisation, client=client, kind=kind, value=value, is_primary=i == 0)
                for i, value in enumerate(values)
            ]
        identifier_rows += [
            ClientIdentifier(
                organisation=organisation,
                client=client,
                kind=identifier.kind,
                other_kind=identifier.other_kind,
                value=identifier.value.strip(),
                value_normalised=normalised,
            )
            for identifier, normalised in identifiers
        ]
        addresses += [
            ClientAddress(client=client, **address.__dict__)
            for address in address_data
            if any((address.street, address.postal_code, address.city))
        ]
    for model, rows in ((ClientContact, contacts), (ClientIdentifier, identifier_rows), (ClientAddress, addresses)):
        if rows:
            bulk_create_with_history(rows, model, batch_size=len(rows), default_user=user)
    target_type = ContentType.objects.get_for_model(Client)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=organisation,
            branch=branch,
            actor=user,
            action="client.import",
            target_type=target_type,
            target_id=str(client.pk),
            summary=client.number,
            data={"needs_review": client.needs_review},
        )
        for client in clients
    )


def errors_csv(errors: Iterable[RowError]) -> str:
    """The error file: one line per problem, with the row (line) number, the column and the message."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "message"])
    for error in errors:
        writer.writerow([error.row, error.column, error.message])
    return out.getvalue()


# --- export -----------------------------------------------------------------------------------


def export_rows(clients: Iterable[Client]) -> Iterator[list[str]]:
    """The import's columns for each client (first phone, e-mail, address and identifier), header first.
    ``clients`` should prefetch contacts, addresses and identifiers."""
    yield list(COLUMNS)
    for client in clients:
        contacts = list(client.contacts.all())
        phone = next((c.value for c in contacts if c.kind == ContactKind.PHONE), "")
        email = next((c.value for c in contacts if c.kind == ContactKind.EMAIL), "")
        address = next(iter(client.addresses.all()), None)
        identifier = next(iter(client.identifiers.all()), None)
        yield [
            client.external_id or client.number,
            client.given_name,
            client.family_name,
            client.date_of_birth.isoformat() if client.date_of_birth else "",
            client.sex,
            phone,
            email,
            address.street if address else "",
            address.city if address else "",
            address.postal_code if address else "",
            address.country if address else "",
            identifier.kind if identifier else "",
            identifier.value if identifier else "",
        ]


def export_csv(clients: Iterable[Client]) -> Iterator[str]:
    """CSV lines (UTF-8 text; the caller adds a BOM for spreadsheets), one client at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in export_rows(clients):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
