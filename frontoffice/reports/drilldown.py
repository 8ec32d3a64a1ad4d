"""Drill-down: the reporting events behind a dashboard figure, scoped like the figure itself.

A figure counts the events its metric's measures come from (``rollup.measures_of``), over local days of
each branch, up to the roll-up's watermark. ``MEASURE_EVENTS`` says the same in database terms, so that the
list is one indexed, paged query: the events of the measure's kind that pass the same tests on ``data``
(a first resolution, a short abandon, the SLA target, the survey type, a score on the scale). The tests
compare the list with what the roll-up counted, metric by metric.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from frontoffice.core.models import Branch, Organisation, ReportingEvent
from frontoffice.core.reporting import EventKind as K
from frontoffice.core.scoping import scope_for

from . import selectors
from .dictionary import Metric
from .formatting import duration_display
from .models import RollupState
from .rollup import QUEUE_PHASES, fcr_days_for
from .selectors import Filters, Period


def _falsy(key: str) -> Q:
    """``not data.get(key)`` for the values the recorders write (missing, null, false, 0)."""
    return (
        Q(**{f"data__{key}__isnull": True})
        | Q(**{f"data__{key}": None})
        | Q(**{f"data__{key}": False})
        | Q(**{f"data__{key}": 0})
    )


def _present(key: str) -> Q:
    """``data.get(key) is not None``."""
    return Q(**{f"data__{key}__isnull": False}) & ~Q(**{f"data__{key}": None})


FIRST_RESOLUTION = Q(kind=K.CASE_RESOLVED) & _falsy("reopened")

# measure → the events it is made of (rollup.measures_of, read the other way round).
MEASURE_EVENTS: dict[str, Q] = {
    "contacts": Q(kind=K.CONTACT_RECEIVED),
    "contacts.sent": Q(kind=K.CONTACT_SENT),
    "cases.created": Q(kind=K.CASE_CREATED),
    "backlog.in": Q(kind=K.CASE_CREATED),
    "first_response": Q(kind=K.CASE_FIRST_RESPONSE),
    "next_response": Q(kind=K.CASE_RESPONSE),
    "resolved": Q(kind=K.CASE_RESOLVED),
    "resolved.first": FIRST_RESOLUTION,
    "resolution": FIRST_RESOLUTION,
    "first_response.business": Q(kind=K.CASE_FIRST_RESPONSE) & _present("business_seconds"),
    "next_response.business": Q(kind=K.CASE_RESPONSE) & _present("business_seconds"),
    "resolution.business": FIRST_RESOLUTION & _present("business_seconds"),
    "one_touch": FIRST_RESOLUTION & Q(data__replies=1),
    "backlog.out": FIRST_RESOLUTION & Q(value__isnull=False),
    "reopened": Q(kind=K.CASE_REOPENED),
    "closed": Q(kind=K.CASE_CLOSED),
    **{
        f"sla.{outcome}.{target}": Q(kind=kind, data__target=target)
        for outcome, kind in (("met", K.SLA_MET), ("breached", K.SLA_BREACHED))
        for target in ("first_response", "next_response", "resolution")
    },
    "calls.offered": Q(kind=K.CALL_OFFERED),
    "calls.answered": Q(kind=K.CALL_ANSWERED),
    "calls.abandoned": Q(kind=K.CALL_ABANDONED) & _falsy("short"),
    "calls.abandoned.short": Q(kind=K.CALL_ABANDONED) & ~_falsy("short"),
    "handle": Q(kind=K.CALL_ENDED),
    **{f"state.{state}": Q(kind=K.AGENT_STATE, data__state=state) for state in ("available", "on_call", "wrap_up")},
    "visits": Q(kind=K.VISIT_FINISHED),
    "desk.service": Q(kind=K.QUEUE_SERVED),
    **{f"desk.wait.{phase}": Q(kind=K.QUEUE_SERVED) & _present(key) for key, phase in QUEUE_PHASES.items()},
    "surveys.sent": Q(kind=K.SURVEY_SENT),
    "surveys.answered": Q(kind=K.SURVEY_ANSWERED),
    # A metric on a survey scale ignores answers off the scale (and answers without a score).
    "survey.csat": Q(kind=K.SURVEY_ANSWERED, data__survey_type="csat", value__gte=1, value__lte=5),
    "survey.nps": Q(kind=K.SURVEY_ANSWERED, data__survey_type="nps", value__gte=0, value__lte=10),
    "survey.ces": Q(kind=K.SURVEY_ANSWERED, data__survey_type="ces", value__gte=1, value__lte=7),
    # FCR judges the contacts with a client and a topic; the days it has judged are limited below.
    "fcr.contacts": Q(kind=K.CONTACT_RECEIVED, client_id__isnull=False, topic_id__isnull=False),
    "fcr.resolved": Q(kind=K.CONTACT_RECEIVED, client_id__isnull=False, topic_id__isnull=False),
}
FCR_MEASURES = frozenset({"fcr.contacts", "fcr.resolved"})
# A business-hours figure counts the business seconds its events carry, not their calendar value.
BUSINESS_MEASURES = frozenset(measure for measure in MEASURE_EVENTS if measure.endswith(".business"))

KIND_LABELS = {
    K.CONTACT_RECEIVED: _("Contact received"),
    K.CONTACT_SENT: _("Contact sent"),
    K.CASE_CREATED: _("Case opened"),
    K.CASE_FIRST_RESPONSE: _("First reply"),
    K.CASE_RESPONSE: _("Reply"),
    K.CASE_RESOLVED: _("Case resolved"),
    K.CASE_REOPENED: _("Case reopened"),
    K.CASE_CLOSED: _("Case closed"),
    K.SLA_MET: _("SLA target met"),
    K.SLA_BREACHED: _("SLA target breached"),
    K.CALL_OFFERED: _("Call offered"),
    K.CALL_ANSWERED: _("Call answered"),
    K.CALL_ABANDONED: _("Call abandoned"),
    K.CALL_ENDED: _("Call handled"),
    K.AGENT_STATE: _("Agent state"),
    K.VISIT_FINISHED: _("Visit finished"),
    K.QUEUE_SERVED: _("Client served at the desk"),
    K.SURVEY_SENT: _("Survey sent"),
    K.SURVEY_ANSWERED: _("Survey answered"),
}

# subject_type → the URL name of its page (a survey answer links to its response, see record_url).
RECORD_PAGES = {
    "case": "interactions:case_detail",
    "interaction": "interactions:interaction_detail",
    "visit": "desk:visit_detail",
}


RECORD_LABELS = {
    "case": _("Case"),
    "interaction": _("Contact"),
    "visit": _("Visit"),
    "ticket": _("Desk ticket"),
    "invitation": _("Survey invitation"),
    "agent_state": _("Agent state"),
}


def record_label(event: ReportingEvent) -> str:
    """What the record is, with its number ("Case 901"; a survey answer: its response)."""
    response = (event.data or {}).get("response") if event.kind == K.SURVEY_ANSWERED else None
    if isinstance(response, int):
        return f"{_('Survey response')} {response}"
    return f"{RECORD_LABELS.get(event.subject_type, event.subject_type)} {event.subject_id}"


def event_value(event: ReportingEvent, metric: Metric | None = None) -> float | None:
    """The value ``metric`` counted of the event: its business seconds for a business-hours metric."""
    if metric is not None and BUSINESS_MEASURES & set(metric.measures):
        seconds = (event.data or {}).get("business_seconds")
        return float(seconds) if seconds is not None else None
    return event.value


def value_display(event: ReportingEvent, metric: Metric | None = None) -> str:
    """An event's value: a survey's score as it was given, anything else a duration."""
    value = event_value(event, metric)
    if value is None:
        return ""
    if event.kind == K.SURVEY_ANSWERED:
        return number_format(round(value), 0)
    return duration_display(value)


def record_url(event: ReportingEvent) -> str:
    """The page of the record an event is about, or "" when it has none."""
    if event.kind == K.SURVEY_ANSWERED:
        response = (event.data or {}).get("response")
        return reverse("feedback:response_detail", kwargs={"pk": response}) if isinstance(response, int) else ""
    name = RECORD_PAGES.get(event.subject_type)
    return reverse(name, kwargs={"pk": event.subject_id}) if name else ""


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _local_days(organisation_id: int, first: dt.date | None, last: dt.date) -> Q:
    """Events on the local days ``first``–``last`` (from the start when ``first`` is None) of their branch;
    an event without a branch by the organisation's time zone, as the roll-up counts them."""
    default = Organisation.objects.filter(pk=organisation_id).values_list("time_zone", flat=True).get()
    zones: dict[str, list[int]] = defaultdict(list)
    for pk, name in Branch.objects.filter(organisation_id=organisation_id).values_list("pk", "time_zone"):
        zones[name].append(pk)

    def span(name: str) -> Q:
        zone = ZoneInfo(name)
        window = Q(occurred_at__lt=_midnight(last + dt.timedelta(days=1), zone))
        return window & Q(occurred_at__gte=_midnight(first, zone)) if first is not None else window

    if set(zones) <= {default}:
        return span(default)
    wanted = Q(branch__isnull=True) & span(default)
    for name, ids in zones.items():
        wanted |= Q(branch_id__in=ids) & span(name)
    return wanted


def metric_events(*, user: Any, metric: Metric, period: Period, filters: Filters) -> QuerySet[ReportingEvent]:
    """The events ``metric``'s figure over ``period`` counted for what ``user`` may see, newest first."""
    if not selectors.can_view_own(user):
        raise PermissionDenied
    selectors.period_check(*period)
    scope = scope_for(user)
    if scope.organisation_id is None:
        return ReportingEvent.objects.none()
    events = ReportingEvent.objects.filter(organisation_id=scope.organisation_id)
    if scope.branch_ids is not None:
        events = events.filter(branch_id__in=scope.branch_ids)
    if filters.branch_id is not None:
        if not scope.allows_branch(filters.branch_id):
            raise Http404
        events = events.filter(branch_id=filters.branch_id)
    if not selectors.can_view_all(user):
        if filters.agent_id not in (None, user.pk):
            raise PermissionDenied
        events = events.filter(agent_id=user.pk)
    elif filters.agent_id is not None:
        events = events.filter(agent_id=filters.agent_id)
    if filters.team_id is not None:
        events = events.filter(team_id=filters.team_id)
    if filters.channel:
        events = events.filter(channel=filters.channel)
    state = RollupState.objects.filter(organisation_id=scope.organisation_id).first()
    if state is None:
        return ReportingEvent.objects.none()
    events = events.filter(id__lte=state.last_event_id)
    first = None if metric.snapshot else period[0]
    last = period[1]
    kinds = Q()
    for measure in metric.measures:
        kinds |= MEASURE_EVENTS[measure]
    if FCR_MEASURES & set(metric.measures):
        if state.fcr_final_through is None:
            return ReportingEvent.objects.none()
        last = min(last, state.fcr_final_through)
        if first is not None and first > last:
            return ReportingEvent.objects.none()
    events = events.filter(kinds).filter(_local_days(scope.organisation_id, first, last))
    if FCR_MEASURES & set(metric.measures):
        events = events.annotate(repeated=_repeat_contact(scope.organisation_id, state.last_event_id))
    return events.select_related("branch", "agent").order_by("-occurred_at", "-id")


def _repeat_contact(organisation_id: int, last_event_id: int) -> Exists:
    """Whether the same client contacted again on the same topic within the FCR window (the contact was not
    resolved at first contact): the roll-up's judgement, read the same way (the next contact, in time and
    then id order, among the events rolled up)."""
    window = dt.timedelta(days=fcr_days_for(organisation_id))
    later = ReportingEvent.objects.filter(
        organisation_id=organisation_id,
        kind=K.CONTACT_RECEIVED,
        client_id=OuterRef("client_id"),
        topic_id=OuterRef("topic_id"),
        id__lte=last_event_id,
    ).filter(
        Q(occurred_at__gt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), id__gt=OuterRef("id")),
        occurred_at__lte=ExpressionWrapper(OuterRef("occurred_at") + window, output_field=DateTimeField()),
    )
    return Exists(later)
