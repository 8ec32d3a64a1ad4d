"""Private files: uploads kept outside the web root and served only through a permission-checked view.

This is the project's one implementation: every app that takes uploads (documents,
intake-form file fields and signatures, coverage card images, guest reports) uses the
same pieces:

- ``validate_upload(file, allowed=("pdf", "jpeg", "png"), max_size=None)`` checks the size
  (``settings.UPLOAD_MAX_BYTES`` unless given) and the type **by the file's first bytes**,
  not by its name or the browser's content type; it returns the real ``FileType`` or raises
  a ``ValidationError`` with a translated message;
- ``private_storage`` (for ``FileField(storage=private_storage, upload_to=PrivateUploadTo("documents"))``)
  stores under ``settings.PRIVATE_MEDIA_ROOT``, which has no URL: nothing there is reachable
  except through a view (a deployment may define ``STORAGES["private"]`` instead, e.g. a bucket
  without public access); ``PrivateUploadTo`` and ``random_name`` name files by a random id,
  never the user's name;
- ``serve_private(request, file, filename=…, content_type=…)`` answers with the file, a
  ``Content-Disposition`` carrying the original name, ``X-Content-Type-Options: nosniff``
  and ``Cache-Control: private, no-store``;
- ``delete_on_commit(storage, names)`` removes stored files once the transaction that stopped
  pointing at them commits (a rollback keeps them), for erasure and replaced uploads.

The view that calls ``serve_private`` decides who may read the file and writes the
access log (``core.audit.log_access``); this module knows nothing of permissions.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class FileType:
    code: str  # "pdf", "jpeg", "png", "heic"
    content_type: str
    extension: str
    label: Any  # translatable name shown in messages


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("pdf", "application/pdf", ".pdf", gettext_lazy("PDF")),
    "jpeg": FileType("jpeg", "image/jpeg", ".jpg", gettext_lazy("JPEG image")),
    "png": FileType("png", "image/png", ".png", gettext_lazy("PNG image")),
    "heic": FileType("heic", "image/heic", ".heic", gettext_lazy("HEIC image (iPhone photo)")),
    "webp": FileType("webp", "image/webp", ".webp", gettext_lazy("WebP image")),
}
IMAGE_TYPES = ("jpeg", "png", "webp")
DEFAULT_ALLOWED = ("pdf", "jpeg", "png")
# ISO base media "brands" of HEIF/HEIC photos (bytes 8–12, after the "ftyp" box name).
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
SNIFF_BYTES = 16


def sniff(head: bytes) -> FileType | None:
    """The type of a file from its first bytes (its magic number), or None when it is none we know."""
    if head.startswith(b"%PDF-"):
        return FILE_TYPES["pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return FILE_TYPES["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FILE_TYPES["png"]
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return FILE_TYPES["heic"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FILE_TYPES["webp"]
    return None


def content_type_for(name: str) -> str:
    """The content type of a stored file by its extension (stored names carry the checked type's)."""
    extension = os.path.splitext(name)[1].lower()
    if extension == ".jpeg":
        extension = ".jpg"
    for file_type in FILE_TYPES.values():
        if file_type.extension == extension:
            return file_type.content_type
    return "application/octet-stream"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _type_list(allowed: Iterable[str]) -> str:
    return ", ".join(str(FILE_TYPES[code].label) for code in allowed)


def validate_upload(file: Any, *, allowed: Iterable[str] = DEFAULT_ALLOWED, max_size: int | None = None) -> FileType:
    """Check an uploaded file's size and real type; return the type, or raise ``ValidationError``.

    ``file`` is anything with ``size``, ``read`` and ``seek`` (Django's ``UploadedFile``).
    The name and the content type the browser sent are ignored: a program renamed to
    ``scan.pdf`` is refused.
    """
    allowed = tuple(allowed)
    unknown = set(allowed) - set(FILE_TYPES)
    if unknown:
        raise ValueError(f"unknown file types: {sorted(unknown)}")
    limit = max_size if max_size is not None else settings.UPLOAD_MAX_BYTES
    size = file.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the largest allowed is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            code="too_big",
        )
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    found = sniff(head)
    if found is None or found.code not in allowed:
        raise ValidationError(
            _("This file is not one of the allowed types (%(types)s); its contents were checked, not only its name.")
            % {"types": _type_list(allowed)},
            code="type",
        )
    return found


class PrivateStorage(FileSystemStorage):
    """File-system storage under ``settings.PRIVATE_MEDIA_ROOT``, with no URL.

    The root is read from the settings on every use (not cached), so tests and
    deployments that change it are followed.
    """

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return ("frontoffice.core.files.PrivateStorage", (), {})


_PRIVATE = PrivateStorage()


def private_storage() -> Storage:
    """The storage for private files; pass the function itself: ``FileField(storage=private_storage)``.

    ``STORAGES["private"]`` when the deployment defines one, else the folder ``PRIVATE_MEDIA_ROOT``.
    """
    if "private" in settings.STORAGES:
        return storages["private"]
    return _PRIVATE


def random_name(folder: str, extension: str) -> str:
    """``<folder>/<random id>.<extension>``: a stored name that never carries what the user typed."""
    return f"{folder.strip('/')}/{uuid.uuid4().hex}.{extension.lstrip('.')}"


def delete_on_commit(storage: Storage, names: Iterable[str]) -> None:
    """Delete stored files once the current transaction commits; nothing is deleted on a rollback.

    Outside a transaction the files go at once. A file already gone is not an error.
    """
    wanted = [name for name in names if name]
    if not wanted:
        return

    def delete() -> None:
        for name in wanted:
            storage.delete(name)

    # robust: the data is committed by then; a file that cannot be deleted must not turn that into an error.
    transaction.on_commit(delete, robust=True)


@deconstructible
class PrivateUploadTo:
    """``upload_to`` for private files: ``<folder>/<year>/<month>/<random id><extension>``.

    The user's file name is never part of the path (keep it in a model field for
    ``Content-Disposition``); the extension comes from the checked type when the
    model sets ``_checked_extension`` on the instance, else from the name.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder.strip("/")

    def __call__(self, instance: Any, filename: str) -> str:
        extension = getattr(instance, "_checked_extension", "") or os.path.splitext(filename)[1].lower()[:10]
        now = timezone.now()
        return f"{self.folder}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivateUploadTo) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def serve_private(
    request: HttpRequest, file: Any, *, filename: str, content_type: str, as_attachment: bool = False
) -> FileResponse:
    """Answer with a private file (404 when it is missing). Permission checks and the access log are the
    caller's job.

    ``as_attachment`` makes the browser save the file; otherwise it is shown inline
    (a PDF or an image in a new tab). ``nosniff`` keeps a browser from reading an
    image as HTML; ``no-store`` keeps it out of shared caches and the browser's disk cache.
    """
    try:
        file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        file, as_attachment=as_attachment, filename=get_valid_filename(filename) or "file", content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
