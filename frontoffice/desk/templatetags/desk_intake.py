"""``{% intake_panel %}``: the visit page's intake form section (to fill / filled / accepted, and its buttons)."""

from __future__ import annotations

from typing import Any

from django import template

from ..intake.selectors import intake_state, workflow_allows_filling
from ..permissions import DeskPermission

register = template.Library()


@register.inclusion_tag("desk/intake/_visit_panel.html", takes_context=True)
def intake_panel(context: dict[str, Any], visit: Any) -> dict[str, Any]:
    user = context["request"].user
    state = intake_state(visit)
    return {
        "visit": visit,
        "intake": state,
        "can_edit": user.has_perm(DeskPermission.EDIT_VISITS.perm) and workflow_allows_filling(visit),
        "csrf_token": context.get("csrf_token"),
    }
