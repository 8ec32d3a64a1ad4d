from typing import Any

from django.http import HttpRequest

from .navigation import menu_for
from .scoping import scope_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell (menu, organisation name) needs on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "mfa_pending", False):
        return {"menu": []}
    staff = getattr(user, "staff", None)
    return {
        "menu": menu_for(user, request.path),
        "current_organisation": staff.organisation if staff else None,
        "current_scope": scope_for(user),
    }
