"""Data-subject rights: a client's data (readable page, PDF and JSON), erasure, and the clients settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.pdf import pdf_response
from frontoffice.core.permissions import CorePermission

from .. import selectors
from ..models import ClientSettings
from ..permissions import ClientsPermission
from ..privacy import (
    AlreadyErased,
    client_data_export,
    client_erase,
    client_settings_update,
    export_json,
    export_pdf,
    readable_export,
)

ERASE = ClientsPermission.ERASE_CLIENTS.perm


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the client erased?"),
        max_length=300,
        help_text=gettext_lazy(
            "Recorded in the audit log with your name, e.g. “the person's written request of 3 May”."
        ),
    )


class ClientSettingsForm(forms.ModelForm):
    class Meta:
        model = ClientSettings
        fields = ["possible_match_score", "probable_match_score", "retention_years"]


@require(ERASE)
def client_data(request: HttpRequest, pk: int) -> HttpResponse:
    """A readable, printable page of everything held on the client (the reading is logged)."""
    client = selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    data = client_data_export(client=client, actor=request.user, path=request.path)
    context = {"client": client, "data": data, "sections": readable_export(data)}
    return render(request, "clients/privacy_data.html", context)


@require(ERASE)
def client_data_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, as a PDF to hand or send to the person (the reading is logged)."""
    client = selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    data = client_data_export(client=client, actor=request.user, path=request.path)
    return pdf_response(export_pdf(client, data, request=request), filename=f"client-{client.number}.pdf")


@require(ERASE)
def client_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    data = client_data_export(client=client, actor=request.user, path=request.path)
    response = HttpResponse(export_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="client-{client.number}.json"'
    return response


@require(ERASE)
def client_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    form = EraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                client_erase(client=client, actor=request.user, reason=form.cleaned_data["reason"])
                return redirect("clients:client_data", pk=client.pk)
            except AlreadyErased:
                status = 409
            except ValidationError as error:
                add_service_error(form, error)
                status = 400
        else:
            status = 400
    return render(request, "clients/privacy_erase.html", {"client": client, "form": form}, status=status)


@require(CorePermission.MANAGE_ORGANISATION.perm)
def client_settings(request: HttpRequest) -> HttpResponse:
    organisation = request.user.staff.organisation  # type: ignore[union-attr]
    instance = ClientSettings.objects.filter(organisation=organisation).first() or ClientSettings()
    form = ClientSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            try:
                client_settings_update(organisation=organisation, actor=request.user, **_settings(form))
                return redirect("clients:settings")
            except ValidationError as error:
                add_service_error(form, error)
        return render(request, "clients/privacy_settings.html", {"form": form}, status=400)
    return render(request, "clients/privacy_settings.html", {"form": form})


def _settings(form: forms.ModelForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in ClientSettingsForm.Meta.fields}


urlpatterns = [
    path("<int:pk>/data/", client_data, name="client_data"),
    path("<int:pk>/data.json", client_data_json, name="client_data_json"),
    path("<int:pk>/data.pdf", client_data_pdf, name="client_data_pdf"),
    path("<int:pk>/erase/", client_erase_view, name="client_erase"),
    path("settings/", client_settings, name="settings"),
]
