"""Import and export of clients as CSV over the API.

The paths sit under ``/clients/transfer/`` because ``/clients/{client_id}`` (records) would
otherwise catch ``/clients/export.csv`` and ``/clients/import``.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from frontoffice.core.apikit import current_user, problem, requires

from ..importing import ImportFileError, client_import
from ..permissions import ClientsPermission
from ..views.transfer import MAX_UPLOAD_BYTES, export_response

router = Router(tags=["Clients"])

IMPORT = ClientsPermission.IMPORT_CLIENTS.perm


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportSummaryOut(Schema):
    encoding: str
    delimiter: str
    dry_run: bool
    read: int
    imported: int
    skipped: int
    flagged: int
    error_rows: int
    seconds: float
    errors: list[ImportErrorOut]


@router.get(
    "/clients/transfer/export.csv",
    summary="Export the organisation's clients as CSV",
    openapi_extra={
        "responses": {
            200: {
                "description": "The CSV file (text/csv; UTF-8 with BOM).",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
@requires(IMPORT)
def clients_export_csv(request: HttpRequest) -> Any:
    """The import's columns, UTF-8 with a BOM; active clients only (not merged-away or erased)."""
    return export_response(current_user(request))


@router.post("/clients/transfer/import", response=ImportSummaryOut, summary="Import clients from a CSV file")
@requires(IMPORT)
def clients_import(request: HttpRequest, file: File[UploadedFile | None] = None, dry_run: Form[bool] = False) -> Any:
    """Multipart upload (`file`, optional `dry_run`). Rows with problems are left out and listed in
    `errors`; rows whose `external_id` was imported before are skipped; probable duplicates are imported
    and flagged for review. A file that cannot be read at all gets 422."""
    user = current_user(request)
    if file is None:
        message = _("Send the CSV file as the multipart field `file`.")
        return problem(request, 422, detail=message, errors=[{"field": "file", "message": message, "code": "missing"}])
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        return problem(request, 413, detail=_("The file is larger than 50 MB; split it or use the command line."))
    try:
        summary = client_import(organisation=user.staff.organisation, actor=user, raw=file.read(), dry_run=dry_run)
    except ImportFileError as error:
        return problem(
            request, 422, detail=str(error), errors=[{"field": "file", "message": str(error), "code": "invalid"}]
        )
    return summary.as_dict()
