"""Documents through the API: list, upload (multipart, idempotent), read, download (access-logged), remove."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, problem, requires
from frontoffice.core.audit import log_access
from frontoffice.core.files import serve_private

from .. import selectors, selectors_documents, services_documents
from ..choices import DocumentKind
from ..permissions import DocumentPermission
from .refs import client_ref, ref

router = Router(tags=["Desk"])

VIEW = DocumentPermission.VIEW_DOCUMENTS.perm
UPLOAD = DocumentPermission.UPLOAD_DOCUMENTS.perm


class DocumentOut(Schema):
    id: int
    client_id: int
    visit_id: int | None
    branch_id: int
    kind: DocumentKind
    title: str
    original_name: str = Field(description="The uploaded file's name, used when downloading.")
    content_type: str = Field(description="The type found in the file's contents.")
    size: int
    sha256: str
    uploaded_by_id: int | None
    created_at: datetime
    version: int


class DocumentFilters(InSchema):
    client_id: int | None = Field(None, ge=1)
    visit_id: int | None = Field(None, ge=1)


class DocumentDeleteIn(InSchema):
    reason: str = Field("", max_length=300)


@router.get("/desk/documents", response=list[DocumentOut], summary="List documents")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def document_list(request: HttpRequest, filters: Query[DocumentFilters]) -> Any:
    """Documents you may see (a client's own: organisation-wide; a visit's: its branch), newest first."""
    return selectors_documents.document_list(
        user=current_user(request), client_id=filters.client_id, visit_id=filters.visit_id
    )


@router.post("/desk/documents", response={201: DocumentOut, 200: DocumentOut}, summary="Upload a document")
@requires(VIEW, UPLOAD)
@idempotent
def document_upload(
    request: HttpRequest,
    file: File[UploadedFile | None] = None,
    kind: Form[DocumentKind | None] = None,
    title: Form[str] = "",
    client_id: Form[int | None] = None,
    visit_id: Form[int | None] = None,
    branch_id: Form[int | None] = None,
) -> Any:
    """Multipart: `file`, `kind`, optional `title`, and `visit_id` (the visit's client and branch are used) or
    `client_id` with `branch_id` (where it was uploaded). The type is checked from the file's contents (PDF,
    JPEG, PNG, HEIC); the size against the configured limit. The same file already on the same client and
    visit gives 200 with that document instead of a copy. Send `Idempotency-Key` to make a retry safe."""
    user = current_user(request)
    if file is None:
        message = _("Send the file as the multipart field `file`.")
        return problem(request, 422, detail=message, errors=[{"field": "file", "message": message, "code": "missing"}])
    visit = ref("visit_id", selectors.visit_get, visit_id, user)
    client = client_ref("client_id", client_id, user)
    branch = ref("branch_id", core_selectors.branch_get, branch_id, user)
    if visit is None and client is None:
        raise ValidationError({"visit_id": _("Choose the client or the visit the document belongs to.")})
    if visit is None and branch is None:
        raise ValidationError({"branch_id": _("Choose a branch of the client's organisation.")})
    document, created = services_documents.document_upload(
        actor=user, file=file, kind=kind or "", title=title, client=client, visit=visit, branch=branch
    )
    return Status(201 if created else 200, document)


@router.get("/desk/documents/{int:document_id}", response=DocumentOut, summary="Get a document's details")
@requires(VIEW)
def document_get(request: HttpRequest, document_id: Id) -> Any:
    return selectors_documents.document_get(user=current_user(request), pk=document_id)


@router.get(
    "/desk/documents/{int:document_id}/file",
    summary="Download a document's file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, with its checked content type.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@requires(VIEW)
def document_file(request: HttpRequest, document_id: Id) -> Any:
    """Every download is written to the access log."""
    user = current_user(request)
    document = selectors_documents.document_get(user=user, pk=document_id)
    log_access(
        user=user, target=document, organisation=document.organisation, purpose="document.download", path=request.path
    )
    return serve_private(
        request, document.file, filename=document.original_name, content_type=document.content_type, as_attachment=True
    )


@router.delete("/desk/documents/{int:document_id}", response={204: None}, summary="Remove a document")
@requires(VIEW, UPLOAD)
def document_delete(request: HttpRequest, document_id: Id, payload: Query[DocumentDeleteIn]) -> Any:
    """A soft delete: the document disappears from lists and downloads; the file and the record are kept."""
    user = current_user(request)
    document = selectors_documents.document_get(user=user, pk=document_id)
    services_documents.document_delete(document=document, actor=user, reason=payload.reason)
    return Status(204, None)
