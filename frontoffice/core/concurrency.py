"""Optimistic locking: a stale edit is refused, never silently applied."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .audit import signed_in_user
from .models import TimeStampedModel


class StaleEdit(ValidationError):
    """Raised when the record changed after the user opened it."""


def check_version(instance: TimeStampedModel, expected_version: int | None) -> None:
    """Refuse the save if ``instance`` is no longer at ``expected_version``.

    ``instance`` must be freshly read inside the saving transaction
    (``select_for_update`` on PostgreSQL).
    """
    if expected_version is None or instance.version == expected_version:
        return
    editor = instance.updated_by
    who = (editor.get_full_name() or editor.get_username()) if editor else _("someone")
    when = formats.date_format(timezone.localtime(instance.updated_at), "DATETIME_FORMAT")
    raise StaleEdit(
        _(
            "This record was changed by %(who)s at %(when)s after you opened it. "
            "Your changes were not saved; review them and save again."
        )
        % {"who": who, "when": when},
        code="stale",
    )


def bump_version(instance: TimeStampedModel, *, user: object) -> None:
    instance.version += 1
    instance.updated_by = signed_in_user(user)  # type: ignore[assignment]
