"""Shared API machinery: authentication, problem+json errors, pagination, idempotency, docs.

Every app's ``api.py`` builds on this package and ``config/api.py`` assembles the
``FrontOfficeAPI``. The pieces, one module each:

- ``problems``: every error leaves the API as RFC 7807 ``application/problem+json``;
- ``auth``: personal bearer tokens first, then the browser session (with CSRF);
  an authenticated user who is not an active staff member gets 403; permissions
  with ``@requires(perm, ...)`` on an endpoint, documented in OpenAPI;
- ``inputs``: ``InSchema`` and ``Text`` refuse NUL characters (PostgreSQL cannot
  store them) and unknown fields (nothing a client sends is silently dropped);
- ``pagination``: ``?limit=&offset=`` with ``{"count": N, "items": [...]}``;
- ``idempotency``: ``@idempotent`` honours the ``Idempotency-Key`` header;
- ``docs``: Swagger UI served from the files bundled with django-ninja, so the
  page needs no CDN and no inline script under the project's CSP.

This module ties them together in ``FrontOfficeAPI`` and re-exports the public
names, so callers import from ``frontoffice.core.apikit`` alone. The submodules
never import this one.

The core layer must not import ``accounts``; the bearer token check is handed in
by ``config/api.py`` (``TokenAuth(authenticate=...)``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any

import ninja
from django.http import HttpRequest, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.errors import ValidationErrorContext

from .auth import NotAStaffMember, SessionAuth, TokenAuth, current_user, requires
from .docs import DOCS_ASSETS, DOCS_ASSETS_DIR, LocalSwagger, docs_asset
from .idempotency import (
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_PATTERN,
    REPLAYED_HEADER,
    idempotency_records_purge,
    idempotent,
)
from .inputs import MAX_ID, Id, InSchema, Text, referenced
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, LimitOffsetPagination, PageParameters, stable_order
from .problems import (
    CONFLICT,
    CSRF_FAILED,
    EXCEPTION_HANDLERS,
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_REUSED,
    INVALID_BODY,
    NOT_A_STAFF_MEMBER,
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPE_PREFIX,
    STALE_EDIT,
    VALIDATION_ERROR,
    FieldError,
    Problem,
    _api_not_found,
    _field_path,
    _problem_schema_components,
    django_field_errors,
    problem,
    problem_type,
)

__all__ = [
    "CONFLICT",
    "CSRF_FAILED",
    "DEFAULT_LIMIT",
    "DOCS_ASSETS",
    "DOCS_ASSETS_DIR",
    "EXCEPTION_HANDLERS",
    "IDEMPOTENCY_HEADER",
    "IDEMPOTENCY_KEY_INVALID",
    "IDEMPOTENCY_KEY_PATTERN",
    "IDEMPOTENCY_KEY_REUSED",
    "INVALID_BODY",
    "MAX_ID",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "NOT_A_STAFF_MEMBER",
    "PROBLEM_CONTENT_TYPE",
    "PROBLEM_TYPE_PREFIX",
    "REPLAYED_HEADER",
    "STALE_EDIT",
    "VALIDATION_ERROR",
    "FieldError",
    "FrontOfficeAPI",
    "Id",
    "InSchema",
    "LimitOffsetPagination",
    "LocalSwagger",
    "NotAStaffMember",
    "PageParameters",
    "Problem",
    "SessionAuth",
    "Text",
    "TokenAuth",
    "current_user",
    "django_field_errors",
    "docs_asset",
    "idempotency_records_purge",
    "idempotent",
    "problem",
    "problem_type",
    "referenced",
    "requires",
    "stable_order",
]


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
