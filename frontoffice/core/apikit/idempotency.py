"""Idempotency: ``@idempotent`` honours the ``Idempotency-Key`` header."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from ..models import IdempotencyRecord
from .auth import current_user
from .problems import IDEMPOTENCY_KEY_INVALID, IDEMPOTENCY_KEY_REUSED, problem

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
