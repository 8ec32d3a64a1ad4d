"""Reads of the phone line's set-up: each branch's phone settings and its blocked numbers.

``branch_phone_settings`` and ``blocked_number_active`` serve the CTI webhook (no user: the token names the
branch); the others are scoped to the signed-in user's branches.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frontoffice.core import selectors as core_selectors
from frontoffice.core.models import Branch
from frontoffice.core.queries import single
from frontoffice.core.scoping import scope_queryset

from ..models import BlockedNumber, PhoneSettings


def branch_phone_settings(*, branch_id: int) -> PhoneSettings:
    """The branch's phone settings; an unsaved row with the defaults when nobody has set them."""
    found = single(PhoneSettings.objects.filter(branch_id=branch_id))
    return found if found is not None else PhoneSettings(branch_id=branch_id)


def blocked_number_active(*, branch_id: int, number: str) -> BlockedNumber | None:
    """The branch's active block of ``number`` (E.164), if any."""
    if not number:
        return None
    return single(BlockedNumber.objects.filter(branch_id=branch_id, number=number, removed_at__isnull=True))


def phone_settings_list(*, user: Any) -> list[tuple[Branch, PhoneSettings]]:
    """Every branch of the user's with its phone settings (the defaults where none are saved)."""
    branches = list(core_selectors.branch_list(user=user).order_by("name", "pk"))
    saved = {row.branch_id: row for row in PhoneSettings.objects.filter(branch__in=branches)}
    return [(branch, saved.get(branch.pk) or PhoneSettings(branch=branch)) for branch in branches]


def phone_settings_branch(*, user: Any, pk: int) -> Branch:
    """One of the user's branches, for its phone settings page (404 for another's)."""
    try:
        return core_selectors.branch_list(user=user).get(pk=pk)
    except Branch.DoesNotExist:
        raise Http404 from None


def blocked_number_list(*, user: Any, include_removed: bool = False) -> QuerySet[BlockedNumber]:
    """Blocked numbers of the user's branches, newest first; removed ones too when asked (the history)."""
    rows = scope_queryset(BlockedNumber.objects.all(), user).select_related("branch", "added_by", "removed_by")
    if not include_removed:
        rows = rows.filter(removed_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def blocked_number_get(*, user: Any, pk: int) -> BlockedNumber:
    try:
        return blocked_number_list(user=user, include_removed=True).get(pk=pk)
    except BlockedNumber.DoesNotExist:
        raise Http404 from None
