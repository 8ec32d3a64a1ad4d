"""What a permission-matrix entry says: shared by test_permission_matrix.py and the tests/matrix_*.py files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES_OF = {
    "clerk": "clerk",
    "agent": "agent",
    "guard": "security",
    "manager": "manager",
    "executive": "executive",
    "admin": "admin",
    "outsider_branch": "manager",
    "outsider_org": "admin",
}
OUTSIDERS = {"outsider_branch", "outsider_org"}
EVERY_ROLE = frozenset({"clerk", "agent", "security", "manager", "executive", "admin"})
MANAGERS_UP = frozenset({"manager", "executive", "admin"})
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class Case:
    roles: frozenset[str] = EVERY_ROLE  # roles whose permission opens the URL
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    method: str = "get"
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    ok: tuple[int, ...] = (200,)
    scoped: bool = False  # the object belongs to `branch`: outsiders get 404
    org_scoped: bool = False  # the object belongs to the organisation: outsider_org gets 404
    public: bool = False  # no sign-in needed
    owner_only: str = ""  # the object belongs to this persona alone; others get 404
    api: bool = False  # anonymous gets 401 problem+json instead of the login page; bodies are JSON
    path: str = ""  # a literal path, for URL patterns that cannot be reversed
    overrides: dict[str, int] = field(default_factory=dict)


def api_case(**kwargs: Any) -> Case:
    return Case(api=True, **kwargs)
