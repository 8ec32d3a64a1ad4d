"""Permission-matrix entries for adding and removing a client's relationships (merged into
tests/test_permission_matrix.py). The same people as editing a client; a client belongs to the
organisation, so only ``outsider_org`` gets 404 (``org_scoped``)."""

from __future__ import annotations

from typing import Any

from tests.permission_cases import Case

EDITORS = frozenset({"clerk", "agent", "manager", "admin"})


CASES: dict[str, Case] = {
    "clients:relationship_add": Case(roles=EDITORS, kwargs=lambda ctx: {"pk": ctx["client"].pk}, org_scoped=True),
    "clients:relationship_remove": Case(
        roles=EDITORS,
        kwargs=lambda ctx: {"pk": ctx["client"].pk, "relationship_pk": ctx["relationship"].pk},
        org_scoped=True,
        method="post",
        ok=(302,),
    ),
}


def extend_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """The organisation's client has an emergency contact, to remove."""
    from frontoffice.clients.services import relationship_add

    relationship = relationship_add(
        client=ctx["client"], actor=ctx["clerk"], kind="emergency", name="Jan Sąsiad", phone="601 200 300"
    )
    return {"relationship": relationship}
