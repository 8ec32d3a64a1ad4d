"""Permission-matrix entries for the reports app (merged into tests/test_permission_matrix.py).

Every staff member reads the metric dictionary; everyone who serves the public (not security staff)
opens the metrics overview, the dashboard, its charts and drill-down lists, and the values endpoint,
managers and above with every figure of their branches, clerks and agents with their own; executives
and administrators compare every branch. Figures are filtered, not objects: there is no 404 case here
(a branch filter of another branch is, in test_dashboard.py).
"""

from __future__ import annotations

from tests.permission_cases import Case, api_case

READERS = frozenset({"clerk", "agent", "manager", "executive", "admin"})
EXECUTIVES = frozenset({"executive", "admin"})


def _metric(ctx):
    return {"metric": "csat", "period": "week", "date": "2026-03-04"}


def _values(ctx):
    return {"metric": "csat", "from": "2026-03-02", "to": "2026-03-04"}


CASES: dict[str, Case] = {
    "reports:overview": Case(roles=READERS),
    "reports:metric_dictionary": Case(),
    "reports:dashboard": Case(roles=READERS),
    "reports:chart": Case(roles=READERS, data=_metric),
    "reports:drilldown": Case(roles=READERS, data=_metric),
    "reports:executive": Case(roles=EXECUTIVES),
    "api:reports_metric_list": api_case(),
    "api:reports_values": api_case(roles=READERS, data=_values),
}
