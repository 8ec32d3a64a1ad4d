"""The guest-report export (police / tourism statistics) as an adapter; nothing is ever sent.

An exporter receives the rows of one branch and day and does whatever its authority
expects. The local implementation (the default) writes a CSV file to the private storage
(``guest-reports/<organisation>/<branch code>-<day>.csv``) and returns its text, which the
desk keeps with the export record. A real exporter would implement the same ``export``
method (e.g. a file in the authority's format, or a web-service call) and be selected with
the setting ``DESK_GUEST_EXPORT_ADAPTER`` (a dotted path to a class).

Rows: the foreign guests (nationality other than PL) who stayed at the branch on the night
starting on that day (arrival on or before the day, departure after it), checked in or
already checked out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass, fields
from datetime import date
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string

from frontoffice.core.files import private_storage

DEFAULT_ADAPTER = "frontoffice.desk.guest_export.LocalFileExporter"


@dataclass(frozen=True)
class GuestReportRow:
    stay_number: str
    room: str
    arrival: str
    departure: str
    family_name: str
    given_name: str
    date_of_birth: str
    nationality: str
    document_type: str
    document_number: str
    document_issuing_country: str
    document_expiry: str
    country_of_residence: str
    city: str
    street: str
    postal_code: str
    signed_at: str


COLUMNS = tuple(item.name for item in fields(GuestReportRow))


@dataclass(frozen=True)
class ExportOutcome:
    file_name: str
    content: str


class GuestReportExporter(Protocol):
    name: str

    def export(
        self, *, organisation_id: int, branch_code: str, day: date, rows: list[GuestReportRow]
    ) -> ExportOutcome: ...


class LocalFileExporter:
    """Writes a UTF-8 CSV (semicolon-separated, as Polish spreadsheets expect) to the private storage."""

    name = "local-file"

    def export(self, *, organisation_id: int, branch_code: str, day: date, rows: list[GuestReportRow]) -> ExportOutcome:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(astuple(row))
        content = buffer.getvalue()
        storage = private_storage()
        wanted = f"guest-reports/{organisation_id}/{branch_code}-{day.isoformat()}.csv"
        name = storage.save(wanted, ContentFile(content.encode("utf-8")))
        return ExportOutcome(file_name=name, content=content)


def exporter() -> GuestReportExporter:
    path = getattr(settings, "DESK_GUEST_EXPORT_ADAPTER", "") or DEFAULT_ADAPTER
    found: GuestReportExporter = import_string(path)()
    return found
