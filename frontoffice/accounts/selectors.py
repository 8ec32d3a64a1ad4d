"""Reads of staff, qualifications and tokens, scoped to the user."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.core.scoping import scope_for

from .choices import Role
from .models import ApiToken, Qualification, StaffMember


def staff_list(
    *, user: Any, search: str = "", role: str = "", branch_id: int | None = None, include_inactive: bool = False
) -> QuerySet[StaffMember]:
    scope = scope_for(user)
    if scope.organisation_id is None:
        return StaffMember.objects.none()
    staff = StaffMember.objects.filter(organisation_id=scope.organisation_id)
    if scope.branch_ids is not None:
        staff = staff.filter(
            Exists(
                StaffMember.branches.through.objects.filter(
                    staffmember_id=OuterRef("pk"), branch_id__in=scope.branch_ids
                )
            )
        )
    if not include_inactive:
        staff = staff.filter(is_active=True)
    if search:
        for word in search.split():
            staff = staff.filter(
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__username__icontains=word)
                | Q(job_title__icontains=word)
            )
    if role:
        staff = staff.filter(user__groups__name=role)
    if branch_id:
        staff = staff.filter(
            Exists(StaffMember.branches.through.objects.filter(staffmember_id=OuterRef("pk"), branch_id=branch_id))
        )
    return staff.select_related("user", "contractor").prefetch_related("branches", "user__groups")


def staff_get(*, user: Any, pk: int) -> StaffMember:
    try:
        return staff_list(user=user, include_inactive=True).get(pk=pk)
    except StaffMember.DoesNotExist:
        raise Http404 from None


def staff_role_counts(*, user: Any) -> dict[str, int]:
    rows = staff_list(user=user).values("user__groups__name").annotate(n=Count("pk", distinct=True)).order_by()
    counts = {row["user__groups__name"]: row["n"] for row in rows if row["user__groups__name"] in Role.values}
    return {role: counts.get(role, 0) for role in Role.values}


def qualifications_expiring(*, user: Any, within_days: int = 30, today: date | None = None) -> QuerySet[Qualification]:
    today = today or timezone.localdate()
    visible = staff_list(user=user)
    return (
        Qualification.objects.filter(
            staff__in=visible, valid_until__isnull=False, valid_until__lte=today + timedelta(days=within_days)
        )
        .select_related("staff__user")
        .order_by("valid_until")
    )


def own_qualifications(*, user: Any) -> QuerySet[Qualification]:
    staff = getattr(user, "staff", None)
    if staff is None:
        return Qualification.objects.none()
    return staff.qualifications.order_by("valid_until")


def privileged_without_mfa(*, user: Any) -> QuerySet[StaffMember]:
    confirmed = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return (
        staff_list(user=user)
        .filter(user__groups__name__in=["manager", "executive", "admin"])
        .exclude(Exists(confirmed))
        .distinct()
    )


def token_list(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_get(*, user: Any, pk: int) -> ApiToken:
    try:
        return token_list(user=user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
