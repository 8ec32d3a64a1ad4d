"""The desk's own transition guards, registered through the same hooks other parts use."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.core.choices import BusinessKind

from .choices import VisitStatus
from .workflow import register_guard


def room_assigned(visit: Any, to_status: str, actor: Any) -> None:
    """A guest checks in to a room: assign one first."""
    if visit.room_id is None:
        raise ValidationError(_("Assign a room before check-in."), code="no_room")


def register_builtin_rules() -> None:
    register_guard(room_assigned, to_status=VisitStatus.CHECKED_IN, vertical=BusinessKind.HOTEL)
