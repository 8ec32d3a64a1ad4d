"""Permission-matrix entries for client search (the list API; the list page is in matrix_clients.py)."""

from __future__ import annotations

from tests.permission_cases import Case, api_case

VIEWERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})

CASES: dict[str, Case] = {
    "api:client_list": api_case(roles=VIEWERS),
}
