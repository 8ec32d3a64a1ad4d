"""Writes of documents: upload (type and size checked by content) and removal (a soft delete), both audited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version
from frontoffice.core.files import validate_upload
from frontoffice.core.models import Branch

from .choices import DocumentKind
from .models import Document, Visit

ALLOWED_TYPES = ("pdf", "jpeg", "png", "heic")


def _checksum(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    file: Any,
    kind: str,
    title: str = "",
    client: Client | None = None,
    visit: Visit | None = None,
    branch: Branch | None = None,
) -> tuple[Document, bool]:
    """Attach ``file`` to a visit (and so to its client) or to a client; returns (document, created).

    The type is read from the file's first bytes (PDF, JPEG, PNG, HEIC) and the size
    checked against ``settings.UPLOAD_MAX_BYTES``. The same file attached to the same
    client and visit again (a double-submitted form, a retried request) returns the
    document already there, with ``created`` False. A client-level document needs
    ``branch`` (where it was uploaded); a visit's document takes the visit's branch.
    """
    if visit is not None:
        if client is not None and client.pk != visit.client_id:
            raise ValidationError({"client": _("The visit belongs to another client.")})
        client = visit.client
        branch = visit.branch
    if client is None:
        raise ValidationError({"client": _("Choose the client or the visit the document belongs to.")})
    if branch is None or branch.organisation_id != client.organisation_id:
        raise ValidationError({"branch": _("Choose a branch of the client's organisation.")})
    if not client.is_active_record:
        raise ValidationError(
            {"client": _("This client was merged or erased; attach the document to the current record.")}
        )
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose the document type.")})
    try:
        found = validate_upload(file, allowed=ALLOWED_TYPES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    checksum = _checksum(file)
    existing = (
        Document.objects.filter(client=client, visit=visit, sha256=checksum, deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    original_name = (getattr(file, "name", "") or "").rsplit("/", 1)[-1][:200] or f"document{found.extension}"
    document = Document(
        organisation_id=client.organisation_id,
        branch=branch,
        client=client,
        visit=visit,
        kind=kind,
        title=(title.strip() or str(DocumentKind(kind).label))[:200],
        original_name=original_name,
        content_type=found.content_type,
        size=file.size,
        sha256=checksum,
        uploaded_by=signed_in_user(actor),
        updated_by=signed_in_user(actor),
    )
    document._checked_extension = found.extension  # type: ignore[attr-defined]
    document.full_clean(exclude=["file"])
    document.file.save(original_name, file, save=False)
    try:
        document.save()
        audit(
            actor=actor,
            action="document.upload",
            target=document,
            organisation=branch.organisation,
            branch=branch,
            summary=str(DocumentKind(kind).label),
            data={"client": client.pk, "visit": visit.pk if visit else None, "size": file.size, "type": found.code},
        )
    except Exception:
        document.file.delete(save=False)  # nothing half-written: no file without its row
        raise
    return document, True


@transaction.atomic
def document_delete(*, document: Document, actor: Any, reason: str = "") -> Document:
    """Hide a document from every list and refuse its download; the file and the row stay for the record."""
    document = (
        Document.objects.select_for_update(of=("self",)).select_related("organisation", "branch").get(pk=document.pk)
    )
    if document.deleted_at is not None:
        return document
    document.deleted_at = timezone.now()
    document.deleted_by = signed_in_user(actor)
    document.delete_reason = reason.strip()[:300]
    bump_version(document, user=actor)
    document.save()
    audit(
        actor=actor,
        action="document.delete",
        target=document,
        organisation=document.organisation,
        branch=document.branch,
        summary=str(DocumentKind(document.kind).label),
        data={"client": document.client_id, "visit": document.visit_id, "reason": document.delete_reason},
    )
    return document
