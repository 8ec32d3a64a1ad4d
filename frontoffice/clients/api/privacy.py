"""Data-subject rights over the API: export everything held on a client (JSON or PDF), erase a client."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from frontoffice.core.apikit import Id, InSchema, Text, current_user, django_field_errors, problem, requires
from frontoffice.core.pdf import PDF_CONTENT_TYPE, pdf_response

from .. import selectors
from ..permissions import ClientsPermission
from ..privacy import AlreadyErased, client_data_export, client_erase, export_json, export_pdf

router = Router(tags=["Clients"])

ERASE = ClientsPermission.ERASE_CLIENTS.perm
ExportFormat = Literal["json", "pdf"]


class EraseIn(InSchema):
    reason: Text


class ErasedOut(Schema):
    id: int
    number: str
    erased_at: datetime


@router.get(
    "/clients/{int:client_id}/export",
    summary="Everything held on one client (JSON or PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The export: JSON by default; a readable PDF with `format=pdf` "
                "(or `Accept: application/pdf`).",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    PDF_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
@requires(ERASE)
def client_export(
    request: HttpRequest,
    client_id: Id,
    format: Query[ExportFormat | None] = None,
) -> Any:
    """Fields, identifiers, contacts, addresses, relationships, consents with history, merges, audit
    entries, the access log and every record of other apps linked to the client. Logged in the access log.
    `format=pdf` (or an `Accept: application/pdf` header) gives the same as a readable PDF document."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    wanted = format or ("pdf" if _accepts_pdf(request) else "json")
    data = client_data_export(client=client, actor=user, path=request.path)
    if wanted == "pdf":
        return pdf_response(export_pdf(client, data, request=request), filename=f"client-{client.number}.pdf")
    return HttpResponse(export_json(data), content_type="application/json; charset=utf-8")


def _accepts_pdf(request: HttpRequest) -> bool:
    """An Accept header that names PDF and not JSON (``*/*`` and none at all get JSON)."""
    accept = request.headers.get("Accept", "")
    return PDF_CONTENT_TYPE in accept and "application/json" not in accept


@router.post("/clients/{int:client_id}/erase", response=ErasedOut, summary="Erase (anonymise) a client")
@requires(ERASE)
def client_erase_api(request: HttpRequest, client_id: Id, payload: EraseIn) -> Any:
    """Names, birth date, contacts, identifiers, addresses, notes, photo and their history are removed;
    the client number and the records tied to it remain. 409 when the client was already erased."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    try:
        client = client_erase(client=client, actor=user, reason=payload.reason)
    except AlreadyErased:
        return problem(request, 409, detail=_("This client was already erased."))
    except ValidationError as error:
        return problem(request, 422, detail=_("Check the fields marked."), errors=django_field_errors(error))
    return client
