"""Private file storage for the desk's uploads (insurance card images), and upload validation.

There is no project-wide private storage yet, so the desk brings a small one that
fits the way core configures files:

- the storage is ``STORAGES["private"]`` when the settings define it (a deployment may
  point it anywhere, e.g. an S3 bucket without public access); otherwise a
  ``FileSystemStorage`` in ``DESK_PRIVATE_DIR`` (default ``$FRONTOFFICE_VAR_DIR/private``),
  which no URL serves: it has no ``base_url`` and is outside ``static/`` and ``media/``;
- files get random names (``coverage/<organisation>/<uuid>.<ext>``): the clerk's file
  name may carry personal data and must not end up in paths or logs;
- the type is decided by the file's first bytes, never by its name or the browser's
  content type; the size is capped (``DESK_UPLOAD_MAX_BYTES``, default 5 MB);
- a file is served only through a view that checks the permission and the branch or
  organisation, writes an access-log entry and answers ``no-store`` (see
  ``views/coverage.py: coverage_card_image``).

A later, shared documents storage can take over by defining ``STORAGES["private"]``;
stored names stay valid because they are relative.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str


# Magic numbers of the image types a phone or scanner produces.
_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"\xff\xd8\xff", FileKind("jpg", "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", FileKind("png", "image/png")),
)


def private_dir() -> Path:
    # The project's one private folder (FRONTOFFICE_PRIVATE_MEDIA_ROOT), shared with frontoffice.core.files.
    return Path(getattr(settings, "DESK_PRIVATE_DIR", None) or settings.PRIVATE_MEDIA_ROOT)


class PrivateFileStorage(FileSystemStorage):
    """Files under ``private_dir()``, read from the settings at each use; no URL serves them."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(private_dir())

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL; serve them through a permission-checked view")


def private_storage() -> Storage:
    """The storage for private uploads: ``STORAGES["private"]`` if the deployment defines one."""
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateFileStorage()


def max_upload_bytes() -> int:
    return int(getattr(settings, "DESK_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> FileKind | None:
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind("webp", "image/webp")
    return None


def validate_image_upload(upload: Any) -> FileKind:
    """A JPEG, PNG or WebP image no larger than the limit; raise a translated ValidationError otherwise."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(megabytes)s MB).") % {"megabytes": round(limit / 1024 / 1024, 1)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(_("Upload a photo or scan as JPEG, PNG or WebP."), code="file_type")
    return kind


def content_type_of(name: str) -> str:
    suffix = Path(name).suffix.lstrip(".").lower()
    for _magic, kind in _SIGNATURES:
        if kind.extension == suffix:
            return kind.content_type
    return "image/webp" if suffix == "webp" else "application/octet-stream"


def random_name(folder: str, extension: str) -> str:
    return f"{folder}/{uuid.uuid4().hex}.{extension}"
