"""Documents of a client or a visit: list and upload, view or download (access-logged), remove (soft)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.core.audit import log_access
from frontoffice.core.decorators import require
from frontoffice.core.files import serve_private
from frontoffice.core.forms import add_service_error

from .. import selectors, selectors_documents, services_documents
from ..forms_handover import DocumentDeleteForm, DocumentForm
from ..models import Document
from ..permissions import DocumentPermission
from .visits import _branch

VIEW = DocumentPermission.VIEW_DOCUMENTS.perm
UPLOAD = DocumentPermission.UPLOAD_DOCUMENTS.perm


def _page(
    request: HttpRequest, *, client: Any, visit: Any, form: DocumentForm, upload_url: str, status: int = 200
) -> HttpResponse:
    documents = selectors_documents.document_list(
        user=request.user, client_id=client.pk, visit_id=visit.pk if visit is not None else None
    )
    context = {
        "client": client,
        "visit": visit,
        "show_visit": visit is None,
        "documents": list(documents),
        "form": form,
        "upload_url": upload_url,
        "can_upload": request.user.has_perm(UPLOAD) and client.is_active_record,
    }
    return render(request, "desk/documents/document_list.html", context, status=status)


def _upload(request: HttpRequest, form: DocumentForm, **target: Any) -> Document | None:
    if not form.is_valid():
        return None
    try:
        document, created = services_documents.document_upload(
            actor=request.user,
            file=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            **target,
        )
    except ValidationError as error:
        add_service_error(form, error)
        return None
    if created:
        messages.success(request, _("Document “%(title)s” attached.") % {"title": document.title})
    else:
        messages.info(request, _("This file is already attached as “%(title)s”.") % {"title": document.title})
    return document


@require(VIEW)
@require_http_methods(["GET", "POST"])
def client_documents(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_selectors.client_get(user=request.user, pk=pk)
    if client.pk != pk:  # merged away: the documents moved to the surviving record
        return redirect("desk:client_documents", pk=client.pk)
    upload_url = reverse("desk:client_documents", kwargs={"pk": client.pk})
    if request.method == "POST":
        if not request.user.has_perm(UPLOAD):
            raise PermissionDenied
        branch, _branches = _branch(request, request.POST.get("branch"))
        form = DocumentForm(request.POST, request.FILES)
        if _upload(request, form, client=client, branch=branch) is not None:
            return redirect(upload_url)
        return _page(request, client=client, visit=None, form=form, upload_url=upload_url, status=400)
    return _page(request, client=client, visit=None, form=DocumentForm(), upload_url=upload_url)


@require(VIEW)
@require_http_methods(["GET", "POST"])
def visit_documents(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    upload_url = reverse("desk:visit_documents", kwargs={"pk": visit.pk})
    if request.method == "POST":
        if not request.user.has_perm(UPLOAD):
            raise PermissionDenied
        form = DocumentForm(request.POST, request.FILES)
        if _upload(request, form, visit=visit) is not None:
            return redirect(upload_url)
        return _page(request, client=visit.client, visit=visit, form=form, upload_url=upload_url, status=400)
    return _page(request, client=visit.client, visit=visit, form=DocumentForm(), upload_url=upload_url)


def _serve(request: HttpRequest, pk: int, *, as_attachment: bool) -> HttpResponse:
    document = selectors_documents.document_get(user=request.user, pk=pk)
    # Identity and insurance scans are sensitive: every view and download is logged.
    log_access(
        user=request.user,
        target=document,
        organisation=document.organisation,
        purpose="document.download" if as_attachment else "document.view",
        path=request.path,
    )
    return serve_private(
        request,
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        as_attachment=as_attachment,
    )


@require(VIEW)
def document_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, as_attachment=False)


@require(VIEW)
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, as_attachment=True)


@require(VIEW, UPLOAD)
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors_documents.document_get(user=request.user, pk=pk)
    form = DocumentDeleteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services_documents.document_delete(document=document, actor=request.user, reason=reason)
    messages.success(request, _("Document “%(title)s” removed.") % {"title": document.title})
    if document.visit_id:
        return redirect("desk:visit_documents", pk=document.visit_id)
    return redirect("desk:client_documents", pk=document.client_id)


urlpatterns = [
    path("clients/<int:pk>/documents/", client_documents, name="client_documents"),
    path("visits/<int:pk>/documents/", visit_documents, name="visit_documents"),
    path("documents/<int:pk>/", document_view, name="document_view"),
    path("documents/<int:pk>/download/", document_download, name="document_download"),
    path("documents/<int:pk>/delete/", document_delete, name="document_delete"),
]
