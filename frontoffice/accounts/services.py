"""Every write to users, staff members, qualifications and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation

from .choices import EmployerKind, QualificationKind, Role
from .models import ApiToken, ContractorCompany, Qualification, StaffMember, User


@transaction.atomic
def staff_member_create(
    *,
    organisation: Organisation,
    actor: Any,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    branches: Iterable[Branch],
    password: str | None = None,
    job_title: str = "",
    phone: str = "",
    employer_kind: str = EmployerKind.IN_HOUSE,
    contractor: ContractorCompany | None = None,
    language: str = "",
) -> StaffMember:
    user = User(username=username, email=email.lower(), first_name=first_name, last_name=last_name, language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    staff = StaffMember(
        user=user,
        organisation=organisation,
        job_title=job_title,
        phone=phone,
        employer_kind=employer_kind,
        contractor=contractor,
        updated_by=signed_in_user(actor),
    )
    staff.full_clean()
    staff.save()
    _set_branches(staff, branches)
    _set_roles(user, roles)
    audit(
        actor=actor,
        action="staff.create",
        target=staff,
        organisation=organisation,
        summary=str(user),
        data={"roles": sorted(roles), "branches": sorted(b.pk for b in branches)},
    )
    return staff


@transaction.atomic
def staff_member_update(
    *,
    staff: StaffMember,
    actor: Any,
    expected_version: int | None,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    branches: Iterable[Branch],
    job_title: str,
    phone: str,
    employer_kind: str,
    contractor: ContractorCompany | None,
    is_active: bool,
) -> StaffMember:
    staff = StaffMember.objects.select_for_update().select_related("user", "organisation").get(pk=staff.pk)
    check_version(staff, expected_version)
    user = staff.user
    user.email, user.first_name, user.last_name = email.lower(), first_name, last_name
    user.is_active = is_active
    user.full_clean(exclude=["password"])
    user.save()
    staff.job_title, staff.phone, staff.is_active = job_title, phone, is_active
    staff.employer_kind, staff.contractor = employer_kind, contractor
    bump_version(staff, user=actor)
    staff.full_clean()
    staff.save()
    _set_branches(staff, branches)
    roles = sorted(roles)
    _set_roles(user, roles)
    audit(
        actor=actor,
        action="staff.update",
        target=staff,
        organisation=staff.organisation,
        summary=str(user),
        data={"roles": roles, "branches": sorted(b.pk for b in branches), "active": is_active},
    )
    return staff


def _set_branches(staff: StaffMember, branches: Iterable[Branch]) -> None:
    branches = list(branches)
    foreign = [b for b in branches if b.organisation_id != staff.organisation_id]
    if foreign:
        raise ValueError("A staff member can only work in their own organisation's branches.")
    staff.branches.set(branches)


def _set_roles(user: User, roles: Iterable[str]) -> None:
    codes = set(roles)
    unknown = codes - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    keep = list(user.groups.exclude(name__in=Role.values))
    user.groups.set(keep + list(Group.objects.filter(name__in=codes)))


@transaction.atomic
def qualification_add(
    *, staff: StaffMember, actor: Any, kind: str, name: str, number: str = "", valid_until: date | None = None
) -> Qualification:
    qualification = Qualification(
        staff=staff, kind=QualificationKind(kind), name=name, number=number, valid_until=valid_until
    )
    qualification.full_clean()
    qualification.save()
    audit(
        actor=actor,
        action="staff.qualification_add",
        target=staff,
        organisation=staff.organisation,
        summary=f"{staff}: {name}",
        data={"kind": kind, "valid_until": valid_until.isoformat() if valid_until else None},
    )
    return qualification


@transaction.atomic
def qualification_remove(*, qualification: Qualification, actor: Any) -> None:
    staff = qualification.staff
    audit(
        actor=actor,
        action="staff.qualification_remove",
        target=staff,
        organisation=staff.organisation,
        summary=f"{staff}: {qualification.name}",
    )
    qualification.delete()


@transaction.atomic
def user_set_preferences(*, user: User, language: str | None = None, time_zone: str | None = None) -> User:
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if time_zone is not None:
        user.time_zone = time_zone
        fields.append("time_zone")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the raw token, which is never stored."""
    raw = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[: len(settings.API_TOKEN_PREFIX) + 6],
        token_hash=hash_token(raw),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    staff = getattr(user, "staff", None)
    if staff is not None:
        audit(actor=user, action="api_token.create", target=token, organisation=staff.organisation, summary=name)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        staff = getattr(token.user, "staff", None)
        if staff is not None:
            audit(
                actor=actor,
                action="api_token.revoke",
                target=token,
                organisation=staff.organisation,
                summary=token.name,
            )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None."""
    if not raw.startswith(settings.API_TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute: a busy integration
    # should not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def staff_reset_mfa(*, staff: StaffMember, actor: Any) -> None:
    """Remove a colleague's authenticator (lost phone); they enrol again at next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=staff.user).delete()
    audit(actor=actor, action="staff.mfa_reset", target=staff, organisation=staff.organisation, summary=str(staff))
