"""Every write to organisations, branches, opening hours and departments."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db import transaction

from .audit import audit, signed_in_user
from .concurrency import bump_version, check_version
from .models import Branch, Department, OpeningHours, Organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, user: Any, expected_version: int | None, **fields: Any
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_version(organisation, expected_version)
    changed = _assign(organisation, fields)
    bump_version(organisation, user=user)
    organisation.full_clean()
    organisation.save()
    audit(
        actor=user,
        action="organisation.update",
        target=organisation,
        organisation=organisation,
        summary=organisation.name,
        data={"changed": changed},
    )
    return organisation


@transaction.atomic
def branch_create(*, organisation: Organisation, user: Any, **fields: Any) -> Branch:
    branch = Branch(organisation=organisation, updated_by=signed_in_user(user), **fields)
    branch.full_clean()
    branch.save()
    audit(
        actor=user, action="branch.create", target=branch, organisation=organisation, branch=branch, summary=branch.name
    )
    return branch


@transaction.atomic
def branch_update(*, branch: Branch, user: Any, expected_version: int | None, **fields: Any) -> Branch:
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    check_version(branch, expected_version)
    changed = _assign(branch, fields)
    bump_version(branch, user=user)
    branch.full_clean()
    branch.save()
    audit(
        actor=user,
        action="branch.update",
        target=branch,
        organisation=branch.organisation,
        branch=branch,
        summary=branch.name,
        data={"changed": changed},
    )
    return branch


@transaction.atomic
def branch_set_opening_hours(*, branch: Branch, user: Any, periods: list[tuple[int, time, time]]) -> list[OpeningHours]:
    """Replace the branch's weekly opening hours with ``periods`` (weekday, opens, closes)."""
    rows = [OpeningHours(branch=branch, weekday=day, opens_at=start, closes_at=end) for day, start, end in periods]
    for row in rows:
        row.full_clean()
    branch.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(rows)
    audit(
        actor=user,
        action="branch.opening_hours",
        target=branch,
        organisation=branch.organisation,
        branch=branch,
        summary=branch.name,
        data={"periods": [[day, start.isoformat("minutes"), end.isoformat("minutes")] for day, start, end in periods]},
    )
    return rows


@transaction.atomic
def department_create(*, branch: Branch, user: Any, **fields: Any) -> Department:
    department = Department(branch=branch, updated_by=signed_in_user(user), **fields)
    department.full_clean()
    department.save()
    audit(
        actor=user,
        action="department.create",
        target=department,
        organisation=branch.organisation,
        branch=branch,
        summary=department.name,
    )
    return department


def _assign(instance: Any, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
