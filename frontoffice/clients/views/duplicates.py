"""The manager's duplicate review: candidate pairs side by side; "not the same person" or "merge…"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page

from .. import selectors
from ..finder import review_pairs
from ..merging import not_duplicate_record
from ..permissions import ClientsPermission

MERGE = ClientsPermission.MERGE_CLIENTS.perm
PER_PAGE = 20


class NotSameForm(forms.Form):
    a = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    b = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Why are they different people?"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("e.g. “twins”, “father and son with the same name”."),
    )


@require(MERGE)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Candidate pairs, best first, each with both records side by side."""
    page = Paginator(review_pairs(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    ids = {pk for pair in page.object_list for pk in (pair.client_id_a, pair.client_id_b)}
    clients = {
        client.pk: client
        for client in selectors.client_queryset(user=request.user)
        .filter(pk__in=ids)
        .prefetch_related("contacts", "identifiers")
    }
    rows = [
        {"pair": pair, "a": clients[pair.client_id_a], "b": clients[pair.client_id_b]}
        for pair in page.object_list
        if pair.client_id_a in clients and pair.client_id_b in clients
    ]
    return render_page(request, "clients/duplicate_list.html", {"rows": rows, "page_obj": page})


@require(MERGE)
def duplicate_not_same(request: HttpRequest) -> HttpResponse:
    """Record that a pair is two different people (GET shows the question, POST records the answer)."""
    form = NotSameForm(request.POST if request.method == "POST" else request.GET or None)
    status = 200
    pair = []
    if form.is_bound and form.is_valid():
        pair = [selectors.client_get(user=request.user, pk=form.cleaned_data[key], follow_merges=False) for key in "ab"]
        if request.method == "POST":
            try:
                not_duplicate_record(
                    client_a=pair[0], client_b=pair[1], actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("Noted: these records will not be proposed as duplicates again."))
                return redirect("clients:duplicate_list")
    elif form.is_bound:
        status = 400
    return render(request, "clients/duplicate_not_same.html", {"form": form, "pair": pair}, status=status)


urlpatterns: list[URLPattern] = [
    path("duplicates/", duplicate_list, name="duplicate_list"),
    path("duplicates/not-same/", duplicate_not_same, name="duplicate_not_same"),
]
