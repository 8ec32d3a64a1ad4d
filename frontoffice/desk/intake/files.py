"""Serving a filled form's signature or uploaded file, the same way to the visit's page and the API.

The file goes out through ``core.files.serve_private`` (no-store, nosniff, the stored type);
who may read it is decided by the scoped selector, and every opening is access-logged.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest

from frontoffice.core.audit import log_access
from frontoffice.core.files import serve_private

from . import selectors

# An uploaded image or PDF must never run anything, even if a browser were to render it as a page.
SANDBOX = "default-src 'none'; img-src 'self'; sandbox"


def attachment_response(request: HttpRequest, *, user: Any, visit_pk: int, key: str) -> FileResponse:
    """The stored file answering field ``key`` of the visit's form (404 outside the user's branches)."""
    visit, attachment = selectors.attachment_get(user=user, visit_pk=visit_pk, key=key)
    log_access(
        user=user,
        target=attachment.submission,
        organisation=visit.organisation,
        purpose=f"intake file {key}",
        path=request.path,
    )
    extension = attachment.file.name.rsplit(".", 1)[-1]
    response = serve_private(
        request,
        attachment.file,
        filename=f"{visit.number}-{key}.{extension}",
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
    )
    response["Content-Security-Policy"] = SANDBOX
    return response
