"""The contact list stays fast with a million rows: every filter is served by an index ending in the start
time, so a page is read from the index in order and the database never scans or sorts the whole table.

Checked on SQLite's query plan (PostgreSQL's planner decides by table statistics, which a test database
does not have)."""

import pytest
from django.db import connection

from frontoffice.interactions.contacts import selectors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan"),
]

FILTERS = {
    "nothing": {},
    "channel": {"channel": "phone"},
    "staff": {"staff_id": 1},
    "topic": {"topic_id": 1},
    "client": {"client_id": 1},
    "outcome": {"outcome": "wrong_number"},
    "needs a client": {"needs_client": True},
}


def _plan(user, filters):
    rows = selectors.interaction_list(user=user, filters=selectors.ContactFilters(**filters))[:51]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


@pytest.mark.parametrize("persona", ["clerk", "executive"])
@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_reads_the_contacts_through_an_index_in_time_order(request, persona, name):
    user = request.getfixturevalue(persona)

    plan = _plan(user, FILTERS[name])

    contacts = [step for step in plan if "interactions_interaction " in step + " "]
    assert contacts and all("USING INDEX interaction_" in step for step in contacts), plan
    assert not any(step.startswith("USE TEMP B-TREE FOR ORDER BY") for step in plan), plan
