"""The client list with search as you type."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy

from frontoffice.core.decorators import require
from frontoffice.core.htmx import render_page
from frontoffice.core.tables import Column, Table

from .. import search
from ..permissions import ClientsPermission

COLUMNS = [
    Column("name", gettext_lazy("Name"), "family_name"),
    Column("number", gettext_lazy("Client number"), "number"),
    Column("born", gettext_lazy("Date of birth"), "date_of_birth"),
    Column("contact", gettext_lazy("Phone or e-mail")),
]


@require(ClientsPermission.VIEW_CLIENTS.perm)
def client_list(request: HttpRequest) -> HttpResponse:
    query = search.clean(request.GET.get("q"))
    clients = search.search_queryset(user=request.user, query=query).prefetch_related("contacts")
    # With a query, the best matches come first ("relevance" is annotated by the search engine);
    # a click on a column header still sorts by that column.
    default_sort = "relevance" if query else "name"
    table = Table(request, clients, COLUMNS, default_sort=default_sort, table_id="client-table")
    return render_page(request, "clients/client_list.html", {"table": table, "query": query})


urlpatterns = [path("", client_list, name="client_list")]
