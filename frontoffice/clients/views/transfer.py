"""Import (upload → preview → confirm → result) and export of clients as CSV.

The uploaded file waits on the server between preview and confirm, under
``VAR_DIR/imports/<uuid>.csv`` with a small JSON note of who uploaded it; only
that user can open it. Files never go into the session.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontoffice.core.decorators import require
from frontoffice.core.models import Branch
from frontoffice.core.scoping import scope_for

from .. import selectors
from ..importing import ImportFileError, client_import, errors_csv, export_csv, parse
from ..permissions import ClientsPermission

IMPORT = ClientsPermission.IMPORT_CLIENTS.perm
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PREVIEW_ERRORS = 100


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), help_text=gettext_lazy("UTF-8 or Windows-1250."))
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Registered at branch"), queryset=Branch.objects.none(), required=False
    )

    def __init__(self, *args: Any, organisation_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branches = Branch.objects.filter(organisation__pk=organisation_id or 0, is_active=True)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB; split it or use the command line."))
        raw = upload.read()
        try:
            parse(raw)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return bytes(raw)


# --- the stored upload ------------------------------------------------------------------------


def imports_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def store_upload(*, user: Any, raw: bytes, name: str, branch_id: int | None) -> str:
    token = str(uuid.uuid4())
    directory = imports_dir()
    (directory / f"{token}.csv").write_bytes(raw)
    note = {"owner": user.pk, "name": name, "branch": branch_id, "uploaded_at": timezone.now().isoformat()}
    (directory / f"{token}.json").write_text(json.dumps(note), encoding="utf-8")
    return token


def _load(request: HttpRequest, token: uuid.UUID) -> tuple[dict[str, Any], Path]:
    """The upload's note and file, for its owner only (anyone else: 404, as if it did not exist)."""
    base = imports_dir() / str(token)
    try:
        note = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Http404 from None
    if note.get("owner") != request.user.pk:
        raise Http404
    return note, base


def _organisation(request: HttpRequest) -> Any:
    return request.user.staff.organisation  # type: ignore[union-attr]


def _branch(request: HttpRequest, branch_id: int | None) -> Branch | None:
    if branch_id is None:
        return None
    return Branch.objects.filter(organisation=_organisation(request), pk=branch_id).first()


# --- views ------------------------------------------------------------------------------------


@require(IMPORT)
def import_upload(request: HttpRequest) -> HttpResponse:
    organisation_id = scope_for(request.user).organisation_id
    form = UploadForm(request.POST or None, request.FILES or None, organisation_id=organisation_id)
    if request.method == "POST":
        if form.is_valid():
            branch = form.cleaned_data["branch"]
            token = store_upload(
                user=request.user,
                raw=form.cleaned_data["file"],
                name=str(getattr(request.FILES["file"], "name", "") or ""),
                branch_id=branch.pk if branch else None,
            )
            return redirect("clients:import_preview", token=token)
        return render(request, "clients/import_upload.html", {"form": form}, status=400)
    return render(request, "clients/import_upload.html", {"form": form})


@require(IMPORT)
def import_preview(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    note, base = _load(request, token)
    if "summary" in note:
        return redirect("clients:import_result", token=token)
    try:
        summary = client_import(
            organisation=_organisation(request),
            actor=request.user,
            raw=base.with_suffix(".csv").read_bytes(),
            branch=_branch(request, note.get("branch")),
            dry_run=True,
        )
    except ImportFileError as error:  # the file was checked on upload; this is only a safety net
        return render(request, "clients/import_upload.html", {"form": None, "file_error": str(error)}, status=400)
    context = {
        "note": note,
        "token": token,
        "summary": summary,
        "columns": summary.preview[0].keys() if summary.preview else [],
        "errors": summary.errors[:PREVIEW_ERRORS],
    }
    return render(request, "clients/import_preview.html", context)


@require(IMPORT)
@require_POST
def import_confirm(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    note, base = _load(request, token)
    if "summary" not in note:  # a second click imports nothing twice
        summary = client_import(
            organisation=_organisation(request),
            actor=request.user,
            raw=base.with_suffix(".csv").read_bytes(),
            branch=_branch(request, note.get("branch")),
        )
        base.with_suffix(".errors.csv").write_text(errors_csv(summary.errors), encoding="utf-8")
        note["summary"] = summary.as_dict()
        base.with_suffix(".json").write_text(json.dumps(note), encoding="utf-8")
    return redirect("clients:import_result", token=token)


@require(IMPORT)
def import_result(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    note, _base = _load(request, token)
    if "summary" not in note:
        return redirect("clients:import_preview", token=token)
    return render(request, "clients/import_result.html", {"note": note, "summary": note["summary"], "token": token})


@require(IMPORT)
def import_errors(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    _note, base = _load(request, token)
    errors_file = base.with_suffix(".errors.csv")
    content = errors_file.read_text(encoding="utf-8") if errors_file.exists() else errors_csv([])
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
    return response


def export_response(user: Any) -> StreamingHttpResponse:
    """The organisation's active clients as CSV in the import's columns, with a BOM for spreadsheets."""
    clients = (
        selectors.client_queryset(user=user).order_by("pk").prefetch_related("contacts", "addresses", "identifiers")
    )

    def lines() -> Any:
        yield "\ufeff"
        yield from export_csv(clients.iterator(chunk_size=2000))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clients-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@require(IMPORT)
def export_clients(request: HttpRequest) -> HttpResponse:
    return export_response(request.user)  # type: ignore[return-value]  # streamed: the file can be large


urlpatterns = [
    path("import/", import_upload, name="import_upload"),
    path("import/<uuid:token>/", import_preview, name="import_preview"),
    path("import/<uuid:token>/confirm/", import_confirm, name="import_confirm"),
    path("import/<uuid:token>/result/", import_result, name="import_result"),
    path("import/<uuid:token>/errors.csv", import_errors, name="import_errors"),
    path("export/", export_clients, name="export_csv"),
]
