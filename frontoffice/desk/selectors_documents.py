"""Reads of documents.

A client's own documents (ID scan, insurance card) follow the client: anyone of the
organisation who may see documents sees them, as the client record is organisation-wide.
A visit's documents follow the visit: only staff of the visit's branch (and
organisation-wide roles) see them. Removed documents are never listed nor served.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_for

from .models import Document
from .permissions import DocumentPermission

RELATED = ("client", "visit", "uploaded_by", "branch")


def document_queryset(*, user: Any) -> QuerySet[Document]:
    scope = scope_for(user)
    if scope.organisation_id is None or not user.has_perm(DocumentPermission.VIEW_DOCUMENTS.perm):
        return Document.objects.none()
    documents = Document.objects.filter(organisation_id=scope.organisation_id, deleted_at__isnull=True)
    if scope.branch_ids is not None:
        documents = documents.filter(Q(visit__isnull=True) | Q(visit__branch_id__in=scope.branch_ids))
    return documents.select_related(*RELATED)


def document_list(*, user: Any, client_id: int | None = None, visit_id: int | None = None) -> QuerySet[Document]:
    documents = document_queryset(user=user)
    if client_id is not None:
        documents = documents.filter(client_id=client_id)
    if visit_id is not None:
        documents = documents.filter(visit_id=visit_id)
    return documents.order_by("-created_at", "-pk")


def document_get(*, user: Any, pk: int) -> Document:
    try:
        return document_queryset(user=user).get(pk=pk)
    except (Document.DoesNotExist, ValueError):
        raise Http404 from None
