"""Shared API machinery: authentication, problem+json errors, pagination, idempotency, docs.

Every app's ``api.py`` builds on this module and ``config/api.py`` assembles the
``FrontOfficeAPI``. The pieces, top to bottom:

- **problems**: every error leaves the API as RFC 7807 ``application/problem+json``;
- **authentication**: personal bearer tokens first, then the browser session
  (with CSRF); an authenticated user who is not an active staff member gets 403;
- **permissions**: ``@requires(perm, ...)`` on an endpoint, documented in OpenAPI;
- **input**: ``InSchema`` and ``Text`` refuse NUL characters (PostgreSQL cannot
  store them) and unknown fields (nothing a client sends is silently dropped);
- **pagination**: ``?limit=&offset=`` with ``{"count": N, "items": [...]}``;
- **idempotency**: ``@idempotent`` honours the ``Idempotency-Key`` header;
- **docs**: Swagger UI served from the files bundled with django-ninja, so the
  page needs no CDN and no inline script under the project's CSP.

The core layer must not import ``accounts``; the bearer token check is handed in
by ``config/api.py`` (``TokenAuth(authenticate=...)``).
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import mimetypes
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from http import HTTPStatus
from pathlib import Path as FilePath
from typing import Annotated, Any

import ninja
import ninja.security
from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.template import RequestContext, Template
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.pagination import PaginationBase
from ninja.utils import contribute_operation_callback
from pydantic import AfterValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from .concurrency import StaleEdit
from .models import IdempotencyRecord

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("django.request")

# The largest primary key SQLite and PostgreSQL (bigint) can hold. Bigger ids in a
# path or filter would overflow the database driver: they are refused with 422.
MAX_ID = 2**63 - 1


# --------------------------------------------------------------------------
# Problems (RFC 7807)
# --------------------------------------------------------------------------

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types are stable identifiers, not pages: clients branch on them.
# "about:blank" means the HTTP status says it all (RFC 7807, section 4.2).
PROBLEM_TYPE_PREFIX = "urn:frontoffice:problem:"


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_PREFIX + slug


VALIDATION_ERROR = problem_type("validation-error")
INVALID_BODY = problem_type("invalid-body")
CSRF_FAILED = problem_type("csrf-failed")
STALE_EDIT = problem_type("stale-edit")
CONFLICT = problem_type("conflict")
IDEMPOTENCY_KEY_REUSED = problem_type("idempotency-key-reused")
IDEMPOTENCY_KEY_INVALID = problem_type("idempotency-key-invalid")
NOT_A_STAFF_MEMBER = problem_type("not-a-staff-member")


def _status_title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Permission denied"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
        422: _("Validation failed"),
        429: _("Too many requests"),
        500: _("Server error"),
    }
    if status in titles:
        return titles[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _("Error")


def problem(
    request: HttpRequest,
    status: int,
    *,
    detail: str,
    title: str | None = None,
    type: str = "about:blank",  # the RFC's name for the field
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An ``application/problem+json`` response; ``title`` defaults to the status's meaning."""
    body: dict[str, Any] = {
        "type": type,
        "title": str(title or _status_title(status)),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class FieldError(Schema):
    """One problem with one input field."""

    field: str | None = Field(
        description="Dotted path of the field, e.g. `name` or `items.0.code`; null for the request as a whole."
    )
    message: str = Field(description="What is wrong, in the user's language where available.")
    code: str = Field(description="Stable machine-readable code, e.g. `missing`, `max_length`, `unique`.")


class Problem(Schema):
    """An error, as RFC 7807 problem details (`application/problem+json`)."""

    type: str = Field(description=f"`about:blank` when the status says it all, else `{PROBLEM_TYPE_PREFIX}<slug>`.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request and what to do about it.")
    instance: str | None = Field(None, description="The path of the request that failed.")
    errors: list[FieldError] | None = Field(None, description="Field errors; present on validation errors.")


def _field_path(parts: Iterable[Any]) -> str | None:
    joined = ".".join(str(part) for part in parts)
    return joined or None


def _ninja_field_errors(exc: NinjaValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors:
        if "field" in error and "message" in error:  # already shaped by FrontOfficeAPI
            errors.append(
                {
                    "field": error["field"],
                    "message": str(error["message"]),
                    "code": str(error.get("code") or error.get("type") or "invalid"),
                }
            )
        elif "loc" in error:
            errors.append(
                {
                    "field": _field_path(error["loc"][1:]),
                    "message": str(error.get("msg", "")),
                    "code": str(error.get("type", "invalid")),
                }
            )
        else:  # third-party shapes, e.g. {"cursor": "Invalid Cursor"}
            for field, message in error.items():
                errors.append({"field": str(field), "message": str(message), "code": "invalid"})
    return errors


def django_field_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """Field errors of a Django ``ValidationError`` (as ``message_dict``, plus each error's code)."""
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    errors = []
    for field, field_errors in by_field.items():
        for error in field_errors:
            for item in error.error_list:  # a single error, or the ones it wraps
                errors.append(
                    {
                        "field": None if field == NON_FIELD_ERRORS else field,
                        "message": item.messages[0],
                        "code": item.code or "invalid",
                    }
                )
    return errors


def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return problem(
        request,
        422,
        type=VALIDATION_ERROR,
        errors=_ninja_field_errors(exc),
        detail=_("The request has invalid values; see the errors for each field."),
    )


def _on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if isinstance(exc, StaleEdit):
        return problem(request, 409, type=STALE_EDIT, detail=" ".join(exc.messages))
    return problem(
        request,
        422,
        type=VALIDATION_ERROR,
        errors=django_field_errors(exc),
        detail=_("The request has invalid values; see the errors for each field."),
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status, message = exc.status_code, str(exc)
    if isinstance(exc, AuthenticationError):
        return _unauthenticated(request, None if message == "Unauthorized" else message)
    if status == 400 and message.startswith("Cannot parse request body"):
        return problem(request, 400, type=INVALID_BODY, detail=_("The request body is not valid JSON."))
    if status == 403 and message.startswith("CSRF"):
        return problem(
            request,
            403,
            type=CSRF_FAILED,
            detail=_(
                "CSRF check failed. With session authentication send the X-CSRFToken header; "
                "integrations should use a bearer token instead."
            ),
        )
    if status == 403 and message == "Forbidden":
        message = _("You do not have permission to perform this action.")
    if status == 429:
        message = _("Too many requests; wait before trying again.")
    return problem(request, status, detail=message)


def _unauthenticated(request: HttpRequest, detail: str | None = None) -> HttpResponse:
    return problem(
        request,
        401,
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
        detail=detail or _("Sign in, or send a personal API token in the header “Authorization: Bearer <token>”."),
    )


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, detail=_("There is no such record, or you may not see it."))


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or _("You do not have permission to perform this action.")
    return problem(request, 403, type=getattr(exc, "problem_type", "about:blank"), detail=detail)


def _on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Validation in the service catches duplicates first; this is two requests racing.
    logger.warning("API integrity error on %s: %s", request.path, exc)
    return problem(
        request,
        409,
        type=CONFLICT,
        detail=_("The change conflicts with a record saved at the same time. Reload and try again."),
    )


def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return problem(request, 413, detail=_("The request body is too large."))
    return problem(request, 400, detail=_("The request was refused as malformed."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Called inside ninja's ``except`` block: log it like Django does and tell the
    # test client (got_request_exception), so bugs are not hidden behind a clean 500.
    from django.core.signals import got_request_exception

    request_logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request}
    )
    got_request_exception.send(sender=None, request=request)
    response = problem(
        request, 500, detail=_("Something went wrong on our side. It has been logged; please try again.")
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, with the traceback
    return response


EXCEPTION_HANDLERS: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
    (Exception, _on_unexpected),
    (NinjaValidationError, _on_validation_error),
    (DjangoValidationError, _on_django_validation_error),
    (HttpError, _on_http_error),
    (Http404, _on_not_found),
    (ObjectDoesNotExist, _on_not_found),
    (PermissionDenied, _on_permission_denied),
    (IntegrityError, _on_integrity_error),
    (SuspiciousOperation, _on_suspicious),
]


def _problem_schema_components() -> dict[str, Any]:
    ref = "#/components/schemas/{model}"
    field_error = FieldError.model_json_schema(ref_template=ref)
    problem_schema = Problem.model_json_schema(ref_template=ref)
    problem_schema.pop("$defs", None)
    return {"FieldError": field_error, "Problem": problem_schema}


# --------------------------------------------------------------------------
# Authentication and permissions
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


def _find_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_find_nul(key) or _find_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_find_nul(item) for item in value)
    return False


def _nul_error() -> PydanticCustomError:
    return PydanticCustomError("nul_character", _("Text must not contain NUL characters."))


def _reject_nul(value: Any) -> Any:
    if _find_nul(value):
        raise _nul_error()
    return value


# A string parameter that refuses NUL characters; schemas deriving from
# ``InSchema`` get the same check on every field.
Text = Annotated[str, AfterValidator(_reject_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class InSchema(Schema):
    """Base for request bodies and query filters.

    Unknown fields are an error rather than ignored, text is stripped like
    Django forms do, and NUL characters are refused (PostgreSQL cannot store them).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        return _reject_nul(value)


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000


class PageParameters(Schema):
    """Which page of a list to return."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items to return (1–{MAX_LIMIT}).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class LimitOffsetPagination(PaginationBase):
    """``?limit=&offset=``; the answer is ``{"count": N, "items": [...]}`` in a stable order."""

    Input = PageParameters  # type: ignore[assignment]  # a named model reads better in OpenAPI

    class Output(Schema):
        count: int = Field(description="How many items match, across all pages.")
        items: list[Any]

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        queryset = stable_order(queryset)
        offset, limit = pagination.offset, pagination.limit
        return {"count": self._items_count(queryset), "items": queryset[offset : offset + limit]}


def stable_order(queryset: Any) -> Any:
    """Add the primary key as the last sort key, so that pages neither repeat nor skip rows."""
    if not isinstance(queryset, QuerySet):
        return queryset
    ordering = list(queryset.query.order_by) or (
        list(queryset.model._meta.ordering) if queryset.query.default_ordering else []
    )
    if not any(isinstance(key, str) and key.lstrip("-") in {"pk", "id"} for key in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)


# --------------------------------------------------------------------------
# Idempotency
# --------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as a header allows
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass
class _IdempotentRequest:
    key: str
    request_hash: str
    record: IdempotencyRecord | None = None  # the record this request reserved


def _request_hash(request: HttpRequest) -> str:
    body = request.body
    with contextlib.suppress(ValueError):  # the same JSON, however formatted, is the same request
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), ""):
        digest.update(part.encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status_code, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(request: HttpRequest, state: _IdempotentRequest) -> HttpResponse | None:
    """Reserve the key for this request, or return the stored answer of an earlier one.

    Runs inside the request's transaction. On PostgreSQL a racing request with the
    same key blocks on the unique (user, key) index until the first one commits,
    then gets an IntegrityError here and replays the stored answer; on SQLite the
    IMMEDIATE transactions already run one after the other.
    """
    user = current_user(request)
    records = IdempotencyRecord.objects.filter(user=user, key=state.key)
    existing = records.first()
    if existing is not None and existing.created_at < timezone.now() - settings.IDEMPOTENCY_KEY_TTL:
        existing.delete()  # expired: the key is free again
        existing = None
    if existing is None:
        try:
            with transaction.atomic():
                state.record = IdempotencyRecord.objects.create(
                    user=user,
                    key=state.key,
                    method=request.method or "",
                    path=request.path[:300],
                    request_hash=state.request_hash,
                    status_code=0,
                    response_body=b"",
                    content_type="",
                )
            return None
        except IntegrityError:
            existing = records.get()
    if existing.status_code == 0 or existing.request_hash != state.request_hash:
        # (status 0 cannot be seen: a reservation commits together with its answer.)
        return problem(
            request,
            422,
            type=IDEMPOTENCY_KEY_REUSED,
            detail=_("This Idempotency-Key was already used for a different request. Use a new key for a new request."),
            errors=[
                {"field": IDEMPOTENCY_HEADER, "message": _("Already used for a different request."), "code": "reused"}
            ],
        )
    return _replay(existing)


def _store(state: _IdempotentRequest, response: HttpResponse, redact: tuple[str, ...]) -> None:
    assert state.record is not None
    body = response.content
    if redact:
        data = json.loads(body)
        for name in redact:
            if name in data:
                data[name] = None
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    state.record.status_code = response.status_code
    state.record.response_body = body
    state.record.content_type = response.get("Content-Type", "application/json")
    state.record.save(update_fields=["status_code", "response_body", "content_type"])


def idempotent(view: Callable[..., Any] | None = None, *, redact: tuple[str, ...] = ()) -> Any:
    """Honour the ``Idempotency-Key`` header on an endpoint that creates something.

    With the header, the whole request runs in one transaction that first reserves
    (user, key). The same user sending the same key and the same body again gets
    the stored status and body (header ``Idempotent-Replayed: true``) without the
    endpoint running again; the same key with another body or endpoint is refused
    with 422. Only successful (2xx) answers are stored: after an error the key
    stays free, so a corrected request may reuse it. Records live for
    ``settings.IDEMPOTENCY_KEY_TTL``; older ones are ignored and replaced.

    ``redact`` names top-level response fields that must not be stored (a secret
    shown once); a replay returns them as null.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            state: _IdempotentRequest | None = getattr(request, "_frontoffice_idempotency", None)
            if state is not None:
                stored = _claim(request, state)
                if stored is not None:
                    return stored
            return view(request, *args, **kwargs)

        def run_in_transaction(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            @wraps(run)
            def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
                key = request.headers.get(IDEMPOTENCY_HEADER)
                if key is None:
                    return run(request, **kwargs)
                if not IDEMPOTENCY_KEY_PATTERN.match(key):
                    return problem(
                        request,
                        422,
                        type=IDEMPOTENCY_KEY_INVALID,
                        detail=_("The Idempotency-Key header must be 1 to 200 visible ASCII characters."),
                        errors=[{"field": IDEMPOTENCY_HEADER, "message": _("Invalid key."), "code": "invalid"}],
                    )
                try:
                    state = _IdempotentRequest(key=key, request_hash=_request_hash(request))
                except RequestDataTooBig:
                    return problem(request, 413, detail=_("The request body is too large."))
                request._frontoffice_idempotency = state  # type: ignore[attr-defined]
                with transaction.atomic():
                    response = run(request, **kwargs)
                    if state.record is not None:
                        if 200 <= response.status_code < 300:
                            _store(state, response, redact)
                        else:
                            transaction.set_rollback(True)  # free the key; undo partial work
                return response

            return wrapped

        decorate_view(run_in_transaction)(guarded)
        contribute_operation_callback(guarded, _document_idempotency)
        return guarded

    return decorate(view) if view is not None else decorate


def _document_idempotency(operation: Any) -> None:
    parameter = {
        "in": "header",
        "name": IDEMPOTENCY_HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": (
            "Any unique string (e.g. a UUID). Sending the same key with the same body again returns the "
            f"stored answer (header `{REPLAYED_HEADER}: true`) instead of creating a second record; "
            "the same key with a different body is refused with 422. Keys are remembered for "
            f"{int(settings.IDEMPOTENCY_KEY_TTL.total_seconds() // 3600)} hours."
        ),
    }
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), parameter]
    operation.openapi_extra = extra


def idempotency_records_purge(*, older_than: timedelta | None = None) -> int:
    """Delete records past their time to live; returns how many went."""
    cutoff = timezone.now() - (older_than or settings.IDEMPOTENCY_KEY_TTL)
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --------------------------------------------------------------------------
# Docs: Swagger UI from django-ninja's bundled files
# --------------------------------------------------------------------------

DOCS_ASSETS_DIR = FilePath(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"})

# Only external files and a JSON data block (which browsers never execute), so the
# page passes script-src 'self' without a nonce; no CDN is contacted.
_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ api.title }} — documentation</title>
<link rel="stylesheet" href="{{ assets }}swagger-ui.css?v={{ version }}">
<link rel="icon" href="{{ assets }}favicon.svg?v={{ version }}" type="image/svg+xml">
</head>
<body data-csrf-token="{% if add_csrf %}{{ csrf_token }}{% endif %}" data-api-csrf="{% if add_csrf %}true{% endif %}">
<script type="application/json" id="swagger-settings">{{ swagger_settings|safe }}</script>
<div id="swagger-ui"></div>
<script src="{{ assets }}swagger-ui-bundle.js?v={{ version }}"></script>
<script src="{{ assets }}swagger-ui-init.js?v={{ version }}"></script>
</body>
</html>
"""


class LocalSwagger(Swagger):
    """Swagger UI without a CDN: the page and its assets come from this API's URLs."""

    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # The default validator badge loads an image from validator.swagger.io.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        settings_json = json.dumps(self.settings).replace("<", "\\u003c")  # cannot close the data block
        context = {
            "api": api,
            "swagger_settings": settings_json,
            "add_csrf": _csrf_needed(api),
            "assets": f"{request.path.rstrip('/')}/assets/",
            "version": ninja.__version__,
        }
        return HttpResponse(Template(_SWAGGER_PAGE).render(RequestContext(request, context)))


def docs_asset(request: HttpRequest, name: str) -> HttpResponseBase:
    if name not in DOCS_ASSETS:
        return _api_not_found(request)
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse((DOCS_ASSETS_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"  # busted by ?v=<ninja version>
    return response


# --------------------------------------------------------------------------
# The API class
# --------------------------------------------------------------------------


class FrontOfficeAPI(ninja.NinjaAPI):
    """NinjaAPI with problem+json everywhere, plain operation ids and self-hosted docs."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("docs", LocalSwagger())
        super().__init__(**kwargs)

    def set_default_exception_handlers(self) -> None:
        for exc_class, handler in EXCEPTION_HANDLERS:
            self.add_exception_handler(exc_class, handler)

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> NinjaValidationError:
        """Field paths as clients know them: ``name``, not ``body.payload.name``."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            single_body = getattr(model, "__read_from_single_attr__", None)
            flatten = getattr(model, "__ninja_flatten_map_reverse__", {})
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(flatten.get(error["loc"], error["loc"]))
                if single_body and loc[:1] == (single_body,):
                    loc = loc[1:]
                errors.append({"field": _field_path(loc), "message": error["msg"], "code": error["type"]})
        return NinjaValidationError(errors)

    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {}).update(_problem_schema_components())
        for route, item in schema["paths"].items():
            for operation in item.values():
                _document_errors(route, operation)
        return schema

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls: list[URLPattern | URLResolver] = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                continue  # replaced by the catch-all below
            if isinstance(pattern, URLPattern):
                pattern.callback = _problem_for_405(pattern.callback)
            urls.append(pattern)
        if self.docs_url:
            docs = self.docs_url.strip("/")
            urls.append(path(f"{docs}/assets/<str:name>", docs_asset, name="docs-asset"))
        urls.append(path("", _api_not_found, name="api-root"))
        urls.append(re_path(r"^.*$", _api_not_found, name="api-not-found"))
        return urls


def _document_errors(route: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})

    def add(status: int, description: str) -> None:
        responses.setdefault(
            status,
            {
                "description": description,
                "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            },
        )

    if "requestBody" in operation:
        add(400, "The body is not valid JSON.")
    if operation.get("security"):
        add(401, "No valid session or API token.")
        add(403, "Not allowed: missing permission, not a staff member, or a failed CSRF check.")
    if "{" in route:
        add(404, "No such record, or it is outside the user's organisation or branches.")
    if "requestBody" in operation or operation.get("parameters"):
        add(422, "Invalid input; `errors` lists each field.")


def _problem_for_405(view: Callable[..., Any]) -> Callable[..., Any]:
    def convert(request: HttpRequest, response: Any) -> Any:
        if isinstance(response, HttpResponseNotAllowed):
            return problem(
                request,
                405,
                headers={"Allow": response["Allow"]},
                detail=_("This address does not accept %(method)s requests.") % {"method": request.method},
            )
        return response

    if inspect.iscoroutinefunction(view):

        @wraps(view)
        async def wrapped_async(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            return convert(request, await view(request, *args, **kwargs))

        return wrapped_async

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return convert(request, view(request, *args, **kwargs))

    return wrapped


def _api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problem(request, 404, detail=_("There is no API endpoint at this address."))
