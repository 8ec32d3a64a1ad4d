"""The client list with search as you type."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy

from frontoffice.core.decorators import require
from frontoffice.core.htmx import render_page
from frontoffice.core.tables import Column, Table

from .. import selectors
from ..permissions import ClientsPermission

COLUMNS = [
    Column("name", gettext_lazy("Name"), "family_name"),
    Column("number", gettext_lazy("Client number"), "number"),
    Column("born", gettext_lazy("Date of birth"), "date_of_birth"),
    Column("contact", gettext_lazy("Phone or e-mail")),
]


@require(ClientsPermission.VIEW_CLIENTS.perm)
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    clients = selectors.client_queryset(user=request.user).prefetch_related("contacts")
    if query:
        clients = clients.filter(search_name__contains=query.lower())
    table = Table(request, clients, COLUMNS, default_sort="name", table_id="client-table")
    return render_page(request, "clients/client_list.html", {"table": table, "query": query})


urlpatterns = [path("", client_list, name="client_list")]
