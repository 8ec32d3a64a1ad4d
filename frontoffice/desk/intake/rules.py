"""The intake form's transition guard.

A clinic visit whose type asks for an intake form does not go to "in progress" until
its form is **accepted** — filled (at the desk or through the link) is not enough, because
acceptance is where the clerk checks the answers against the client's record. Arrival
is never blocked: the client fills the form in the waiting room. Hotels and shops are
not guarded (a registration card has its own rules).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from frontoffice.core.choices import BusinessKind

from ..choices import VisitStatus
from ..workflow import register_guard
from .selectors import accepted


def intake_form_accepted(visit: Any, to_status: str, actor: Any) -> None:
    if visit.visit_type.intake_form_id is None or accepted(visit):
        return
    raise ValidationError(_("Accept the intake form before the visit starts."), code="intake_form")


def register() -> None:
    register_guard(intake_form_accepted, to_status=VisitStatus.IN_PROGRESS, vertical=BusinessKind.CLINIC)
