"""On the demo, a manager's dashboard has voice and case figures (calls, agent states and worked cases)."""

from datetime import timedelta

from django.utils import timezone

from frontoffice.accounts.models import User
from frontoffice.core.demo import load_demo
from frontoffice.core.models import ReportingEvent
from frontoffice.reports.models import DailyRollup
from frontoffice.reports.rollup import rollup
from frontoffice.reports.selectors import metric_value

VOICE = ("calls_offered", "calls_answered", "asa", "abandonment_rate", "service_level", "aht", "occupancy")
CASES = (
    "first_response_time",
    "next_response_time",
    "resolution_time",
    "sla_first_response",
    "sla_next_response",
    "sla_resolution",
    "reopen_rate",
    "one_touch",
    "backlog",
    "backlog_age",
)


def test_a_demo_manager_sees_voice_and_case_figures_and_a_second_demo_changes_none(demo, db):
    organisations = demo
    rollup(settle_seconds=0)
    events, cells = ReportingEvent.objects.count(), DailyRollup.objects.count()
    load_demo()  # idempotent: no event is derived twice, so the roll-up has nothing new
    assert ReportingEvent.objects.count() == events
    assert rollup(settle_seconds=0) == 0
    assert DailyRollup.objects.count() == cells

    period = (timezone.localdate() - timedelta(days=41), timezone.localdate())
    for organisation in organisations:
        # The manager works in some branches only: figures are scoped to them (agent states included).
        manager = User.objects.get(staff__organisation=organisation, groups__name="manager")
        values = {key: metric_value(user=manager, key=key, period=period).value for key in (*VOICE, *CASES)}
        assert None not in values.values(), (organisation.slug, values)
        assert values["calls_answered"] < values["calls_offered"]
        assert 0 < values["abandonment_rate"] < 15
        assert 50 < values["service_level"] < 100
        assert 0 < values["occupancy"] < 100
        assert 0 < values["reopen_rate"] < 50
        assert 0 < values["sla_first_response"] < 100  # some first responses were late
        assert values["backlog"] > 0
