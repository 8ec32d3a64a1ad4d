"""Voice metrics per team: calls taken through the CTI webhook on two teams' queues, rolled up, read per team."""

from __future__ import annotations

import datetime as dt

import pytest

from frontoffice.interactions.contacts import services as team_services
from frontoffice.interactions.tests.fixtures_phone import cti_post, cti_token  # noqa: F401 - the webhook fixtures
from frontoffice.reports.rollup import rollup
from frontoffice.reports.selectors import Filters, metric_value

pytestmark = pytest.mark.django_db

IN = {"from": "+48 600 200 300", "to": "+48221234500", "direction": "in"}
DAY = dt.date(2026, 11, 23)


def _team(branch, manager, name, members, queues):
    return team_services.team_create(branch=branch, actor=manager, name=name, members=members, phone_queues=queues)


def _call(cti_post, call_id, *, queue, agent, minute, wait):  # noqa: F811
    start = dt.datetime(2026, 11, 23, 9, minute, tzinfo=dt.UTC)

    def at(seconds):
        return (start + dt.timedelta(seconds=seconds)).isoformat()

    cti_post(event="newCall", callId=call_id, timestamp=at(0), queue=queue, **IN)
    if wait is None:  # the caller gives up after 40 s
        cti_post(event="hangup", callId=call_id, cause="cancel", timestamp=at(40), **IN)
        return
    cti_post(event="answer", callId=call_id, answeringNumber=agent, timestamp=at(wait), **IN)
    cti_post(event="hangup", callId=call_id, cause="normalClearing", timestamp=at(wait + 60), **IN)
    cti_post(event="wrapup_end", callId=call_id, timestamp=at(wait + 80), **IN)


def test_voice_metrics_roll_up_per_team(cti_post, organisation, branch, manager, executive, agent, clerk):  # noqa: F811
    line = _team(branch, manager, "Infolinia", [clerk], ["infolinia"])
    desk = _team(branch, manager, "Recepcja", [agent], ["recepcja"])
    _call(cti_post, "r1", queue="infolinia", agent="clerk", minute=0, wait=10)
    _call(cti_post, "r2", queue="infolinia", agent="clerk", minute=5, wait=30)
    _call(cti_post, "r3", queue="infolinia", agent="clerk", minute=10, wait=None)
    _call(cti_post, "r4", queue="recepcja", agent="agent", minute=15, wait=4)

    rollup(organisation=organisation, now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC), settle_seconds=0)

    def figure(key, team):
        return metric_value(user=executive, key=key, period=(DAY, DAY), filters=Filters(team_id=team.pk)).value

    assert figure("calls_offered", line) == 3
    assert figure("calls_answered", line) == 2
    assert figure("asa", line) == 20.0  # (10 + 30) / 2
    assert figure("abandonment_rate", line) == pytest.approx(100 / 3)  # 1 of 3 (40 s is no short abandon)
    assert figure("aht", line) == 80.0  # 60 s talk + 20 s wrap-up
    assert figure("calls_offered", desk) == 1
    assert figure("asa", desk) == 4.0
    assert figure("abandonment_rate", desk) == 0.0
    # The clerk's states: on a call 60 + 60 s, wrap-up 20 + 20 s, available 240 s between the calls.
    assert figure("occupancy", line) == 40.0  # 160 / 400
    assert figure("occupancy", desk) == 100.0  # 80 / 80: no available time ended yet
