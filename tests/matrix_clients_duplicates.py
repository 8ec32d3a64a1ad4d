"""Permission-matrix entries for duplicate review, merge and unmerge (managers and administrators only).

Clients belong to the organisation, so only ``outsider_org`` gets 404 for them (``org_scoped``).
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case, api_case

REVIEWERS = frozenset({"manager", "admin"})


def _pair(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"a": ctx["twin_a"].pk, "b": ctx["twin_b"].pk}


CASES: dict[str, Case] = {
    "clients:duplicate_list": Case(roles=REVIEWERS),
    "clients:duplicate_not_same": Case(
        roles=REVIEWERS, method="post", org_scoped=True, ok=(302,), data=lambda ctx: {**_pair(ctx), "reason": "Inne"}
    ),
    "clients:merge": Case(roles=REVIEWERS, org_scoped=True, kwargs=_pair),
    "clients:merge_list": Case(roles=REVIEWERS),
    "clients:merge_undo": Case(
        roles=REVIEWERS, method="post", org_scoped=True, ok=(302,), kwargs=lambda ctx: {"pk": ctx["merge"].pk}
    ),
    "api:duplicate_list": api_case(roles=REVIEWERS),
    "api:duplicate_not_same": api_case(
        roles=REVIEWERS,
        method="post",
        org_scoped=True,
        ok=(201,),
        data=lambda ctx: {"client_id_a": ctx["twin_a"].pk, "client_id_b": ctx["twin_b"].pk},
    ),
    "api:client_merge": api_case(
        roles=REVIEWERS,
        method="post",
        org_scoped=True,
        ok=(201,),
        kwargs=lambda ctx: {"client_id": ctx["twin_a"].pk},
        data=lambda ctx: {"other_id": ctx["twin_b"].pk, "survivor_id": ctx["twin_a"].pk},
    ),
    "api:merge_undo": api_case(
        roles=REVIEWERS, method="post", org_scoped=True, kwargs=lambda ctx: {"merge_id": ctx["merge"].pk}
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """Two records of one person (to merge or tell apart), and a merge in force (to undo)."""
    from frontoffice.clients.merging import client_merge
    from frontoffice.clients.services import ClientData, client_create

    organisation = ctx["manager"].staff.organisation

    def person(given: str, family: str) -> Any:
        return client_create(
            organisation=organisation, actor=ctx["manager"], data=ClientData(given_name=given, family_name=family)
        )

    twin_a, twin_b = person("Adam", "Bliźniak"), person("Adam", "Blizniak")
    kept, gone = person("Ewa", "Scalona"), person("Ewa", "Scalona")
    merge = client_merge(survivor=kept, merged=gone, actor=ctx["manager"], field_choices={})
    return {"twin_a": twin_a, "twin_b": twin_b, "merge": merge}
