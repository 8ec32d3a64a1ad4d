"""Which fields are shown, and cleaning the answers: the browser's rules, checked again on the server.

Pure: no database. ``clean_answers`` takes the fields of one version and the raw answers
(strings, lists of strings for a multiple choice, a ``data:image/png`` URL for a
signature, an uploaded file for a file field, checked by ``core.files.validate_upload``)
and returns the cleaned answers, the attachments to store and an error list per field
key. A field hidden by its condition is neither required nor kept: its answer was given
to a question the client no longer saw.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.core.files import validate_upload

from .choices import ATTACHMENT_KINDS, FieldKind

MAX_TEXT = 1000
MAX_LONG_TEXT = 5000
MAX_SIGNATURE_BYTES = 300 * 1024
SIGNATURE_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# What a client may upload for a file field (``core.files`` type codes; the size limit is the project's).
UPLOAD_TYPES = ("pdf", "jpeg", "png")
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class FieldLike(Protocol):
    key: str
    kind: str
    required: bool
    choices: Any
    show_if_key: str
    show_if_value: str


@dataclass(frozen=True)
class Attachment:
    content: bytes
    content_type: str
    original_name: str


@dataclass
class Cleaned:
    answers: dict[str, Any] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not [item for item in value if str(item).strip()]
    return False


def matches(answer: Any, wanted: str) -> bool:
    """Whether ``answer`` (as stored or as typed) satisfies a condition's value."""
    if isinstance(answer, list | tuple):
        return wanted in [str(item) for item in answer]
    if isinstance(answer, bool):
        answer = "yes" if answer else "no"
    return str(answer if answer is not None else "").strip() == wanted


def visible_keys(fields: Iterable[FieldLike], answers: Mapping[str, Any]) -> set[str]:
    """Keys of the fields shown for ``answers``; a field whose condition field is hidden is hidden too."""
    shown: set[str] = set()
    for item in fields:
        if not item.show_if_key or (
            item.show_if_key in shown and matches(answers.get(item.show_if_key), item.show_if_value)
        ):
            shown.add(item.key)
    return shown


def choice_values(item: FieldLike) -> list[str]:
    return [str(choice["value"]) for choice in item.choices or []]


def clean_answers(
    fields: Sequence[FieldLike], raw: Mapping[str, Any], *, existing_attachments: Iterable[str] = ()
) -> Cleaned:
    """Clean ``raw`` against ``fields`` (in their order). ``existing_attachments``: keys already holding
    a stored signature or file, which satisfy a required field left empty this time."""
    result = Cleaned()
    kept = set(existing_attachments)
    # Conditions are evaluated on the cleaned values, so "yes" typed as True or " yes " behaves alike.
    shown: set[str] = set()
    for item in fields:
        if item.show_if_key and not (
            item.show_if_key in shown and matches(result.answers.get(item.show_if_key), item.show_if_value)
        ):
            continue
        shown.add(item.key)
        value = raw.get(item.key)
        is_file = hasattr(value, "read")
        if item.kind == FieldKind.FILE and not is_file and not is_empty(value):
            result.errors[item.key] = [_("Send a file for this field (a multipart upload), not text.")]
            continue
        if is_file and item.kind != FieldKind.FILE:
            result.errors[item.key] = [_("This field is answered with text, not a file.")]
            continue
        if is_empty(value) or (item.kind == FieldKind.FILE and not is_file):
            if item.required and not (item.kind in ATTACHMENT_KINDS and item.key in kept):
                result.errors[item.key] = [_("This field is required.")]
            continue
        try:
            if item.kind == FieldKind.SIGNATURE:
                result.attachments[item.key] = _signature(value)
            elif item.kind == FieldKind.FILE:
                result.attachments[item.key] = _upload(value)
            else:
                result.answers[item.key] = _clean_value(item, value)
        except ValueError as error:
            result.errors[item.key] = [str(error)]
    return result


def _clean_value(item: FieldLike, value: Any) -> Any:
    kind = item.kind
    if kind == FieldKind.MULTIPLE_CHOICE:
        values = [str(v).strip() for v in (value if isinstance(value, list | tuple) else [value]) if str(v).strip()]
        allowed = choice_values(item)
        if any(v not in allowed for v in values):
            raise ValueError(_("Choose from the options given."))
        return [v for v in allowed if v in values]  # the form's order, no repeats
    if isinstance(value, list | tuple):
        raise ValueError(_("Give one answer."))
    if kind == FieldKind.YES_NO:
        text = ("yes" if value else "no") if isinstance(value, bool) else str(value).strip().lower()
        if text not in ("yes", "no"):
            raise ValueError(_("Answer yes or no."))
        return text
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError(_("The text contains a character that cannot be stored."))
    if kind == FieldKind.TEXT:
        if len(text) > MAX_TEXT:
            raise ValueError(_("At most %(count)d characters.") % {"count": MAX_TEXT})
        return text
    if kind == FieldKind.LONG_TEXT:
        if len(text) > MAX_LONG_TEXT:
            raise ValueError(_("At most %(count)d characters.") % {"count": MAX_LONG_TEXT})
        return text
    if kind == FieldKind.NUMBER:
        try:
            number = Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise ValueError(_("Enter a number."))
        return format(number.normalize(), "f")
    if kind == FieldKind.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date (YYYY-MM-DD).")) from None
    if kind == FieldKind.SINGLE_CHOICE:
        if text not in choice_values(item):
            raise ValueError(_("Choose from the options given."))
        return text
    raise ValueError(_("This field cannot be answered here."))


def _signature(value: Any) -> Attachment:
    text = str(value).strip()
    if not text.startswith(SIGNATURE_PREFIX):
        raise ValueError(_("Sign in the box."))
    try:
        content = base64.b64decode(text[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(_("The signature could not be read; sign again.")) from None
    if len(content) > MAX_SIGNATURE_BYTES:
        raise ValueError(_("The signature is too large; clear it and sign again."))
    if not content.startswith(PNG_MAGIC) or _blank_png(content):
        raise ValueError(_("Sign in the box."))
    return Attachment(content=content, content_type="image/png", original_name="signature.png")


def _blank_png(content: bytes) -> bool:
    """An image nobody drew on (fully transparent or a single colour), or not an image at all."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            if image.width * image.height > 4_000_000:
                return True
            extrema: Any = image.convert("RGBA").getextrema()  # ((low, high),) per channel
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return True
    if extrema[3][1] == 0:  # fully transparent
        return True
    return all(low == high for low, high in extrema)  # one colour everywhere


def _upload(upload: Any) -> Attachment:
    """A PDF, JPEG or PNG within the project's upload limit, judged by its first bytes (``core.files``)."""
    try:
        found = validate_upload(upload, allowed=UPLOAD_TYPES)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    name = str(getattr(upload, "name", "") or "").replace("\x00", "")[-200:]
    upload.seek(0)
    return Attachment(content=upload.read(), content_type=found.content_type, original_name=name)
