"""Merging two clients (choosing the surviving value per field), the list of merges, and undo."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.scoping import scope_queryset
from frontoffice.core.tables import Column, Table

from .. import selectors
from ..merging import client_merge, client_unmerge, differing_fields
from ..models import Client, Merge
from ..permissions import ClientsPermission

MERGE = ClientsPermission.MERGE_CLIENTS.perm


def _shown(client: Client, name: str) -> str:
    value = getattr(client, name)
    display = getattr(client, f"get_{name}_display", None)
    if display is not None:
        return str(display()) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None or value == "":
        return "—"
    return str(value)


class MergeForm(forms.Form):
    """Which record survives, and per differing field whose value is kept (the value is a client's pk)."""

    survivor = forms.TypedChoiceField(
        label=gettext_lazy("Record that stays"),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("The other record is kept as 'replaced by' and leads here; the merge can be undone."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, a: Client, b: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.a, self.b = a, b
        survivor = self.fields["survivor"]
        assert isinstance(survivor, forms.TypedChoiceField)
        survivor.choices = [
            (a.pk, f"{a.number} · {a.display_name}"),
            (b.pk, f"{b.number} · {b.display_name}"),
        ]
        survivor.initial = a.pk  # the older record, usually the one with the history
        self.fields["version_a"].initial = a.version
        self.fields["version_b"].initial = b.version
        self.choice_names = differing_fields(a, b)
        for name in self.choice_names:
            field_label = getattr(Client._meta.get_field(name), "verbose_name", name)
            self.fields[f"field_{name}"] = forms.TypedChoiceField(
                label=field_label,
                coerce=int,
                widget=forms.RadioSelect,
                choices=[(a.pk, _shown(a, name)), (b.pk, _shown(b, name))],
                # Prefer a value over an empty one; otherwise the older record's.
                initial=b.pk if getattr(a, name) in ("", None) else a.pk,
            )

    def field_choices(self) -> dict[str, int]:
        return {name: self.cleaned_data[f"field_{name}"] for name in self.choice_names}


@require(MERGE)
def merge_clients(request: HttpRequest, a: int, b: int) -> HttpResponse:
    """Both records side by side; the manager picks the record that stays and the value of each differing field."""
    first, second = sorted(
        (
            selectors.client_get(user=request.user, pk=a, follow_merges=False),
            selectors.client_get(user=request.user, pk=b, follow_merges=False),
        ),
        key=lambda client: client.pk,
    )
    form = MergeForm(request.POST if request.method == "POST" else None, a=first, b=second)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            survivor, merged = (first, second) if form.cleaned_data["survivor"] == first.pk else (second, first)
            try:
                client_merge(
                    survivor=survivor,
                    merged=merged,
                    actor=request.user,
                    field_choices=form.field_choices(),
                    reason=form.cleaned_data["reason"],
                    expected_versions={
                        first.pk: form.cleaned_data["version_a"],
                        second.pk: form.cleaned_data["version_b"],
                    },
                )
            except ValidationError as error:
                add_service_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("%(merged)s was merged into %(survivor)s. The merge can be undone from the list of merges.")
                    % {"merged": merged.number, "survivor": survivor.number},
                )
                return redirect("clients:client_detail", pk=survivor.pk)
        else:
            status = 400
    inactive = not (first.is_active_record and second.is_active_record)
    return render(
        request,
        "clients/merge_form.html",
        {"form": form, "a": first, "b": second, "inactive": inactive},
        status=status,
    )


MERGE_COLUMNS = [
    Column("when", gettext_lazy("Merged at"), "performed_at"),
    Column("survivor", gettext_lazy("Record that stayed")),
    Column("merged", gettext_lazy("Merged-away record")),
    Column("by", gettext_lazy("Merged by")),
    Column("reason", gettext_lazy("Reason")),
    Column("status", gettext_lazy("Status"), "undone_at"),
    Column("actions", gettext_lazy("Actions")),
]


def merge_queryset(*, user: Any) -> QuerySet[Merge]:
    return scope_queryset(Merge.objects.all(), user, branch_field=None).select_related(
        "survivor", "merged", "performed_by", "undone_by"
    )


@require(MERGE)
def merge_list(request: HttpRequest) -> HttpResponse:
    """Every merge in the organisation, newest first (``?client=`` for one client's), each with "undo"."""
    merges = merge_queryset(user=request.user)
    client_id = request.GET.get("client", "")
    if client_id.isdigit():
        merges = merges.filter(survivor_id=int(client_id)) | merges.filter(merged_id=int(client_id))
    table = Table(request, merges, MERGE_COLUMNS, default_sort="-when", table_id="merge-table")
    return render_page(request, "clients/merge_list.html", {"table": table})


@require_POST
@require(MERGE)
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(merge_queryset(user=request.user), pk=pk)
    try:
        client_unmerge(merge=merge, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The merge was undone: %(merged)s and %(survivor)s are separate records again.")
            % {"merged": merge.merged.number, "survivor": merge.survivor.number},
        )
    return redirect("clients:merge_list")


urlpatterns: list[URLPattern] = [
    path("merge/<int:a>/<int:b>/", merge_clients, name="merge"),
    path("merges/", merge_list, name="merge_list"),
    path("merges/<int:pk>/undo/", merge_undo, name="merge_undo"),
]
