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


class EventKind:
    """Every kind of reporting event, with what ``value`` holds."""

    # Contacts (interactions): one per interaction in any channel; no value.
    CONTACT_RECEIVED = "contact.received"
    CONTACT_SENT = "contact.sent"
    # The contact's client or topic set after it was recorded (confirmed client, topic chosen later);
    # no value; carries the current client_id and topic_id; the latest one per contact wins.
    CONTACT_CLASSIFIED = "contact.classified"
    # Cases (interactions).
    CASE_CREATED = "case.created"
    CASE_FIRST_RESPONSE = "case.first_response"  # value: seconds from creation to the first reply
    CASE_RESPONSE = "case.response"  # value: seconds from a customer's message to the next reply
    CASE_RESOLVED = "case.resolved"  # value: seconds from creation; data: replies, reopened
    CASE_REOPENED = "case.reopened"
    CASE_CLOSED = "case.closed"
    SLA_MET = "sla.met"  # data: target
    SLA_BREACHED = "sla.breached"  # data: target
    # Voice (interactions, CTI).
    CALL_OFFERED = "call.offered"
    CALL_ANSWERED = "call.answered"  # value: seconds waited before the answer
    CALL_ABANDONED = "call.abandoned"  # value: seconds waited; data: short (abandoned within the grace time)
    CALL_ENDED = "call.ended"  # value: handle seconds (talk + hold + wrap-up); data: talk, hold, wrap
    AGENT_STATE = "agent.state"  # value: seconds spent in the state; data: state
    # Desk.
    VISIT_FINISHED = "visit.finished"  # data: vertical (clinic visit, hotel check-out, purchase)
    QUEUE_SERVED = "queue.served"  # value: seconds of service; data: waits per phase
    # Feedback.
    SURVEY_SENT = "survey.sent"  # data: survey_type
    SURVEY_ANSWERED = "survey.answered"  # value: score; data: survey_type, scale, version


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
    """Write one event; call it inside the transaction of the change it reports."""
    subject_type, subject_id = subject
    return ReportingEvent.objects.create(
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
