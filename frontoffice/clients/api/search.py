"""GET /api/v1/clients: the client list, searched and ranked like the client list page."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from frontoffice.core.apikit import LimitOffsetPagination, current_user, requires

from .. import search
from ..permissions import ClientsPermission
from .records import router as records_router

# Empty: GET /clients must live on the same router as POST /clients (records.py), or ninja makes
# two URL patterns for one path and the second method gets 405. So the operation is added to
# records' router below; this router stays for api/__init__.py's loop.
router = Router(tags=["Clients"])


class ClientSearchFilters(Schema):
    q: str = Field(
        "",
        max_length=1000,
        description="What a clerk would type: a name (diacritics optional), a phone in any format, an e-mail, "
        "an identifier, a client number or a date of birth. Cut to 100 characters. Empty: every client by name.",
    )


class ClientListItem(Schema):
    id: int
    number: str
    kind: str
    display_name: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    version: int


@paginate(LimitOffsetPagination)
@requires(ClientsPermission.VIEW_CLIENTS.perm)
def client_list(request: HttpRequest, filters: Query[ClientSearchFilters]) -> Any:
    """Active clients of the caller's organisation; with ``q``, the best matches first."""
    return search.search_queryset(user=current_user(request), query=filters.q)


records_router.add_api_operation(
    "/clients",
    ["GET"],
    client_list,
    response=list[ClientListItem],
    summary="List and search clients",
    tags=["Clients"],
)
