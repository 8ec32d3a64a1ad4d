"""The one scoping helper every selector uses.

A user sees only their organisation's data, and only their own branches'
rows when all of their roles are branch-bound. ``scope_for`` reads the
user's staff membership (``user.staff``); the core layer does not import
``accounts`` — it only relies on that attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

# Roles that see every branch of their organisation. Every other role is
# bound to the branches listed on the staff member.
ORGANISATION_WIDE_ROLES = frozenset({"executive", "admin"})

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    organisation_id: int | None
    branch_ids: frozenset[int] | None  # None: every branch of the organisation
    roles: frozenset[str]

    @property
    def is_empty(self) -> bool:
        return self.organisation_id is None

    def allows_branch(self, branch_id: int | None) -> bool:
        if self.is_empty:
            return False
        return self.branch_ids is None or branch_id in self.branch_ids


EMPTY_SCOPE = Scope(organisation_id=None, branch_ids=frozenset(), roles=frozenset())


def scope_for(user: Any) -> Scope:
    """The organisation and branches ``user`` may see; cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached = getattr(user, "_frontoffice_scope", None)
    if cached is not None:
        return cached
    staff = getattr(user, "staff", None)
    if staff is None or not staff.is_active:
        scope = EMPTY_SCOPE
    else:
        roles = frozenset(staff.role_codes)
        branch_ids = None if roles & ORGANISATION_WIDE_ROLES else frozenset(staff.branches.values_list("id", flat=True))
        scope = Scope(organisation_id=staff.organisation_id, branch_ids=branch_ids, roles=roles)
    user._frontoffice_scope = scope
    return scope


def scope_queryset[M: Model](
    queryset: QuerySet[M],
    user: Any,
    *,
    organisation_field: str = "organisation",
    branch_field: str | None = "branch",
) -> QuerySet[M]:
    """Filter ``queryset`` to what ``user`` may see.

    ``organisation_field`` and ``branch_field`` are lookup paths from the
    model (``"branch__organisation"``, ``"visit__branch"``); pass
    ``branch_field=None`` for organisation-wide records.
    """
    scope = scope_for(user)
    if scope.is_empty:
        return queryset.none()
    queryset = queryset.filter(**{f"{organisation_field}_id": scope.organisation_id})
    if branch_field is not None and scope.branch_ids is not None:
        queryset = queryset.filter(**{f"{branch_field}_id__in": scope.branch_ids})
    return queryset
