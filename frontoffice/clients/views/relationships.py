"""Adding and removing a client's relationships (guardian, emergency contact, employer, company contact).

The add form sits on the client's page and posts here; when it has problems it is shown again on its
own page, with what was typed and the client that was chosen. Same permission and scope as editing the
client.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error

from .. import selectors, services
from ..forms import RelationshipForm
from ..models import Client
from ..permissions import ClientsPermission

EDIT = ClientsPermission.EDIT_CLIENTS.perm


def _editable_client(request: HttpRequest, pk: int) -> Client:
    return selectors.client_get(user=request.user, pk=pk, follow_merges=False)


def _closed(request: HttpRequest, client: Client) -> HttpResponse:
    messages.error(request, _("This client was merged or erased; its relationships cannot change."))
    return redirect("clients:client_detail", pk=client.pk)


def _chosen(request: HttpRequest, form: RelationshipForm) -> Client | None:
    """The client picked in the form, looked up in the user's organisation (another's is never found)."""
    pk = form.cleaned_data.get("related_client") if hasattr(form, "cleaned_data") else None
    if not pk:
        return None
    return selectors.client_queryset(user=request.user, include_inactive=True).filter(pk=pk).first()


@require(EDIT)
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = _editable_client(request, pk)
    if not client.is_active_record:
        return _closed(request, client)
    form = RelationshipForm(request.POST or None, auto_id="id_relationship_%s")
    related: Client | None = None
    if request.method == "POST" and form.is_valid():
        related = _chosen(request, form)
        if form.cleaned_data.get("related_client") and related is None:
            form.add_error("related_client", _("Choose a client of your organisation."))
        else:
            try:
                services.relationship_add(
                    client=client,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    related_client=related,
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Relationship added."))
                return redirect("clients:client_detail", pk=client.pk)
    elif request.method == "POST":
        related = _chosen(request, form)
    context: dict[str, Any] = {"client": client, "form": form, "chosen": related}
    return render(request, "clients/relationship_form.html", context, status=400 if form.errors else 200)


@require(EDIT)
@require_POST
def relationship_remove(request: HttpRequest, pk: int, relationship_pk: int) -> HttpResponse:
    client = _editable_client(request, pk)
    relationship = get_object_or_404(client.relationships.all(), pk=relationship_pk)
    try:
        services.relationship_remove(relationship=relationship, actor=request.user)
    except ValidationError:
        return _closed(request, client)
    messages.success(request, _("Relationship removed: %(kind)s.") % {"kind": relationship.get_kind_display()})
    return redirect("clients:client_detail", pk=client.pk)


urlpatterns = [
    path("<int:pk>/relationships/new/", relationship_add, name="relationship_add"),
    path("<int:pk>/relationships/<int:relationship_pk>/remove/", relationship_remove, name="relationship_remove"),
]
