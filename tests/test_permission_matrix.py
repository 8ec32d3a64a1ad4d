"""Every URL name × every persona: who is let in, who gets 403, who gets 404.

Anonymous visitors are sent to the login page (401 problem+json on the API). A persona
whose role lacks the permission gets 403. A persona with the permission but
from another branch or organisation gets 404 for objects of ``branch``. A
URL that is not in ``MATRIX`` fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, MutableMapping
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from frontoffice.accounts.models import Qualification
from frontoffice.accounts.services import api_token_create
from tests.permission_cases import ADMIN, MANAGERS_UP, OUTSIDERS, ROLES_OF, Case, api_case
from tests.personas import build_personas


def _branch(ctx):
    return {"pk": ctx["branch"].pk}


def _clerk_staff(ctx):
    return {"pk": ctx["clerk"].staff.pk}


MATRIX: dict[str, Case] = {
    # Public pages
    "accounts:login": Case(public=True, overrides={p: 302 for p in ROLES_OF}),  # signed in: sent home
    "accounts:logout": Case(public=True, method="post", ok=(302,)),
    "accounts:password_reset": Case(public=True),
    "accounts:password_reset_done": Case(public=True),
    "accounts:password_reset_confirm": Case(public=True, kwargs=lambda ctx: {"uidb64": "MQ", "token": "x-y"}),
    "accounts:password_reset_complete": Case(public=True),
    "accounts:set_language": Case(public=True, method="post", data=lambda ctx: {"language": "en"}, ok=(302,)),
    "core:health": Case(public=True),
    # Signed-in pages
    "accounts:mfa_setup": Case(),
    "accounts:mfa_verify": Case(ok=(302,)),  # no device yet: sent on to set-up
    "accounts:profile": Case(),
    "accounts:token_list": Case(),
    "accounts:token_revoke": Case(
        method="post", kwargs=lambda ctx: {"pk": ctx["clerk_token"].pk}, ok=(302,), owner_only="clerk"
    ),
    "accounts:staff_list": Case(roles=MANAGERS_UP),
    "accounts:staff_detail": Case(roles=MANAGERS_UP, kwargs=_clerk_staff, scoped=True),
    "accounts:staff_create": Case(roles=ADMIN),
    "accounts:staff_edit": Case(roles=ADMIN, kwargs=_clerk_staff, scoped=True),
    "accounts:qualification_add": Case(
        roles=ADMIN,
        kwargs=_clerk_staff,
        scoped=True,
        method="post",
        data=lambda ctx: {"kind": "skill", "name": "Obsługa terminala"},
        ok=(302,),
    ),
    "accounts:qualification_remove": Case(
        roles=ADMIN,
        method="post",
        scoped=True,
        ok=(302,),
        kwargs=lambda ctx: {"pk": ctx["clerk"].staff.pk, "qualification_pk": ctx["qualification"].pk},
    ),
    "accounts:staff_reset_mfa": Case(roles=ADMIN, kwargs=_clerk_staff, scoped=True, method="post", ok=(302,)),
    "core:home": Case(),
    "core:organisation_detail": Case(roles=ADMIN),
    "core:branch_list": Case(),
    "core:branch_create": Case(roles=ADMIN),
    "core:branch_detail": Case(kwargs=_branch, scoped=True),
    "core:branch_edit": Case(roles=ADMIN, kwargs=_branch, scoped=True),
    "core:branch_hours": Case(roles=ADMIN, kwargs=_branch, scoped=True),
    "core:department_create": Case(roles=ADMIN, kwargs=_branch, scoped=True),
    "core:audit_list": Case(roles=MANAGERS_UP),
    "core:message_list": Case(roles=ADMIN),
    "core:record_history": Case(
        roles=MANAGERS_UP, scoped=True, kwargs=lambda ctx: {"model": "core.branch", "pk": ctx["branch"].pk}
    ),
}

_api = api_case


MATRIX.update(
    {
        # The API: public contract and documentation
        "api:openapi-json": _api(public=True),
        "api:openapi-view": _api(public=True),
        "api:docs-asset": _api(public=True, kwargs=lambda ctx: {"name": "swagger-ui.css"}),
        "api:api-root": _api(public=True, ok=(404,)),
        "api:api-not-found": _api(public=True, ok=(404,), path="/api/v1/no-such-endpoint"),
        # The API: signed in
        "api:me_get": _api(),
        "api:organisation_get": _api(),
        "api:branch_list": _api(),
        "api:branch_get": _api(kwargs=lambda ctx: {"branch_id": ctx["branch"].pk}, scoped=True),
        "api:branch_create": _api(
            roles=ADMIN, method="post", ok=(201,), data=lambda ctx: {"name": "Oddział Zachód", "code": "west"}
        ),
        "api:staff_list": _api(roles=MANAGERS_UP),
        "api:staff_get": _api(roles=MANAGERS_UP, kwargs=lambda ctx: {"staff_id": ctx["clerk"].staff.pk}, scoped=True),
        "api:token_list": _api(),
        "api:token_create": _api(method="post", ok=(201,), data=lambda ctx: {"name": "Centrala"}),
        "api:token_revoke": _api(
            method="post", kwargs=lambda ctx: {"token_id": ctx["clerk_token"].pk}, owner_only="clerk"
        ),
    }
)

# Each app's own entries: tests/matrix_<app>.py defines CASES and may define extend_world(ctx), run once
# per test process, and extend_case(ctx), run per case for state outside the database (files).
AREA_MODULES = [import_module(f"tests.{path.stem}") for path in sorted(Path(__file__).parent.glob("matrix_*.py"))]
for _module in AREA_MODULES:
    MATRIX.update(_module.CASES)

# URL names that belong to other test files.
COVERED_ELSEWHERE_PREFIXES: tuple[str, ...] = ()


def _all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    missing = sorted(
        name for name in _all_url_names() if name not in MATRIX and not name.startswith(COVERED_ELSEWHERE_PREFIXES)
    )
    assert not missing, f"Add these URL names to MATRIX in {__file__}: {missing}"


def expected_status(case: Case, persona: str | None) -> tuple[int, ...]:
    if persona in case.overrides:
        return (case.overrides[persona],)
    if case.public:
        return case.ok
    if persona is None:
        return (401,) if case.api else (302,)
    if ROLES_OF[persona] not in case.roles:
        return (403,)
    if case.owner_only and persona != case.owner_only:
        return (404,)
    if case.scoped and persona in OUTSIDERS:
        return (404,)
    if case.org_scoped and persona == "outsider_org":
        return (404,)
    return case.ok


def _build_world() -> dict:
    ctx = build_personas()
    token, _raw = api_token_create(user=ctx["clerk"], name="Integracja")
    ctx["clerk_token"] = token
    ctx["qualification"] = Qualification.objects.create(staff=ctx["clerk"].staff, kind="skill", name="Kasa fiskalna")
    for module in AREA_MODULES:
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            ctx.update(extend(ctx))
    return ctx


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world is built once per test process, inside a transaction rolled back when the module ends.

    Building it per test cost a third of a second, times some 2,400 cases. Each case still runs
    in its own savepoint (pytest-django's ``db``, nested in this block), so what one case writes
    is gone before the next; ``_from_testcase`` lets services open durable blocks as in a TestCase.
    """
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        block._from_testcase = True
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


class CopyOnRead(MutableMapping):
    """The module's world for one case: each value deep-copied the first time the case reads it, with one
    memo per case so that objects shared between values stay shared (Django's setUpTestData does the same).
    Copying the whole world for every case took most of the matrix's time."""

    def __init__(self, original: dict[str, Any]) -> None:
        self._original = original
        self._copies: dict[str, Any] = {}
        self._memo: dict[int, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._copies:
            self._copies[key] = copy.deepcopy(self._original[key], self._memo)
        return self._copies[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._copies[key] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("the world's values are not removed")

    def __iter__(self) -> Iterator[str]:
        return iter({**self._original, **self._copies})

    def __len__(self) -> int:
        return len({**self._original, **self._copies})


@pytest.fixture
def world(_module_world, db):
    # A copy per case, as Django's setUpTestData gives: a case that changes an object in memory
    # does not change it for the next one.
    ctx = CopyOnRead(_module_world)
    for module in AREA_MODULES:
        extend = getattr(module, "extend_case", None)
        if extend is not None:
            ctx.update(extend(ctx))
    return ctx


@pytest.mark.parametrize("persona", [None, *ROLES_OF])
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(client, world, url_name, persona):
    case = MATRIX[url_name]
    if persona is not None:
        client.force_login(world[persona])
    url = case.path or reverse(url_name, kwargs=case.kwargs(world))
    if case.api and case.method == "post":
        response = client.post(url, json.dumps(case.data(world)), content_type="application/json")
    else:
        response = getattr(client, case.method)(url, case.data(world))
    expected = expected_status(case, persona)
    assert response.status_code in expected, (
        f"{persona or 'anonymous'} {case.method.upper()} {url}: got {response.status_code}, expected {expected}"
    )
    if persona is None and not case.public and not case.api:
        assert response["Location"].startswith(reverse("accounts:login"))
    if case.api and response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
