"""Input: what every request body, query filter and path id must satisfy.

``InSchema`` and ``Text`` refuse NUL characters (PostgreSQL cannot store them);
``InSchema`` also refuses unknown fields, so nothing a client sends is silently dropped.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

# The largest primary key SQLite and PostgreSQL (bigint) can hold. Bigger ids in a
# path or filter would overflow the database driver: they are refused with 422.
MAX_ID = 2**63 - 1


def _find_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_find_nul(key) or _find_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_find_nul(item) for item in value)
    return False


def _nul_error() -> PydanticCustomError:
    return PydanticCustomError("nul_character", _("Text must not contain NUL characters."))


def _reject_nul(value: Any) -> Any:
    if _find_nul(value):
        raise _nul_error()
    return value


# A string parameter that refuses NUL characters; schemas deriving from
# ``InSchema`` get the same check on every field.
Text = Annotated[str, AfterValidator(_reject_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class InSchema(Schema):
    """Base for request bodies and query filters.

    Unknown fields are an error rather than ignored, text is stripped like
    Django forms do, and NUL characters are refused (PostgreSQL cannot store them).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        return _reject_nul(value)


def referenced(field: str, getter: Any, pk: int | None, user: Any) -> Any:
    """A record named by id in a body, read with ``getter(user=, pk=)`` within the caller's scope.

    A record they may not see is "no such record" on ``field`` (a 422), never a 404: the URL was right,
    the body named something else. ``None`` stays ``None`` (an optional reference left out)."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    if pk is None:
        return None
    try:
        return getter(user=user, pk=pk)
    except Http404:
        raise ValidationError({field: _("No such record, or it is outside your organisation or branches.")}) from None
