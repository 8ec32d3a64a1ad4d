"""Records named by id in an API request body, read within the caller's organisation and branches.

An id the caller may not see reads as "no such record" on its field (400), exactly like one that does
not exist, so the API never tells whether another organisation's record is there.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from frontoffice.clients import selectors as client_selectors


def ref(field: str, getter: Any, pk: int | None, user: Any) -> Any:
    """``getter(user=…, pk=…)`` for ``pk`` (None stays None); a 404 becomes a field error on ``field``."""
    if pk is None:
        return None
    try:
        return getter(user=user, pk=pk)
    except Http404:
        raise ValidationError({field: _("No such record, or it is outside your organisation or branches.")}) from None


def client_ref(field: str, pk: int | None, user: Any) -> Any:
    """The client ``pk`` itself, never the record it was merged into: a write names the record it means."""
    return ref(field, lambda *, user, pk: client_selectors.client_get(user=user, pk=pk, follow_merges=False), pk, user)
