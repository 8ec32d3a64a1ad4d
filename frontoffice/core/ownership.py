"""Which organisation and branch a record belongs to, for any model.

A model may declare ``OWNER_PATHS = ("visit__branch", ...)``-style hints
later; today every owned model has ``organisation``, ``branch`` or a
``staff``/``user`` link that leads to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Owner:
    organisation_id: int
    branch_id: int | None


def owner_of(record: Model) -> Owner | None:
    obj: Any = record
    if obj._meta.model_name == "organisation" and obj._meta.app_label == "core":
        return Owner(organisation_id=obj.pk, branch_id=None)
    if obj._meta.model_name == "branch" and obj._meta.app_label == "core":
        return Owner(organisation_id=obj.organisation_id, branch_id=obj.pk)
    branch = getattr(obj, "branch", None)
    if branch is not None and hasattr(branch, "organisation_id"):
        return Owner(organisation_id=branch.organisation_id, branch_id=branch.pk)
    organisation_id = getattr(obj, "organisation_id", None)
    if organisation_id is not None:
        return Owner(organisation_id=organisation_id, branch_id=None)
    for link in ("staff", "user"):
        related = getattr(obj, link, None)
        if related is not None and related is not obj:
            owner = owner_of(related)
            if owner is not None:
                return owner
    return None
