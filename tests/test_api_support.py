"""Helpers shared by the API tests; this module holds no tests of its own.

(It is named ``test_api_*`` only so that the API work stays within its own files;
it could move to ``tests/api_support.py`` or into fixtures in ``conftest.py``.)
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from frontoffice.accounts.services import api_token_create

API = "/api/v1"
PROBLEM = "application/problem+json"


def raw_token(user: Any, **kwargs: Any) -> str:
    """A fresh personal API token of ``user``."""
    _token, raw = api_token_create(user=user, name="tests", **kwargs)
    return raw


def bearer_client(user: Any, **kwargs: Any) -> Client:
    """A client without a session that sends ``user``'s API token."""
    return Client(headers={"Authorization": f"Bearer {raw_token(user)}"}, **kwargs)


def post_json(client: Client, path: str, data: Any, **kwargs: Any) -> Any:
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(API + path, data=body, content_type="application/json", **kwargs)


def assert_problem(response: Any, status: int, *, type: str | None = None) -> dict[str, Any]:
    """Check an RFC 7807 answer and return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if type is not None:
        assert body["type"] == type
    return body


def field_errors(body: dict[str, Any]) -> dict[str | None, str]:
    """``{field: code}`` of a validation problem."""
    return {error["field"]: error["code"] for error in body["errors"]}
