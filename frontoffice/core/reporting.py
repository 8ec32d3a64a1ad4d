"""Reporting events: the facts metrics are computed from (``ReportingEvent``).

A service records an event in the transaction that makes the fact true::

    record_event(organisation=case.organisation, branch=case.branch, kind=EventKind.CASE_RESOLVED,
                 occurred_at=now, subject=("case", case.pk), agent=case.owner, team_id=case.team_id,
                 value=seconds_open)

``value`` is the event's one measure: a duration in whole seconds, or a survey score.
Everything else a metric's counting rules need (a short abandon, the SLA target, the
survey scale) goes into ``data``. The kinds are listed here, in one place, so that the
apps that record them and the ``reports`` app that reads them agree on the words.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps

from .models import Branch, Organisation, ReportingEvent
from .queries import InsertBuffer


class EventKind:
    """Every kind of reporting event, with what ``value`` holds (docs/reporting-events.md has the full table:
    who records each kind, when, and every ``data`` key)."""

    # Contacts (interactions): one per interaction in any channel; no value; data: outcome, case.
    CONTACT_RECEIVED = "contact.received"
    CONTACT_SENT = "contact.sent"
    # The contact's client or topic set after it was recorded (confirmed client, topic chosen later);
    # no value; carries the current client_id and topic_id; the latest one per contact wins.
    CONTACT_CLASSIFIED = "contact.classified"
    # Cases (interactions).
    CASE_CREATED = "case.created"  # data: priority
    CASE_FIRST_RESPONSE = (
        "case.first_response"  # value: seconds from creation to the first reply; data: business_seconds
    )
    CASE_RESPONSE = (
        "case.response"  # value: seconds from a customer's message to the next reply; data: business_seconds
    )
    CASE_RESOLVED = "case.resolved"  # value: seconds from creation; data: replies, reopened, business_seconds, closed
    CASE_REOPENED = "case.reopened"  # value: seconds since the resolution it undoes; data: reopened
    CASE_CLOSED = "case.closed"  # value: seconds from creation; data: merged_into
    SLA_MET = "sla.met"  # value: business seconds used; data: target, clock, target_seconds, calendar_seconds
    SLA_BREACHED = "sla.breached"  # value: the target's business seconds; data: target, clock, target_seconds
    # Voice (interactions, CTI); data of every call event: queue, direction.
    CALL_OFFERED = "call.offered"
    CALL_ANSWERED = "call.answered"  # value: seconds waited before the answer
    # value: seconds waited; data: short (abandoned within the grace time), cause, outcome
    CALL_ABANDONED = "call.abandoned"
    CALL_ENDED = "call.ended"  # value: handle seconds (talk + hold + wrap-up); data: talk, hold, wrap, transfers
    AGENT_STATE = "agent.state"  # value: seconds spent in the state; data: state, by_pbx, started_at
    # Desk.
    # data: vertical (clinic visit, hotel check-out, purchase), visit_type, status, early_departure
    VISIT_FINISHED = "visit.finished"
    # value: seconds of service; data: waits per phase (wait, walk, since_arrival), service, counter, category
    QUEUE_SERVED = "queue.served"
    # Feedback.
    SURVEY_SENT = "survey.sent"  # data: survey_type, survey, trigger, source_type, source_id
    # value: score; data: survey_type, scale (scale_min, scale_max), version, response, comment, low
    SURVEY_ANSWERED = "survey.answered"


def record_event(
    *,
    organisation: Organisation | int,
    kind: str,
    occurred_at: dt.datetime,
    subject: tuple[str, int],
    branch: Branch | int | None = None,
    channel: str = "",
    agent: Any = None,
    team_id: int | None = None,
    topic_id: int | None = None,
    client_id: int | None = None,
    value: float | None = None,
    data: dict[str, Any] | None = None,
) -> ReportingEvent:
    """Write one event; call it inside the transaction of the change it reports (inside ``buffered()``, it is
    written with the block's other events when the block ends)."""
    subject_type, subject_id = subject
    event = ReportingEvent(
        organisation_id=organisation if isinstance(organisation, int) else organisation.pk,
        branch_id=branch if isinstance(branch, int) or branch is None else branch.pk,
        kind=kind,
        occurred_at=occurred_at,
        channel=channel,
        agent_id=agent if isinstance(agent, int) or agent is None else agent.pk,
        team_id=team_id,
        topic_id=topic_id,
        client_id=client_id,
        subject_type=subject_type,
        subject_id=subject_id,
        value=value,
        data=data or {},
    )
    if not _pending.keep(event):
        event.save(force_insert=True)
    return event


# Events recorded inside ``buffered()``, not written yet.
_pending = InsertBuffer(ReportingEvent)
# Keep the events recorded in the block and write them in one INSERT when it ends (use it inside the
# transaction of the facts they report).
buffered = _pending.block


def reporting_modules() -> list[tuple[str, ModuleType]]:
    """Every app's ``reporting`` module that offers ``backfill``, lowest layer first (as the apps are listed).

    Found by name, the way ``dashboard`` finds ``home`` modules: core never imports a higher app itself."""
    found = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("frontoffice.") or app_config.name == "frontoffice.core":
            continue
        try:
            module = import_module(f"{app_config.name}.reporting")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.reporting":
                raise
            continue
        if callable(getattr(module, "backfill", None)):
            found.append((app_config.label, module))
    return found


def backfill(*, organisation: Organisation, since: dt.datetime | None = None) -> dict[str, int]:
    """Derive the reporting events of rows made before events were recorded (or by bulk loaders such as the
    demo), app by app; each app skips subjects that have their event already, so running it again adds
    nothing. Returns how many events each app wrote."""
    return {label: module.backfill(organisation=organisation, since=since) for label, module in reporting_modules()}
