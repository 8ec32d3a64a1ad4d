"""The API contract is code: the OpenAPI document is valid and matches tests/snapshots/openapi.json.

After an intended change to the API, refresh the snapshot and review its diff:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client, db) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict[str, Any]):
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield route, method, operation


def test_openapi_schema_matches_snapshot(schema):
    # given
    generated = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    # when a refresh is asked for
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(generated, encoding="utf-8")
        return
    # then
    if not SNAPSHOT.exists():
        pytest.fail(
            f"No snapshot at {SNAPSHOT}. Create it with: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py"
        )
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if generated != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                fromfile="tests/snapshots/openapi.json (committed)",
                tofile="openapi.json (generated now)",
            )
        )
        if len(diff) > 12_000:
            diff = diff[:12_000] + "\n… (diff cut short)\n"
        pytest.fail(
            "The API contract changed. If the change is intended, refresh the snapshot and commit it:\n"
            "    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py\n\n" + diff,
            pytrace=False,
        )


def test_openapi_document_is_valid_openapi_3(schema):
    # given
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator is not installed")
    # then
    assert schema["openapi"].startswith("3.")
    validator.validate(schema)


def test_every_operation_is_described(schema):
    # given
    operation_ids = []
    # then
    assert schema["openapi"].startswith("3.")
    for route, method, operation in _operations(schema):
        where = f"{method.upper()} {route}"
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert operation.get("tags"), where
        assert operation.get("responses"), where
        assert any(str(status).startswith("2") for status in operation["responses"]), where
        operation_ids.append(operation["operationId"])
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


def test_every_operation_is_authenticated_and_documents_its_errors(schema):
    # then
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "Front Office personal API token",
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    for route, method, operation in _operations(schema):
        where = f"{method.upper()} {route}"
        assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], where
        responses = operation["responses"]
        for status in ("401", "403"):
            assert responses[status]["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }, where
        if "{" in route:
            assert "404" in responses, where
        if "requestBody" in operation:
            assert {"400", "422"} <= responses.keys(), where


def test_problem_schema_lists_field_errors(schema):
    # then
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    field_error = schema["components"]["schemas"]["FieldError"]
    assert set(field_error["properties"]) == {"field", "message", "code"}


def test_every_list_is_paginated_in_the_contract(schema):
    # given every GET without a path parameter that answers JSON
    collections = []
    for route, method, op in _operations(schema):
        content = op["responses"].get("200", {}).get("content", {})
        if method != "get" or "{" in route or "application/json" not in content:
            continue
        collections.append((route, content["application/json"]["schema"]))
    # then none returns a bare array: lists come as pages
    assert not [route for route, body in collections if body.get("type") == "array"]
    lists = [
        (route, body) for route, body in collections if body.get("$ref", "").startswith("#/components/schemas/Paged")
    ]
    assert {"/api/v1/branches", "/api/v1/staff", "/api/v1/tokens"} <= {route for route, _body in lists}
    for route, body in lists:
        operation = schema["paths"][route]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert parameters["limit"]["schema"]["maximum"] == 200, route
        assert parameters["limit"]["schema"]["default"] == 50, route
        assert parameters["offset"]["schema"]["minimum"] == 0, route
        page = body["$ref"].rsplit("/", 1)[1]
        assert set(schema["components"]["schemas"][page]["required"]) == {"count", "items"}, route


def test_every_create_accepts_an_idempotency_key(schema):
    # then
    creates = [
        (route, op) for route, method, op in _operations(schema) if method == "post" and "201" in op["responses"]
    ]
    assert {"/api/v1/branches", "/api/v1/tokens"} <= {route for route, _op in creates}
    for route, operation in creates:
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, route
