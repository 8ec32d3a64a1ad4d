"""Permission-matrix entries for the clients app (merged into tests/test_permission_matrix.py).

Clients belong to the organisation and are visible to all its branches, so
only ``outsider_org`` gets 404 for a client (``org_scoped``).
"""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EDITORS = frozenset({"clerk", "agent", "manager", "admin"})
REVIEWERS = frozenset({"manager", "admin"})

CASES: dict[str, Case] = {
    "clients:client_list": Case(roles=VIEWERS),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """A client of the personas' organisation, for object URLs."""
    from frontoffice.clients.services import ClientData, client_create

    client = client_create(
        organisation=ctx["clerk"].staff.organisation,
        actor=ctx["clerk"],
        data=ClientData(given_name="Zofia", family_name="Żółw", phones=["600 100 200"]),
        branch=ctx["branch"],
    )
    return {"client": client}
