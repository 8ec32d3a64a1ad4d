"""Per-user language and time zone; the second-factor gate."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontoffice.core.apikit import problem

from .mfa import confirmed_totp_device, mfa_required

# Paths a signed-in user who still owes a second factor may reach.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health")


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone (else the organisation's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            staff = getattr(user, "staff", None)
            organisation = staff.organisation if staff is not None else None
            language = user.language or (organisation.default_language if organisation else "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            zone = user.time_zone or (organisation.time_zone if organisation else "")
            if zone:
                timezone.activate(zoneinfo.ZoneInfo(zone))
        response = self.get_response(request)
        timezone.deactivate()
        return response


class MfaRequiredMiddleware:
    """Send a privileged user who has not passed a second factor to set one up or enter a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        pending = user.is_authenticated and not user.is_verified() and mfa_required(user)
        # The page shell hides the menu until the second factor is passed.
        request.mfa_pending = pending  # type: ignore[attr-defined]
        if pending and not request.path.startswith(MFA_EXEMPT_PREFIXES):
            if request.path.startswith("/api/"):
                return problem(
                    request,
                    403,
                    title=_("Second factor required"),
                    detail=_("Finish two-factor sign-in in the browser, or use an API token."),
                )
            target = "accounts:mfa_verify" if confirmed_totp_device(user) else "accounts:mfa_setup"
            return redirect(f"{_url(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
