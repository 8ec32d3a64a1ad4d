"""Data-subject rights over the API: export everything held on a client, erase a client."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from frontoffice.core.apikit import Id, InSchema, Text, current_user, django_field_errors, problem, requires

from .. import selectors
from ..permissions import ClientsPermission
from ..privacy import AlreadyErased, client_data_export, client_erase, export_json

router = Router(tags=["Clients"])

ERASE = ClientsPermission.ERASE_CLIENTS.perm


class EraseIn(InSchema):
    reason: Text


class ErasedOut(Schema):
    id: int
    number: str
    erased_at: datetime


@router.get("/clients/{int:client_id}/export", summary="Everything held on one client (JSON)")
@requires(ERASE)
def client_export(request: HttpRequest, client_id: Id) -> Any:
    """Fields, identifiers, contacts, addresses, relationships, consents with history, merges, audit
    entries, the access log and every record of other apps linked to the client. Logged in the access log."""
    user = current_user(request)
    client = selectors.client_get(user=user, pk=client_id, follow_merges=False)
    body = export_json(client_data_export(client=client, actor=user, path=request.path))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


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
