"""Authentication and permissions.

Personal bearer tokens first, then the browser session (with CSRF); an
authenticated user who is not an active staff member gets 403.
``@requires(perm, ...)`` guards an endpoint and documents the permissions in OpenAPI.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

import ninja.security
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.utils import contribute_operation_callback

from .problems import NOT_A_STAFF_MEMBER


class NotAStaffMember(PermissionDenied):
    problem_type = NOT_A_STAFF_MEMBER


def _require_membership(user: Any) -> None:
    """Every endpoint works inside an organisation: no active staff membership, no API."""
    staff = getattr(user, "staff", None)  # RelatedObjectDoesNotExist is an AttributeError
    if staff is None or not staff.is_active:
        raise NotAStaffMember(_("Your account is not an active staff member of any organisation."))


def _activate_preferences(user: Any) -> None:
    """What ``UserPreferencesMiddleware`` does for sessions, for token requests."""
    staff = getattr(user, "staff", None)
    organisation = staff.organisation if staff is not None else None
    language = user.language or (organisation.default_language if organisation else "")
    if language:
        translation.activate(language)
    zone = user.time_zone or (organisation.time_zone if organisation else "")
    if zone:
        timezone.activate(zoneinfo.ZoneInfo(zone))


class TokenAuth(ninja.security.HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token.

    A request that sends a bearer token is decided by it: a wrong, revoked or
    expired token is 401 and never falls back to the session.
    """

    openapi_bearerFormat = "Front Office personal API token"  # becomes the scheme's "bearerFormat"

    def __init__(self, *, authenticate: Callable[[str], Any]) -> None:
        self._check_token = authenticate
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = self._check_token(token.strip()) if token.strip() else None
        if user is None:
            raise AuthenticationError(message=_("The API token is not valid, has expired or was revoked."))
        # The shared selectors take ``user=``; code reading request.user must see the same person.
        request.user = user
        _activate_preferences(user)
        _require_membership(user)
        return user


class SessionAuth(ninja.security.SessionAuth):
    """The browser session; unsafe methods need the CSRF token (``X-CSRFToken`` header)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None  # nothing to protect: skip the CSRF check and answer 401, not 403
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            _require_membership(user)
        return user


def current_user(request: HttpRequest) -> Any:
    """The authenticated user of an API request (set by ``TokenAuth`` or ``SessionAuth``)."""
    return request.auth  # type: ignore[attr-defined]


def requires(*perms: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse the request with 403 unless the user holds every one of ``perms``."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = current_user(request)
            if not all(user.has_perm(perm) for perm in perms):
                raise PermissionDenied(_("You do not have permission to perform this action."))
            return view(request, *args, **kwargs)

        def document(operation: Any) -> None:
            note = "Requires permission " + ", ".join(f"`{perm}`" for perm in perms) + "."
            operation.description = f"{operation.description}\n\n{note}".strip() if operation.description else note

        if perms:
            contribute_operation_callback(checked, document)
        return checked

    return decorate
