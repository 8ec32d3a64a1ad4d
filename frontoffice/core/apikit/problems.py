"""Problems: every error leaves the API as RFC 7807 ``application/problem+json``.

``problem()`` builds such a response; ``EXCEPTION_HANDLERS`` turn the exceptions
ninja, Django and the services raise into one; ``Problem`` and ``FieldError``
describe the body in OpenAPI.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ..concurrency import StaleEdit

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("django.request")

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


# The answer for any address no endpoint handles: the API's catch-all routes and
# unknown docs assets. It lives here, not beside FrontOfficeAPI, so ``docs`` can use it too.
def _api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problem(request, 404, detail=_("There is no API endpoint at this address."))
