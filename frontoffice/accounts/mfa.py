"""Who must pass a second factor, and whether they already have one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def mfa_required(user: Any) -> bool:
    """True when ``user`` holds a privileged role in an organisation that requires MFA."""
    if not getattr(user, "is_authenticated", False):
        return False
    staff = getattr(user, "staff", None)
    if staff is None:
        return False
    return staff.organisation.require_mfa and bool(set(staff.role_codes) & set(settings.MFA_ROLES))


def confirmed_totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
