"""Reporting events of surveys (``core.reporting``): an invitation sent, a response submitted.

``services.py`` calls these inside its transactions: ``survey.sent`` when an e-mail or SMS invitation is
handed to the notifications (a tablet invitation counts as sent when the desk opens it), and
``survey.answered`` once, when a response is submitted (a partial answer records nothing; a repeated
submit returns before writing). Subjects are ``("invitation", id)``. ``backfill`` derives the same events
from existing invitations and responses.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from frontoffice.core.models import Organisation, ReportingEvent
from frontoffice.core.reporting import EventKind, record_event

from .choices import SCALES, InvitationStatus, InviteChannel
from .models import Invitation, Question, Response


def _sent_data(invitation: Invitation, survey_type: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "survey_type": survey_type,
        "survey": invitation.survey_id,
        "trigger": invitation.trigger,
    }
    if invitation.source_type:
        data["source_type"], data["source_id"] = invitation.source_type, invitation.source_id
    return data


def survey_sent(invitation: Invitation, *, at: datetime.datetime, survey_type: str) -> ReportingEvent:
    """survey.sent: no value; channel = the invitation's (email, sms, in_person); data: survey_type, survey,
    trigger, source_type/source_id (what the survey asks about); agent = who served the client."""
    return record_event(
        organisation=invitation.organisation_id,
        branch=invitation.branch_id,
        kind=EventKind.SURVEY_SENT,
        occurred_at=at,
        subject=("invitation", invitation.pk),
        channel=invitation.channel,
        agent=invitation.served_by_id,
        client_id=invitation.client_id,
        data=_sent_data(invitation, survey_type),
    )


def _scale(response: Response, main: Question | None) -> tuple[int | None, int | None]:
    if main is not None and main.scale_min is not None:
        return main.scale_min, main.scale_max
    return SCALES.get(response.kind, (None, None))


def _answered_data(response: Response, invitation: Invitation, main: Question | None) -> dict[str, Any]:
    low, high = _scale(response, main)
    data = _sent_data(invitation, response.kind)
    data.update(
        {
            "scale_min": low,
            "scale_max": high,
            "version": response.survey_version_id,
            "response": response.pk,
            "comment": bool(response.comment),
            "low": response.is_low,
        }
    )
    return data


def survey_answered(
    response: Response, invitation: Invitation, *, main: Question | None, at: datetime.datetime
) -> ReportingEvent:
    """survey.answered: value = the main question's score (None when it was left out); data: survey_type,
    scale_min/scale_max (of the main question, else the kind's scale), version (the survey version answered),
    response, comment (a comment was left), low (a low score that opened a follow-up), and survey.sent's."""
    return record_event(
        organisation=response.organisation_id,
        branch=response.branch_id,
        kind=EventKind.SURVEY_ANSWERED,
        occurred_at=at,
        subject=("invitation", invitation.pk),
        channel=response.channel,
        agent=invitation.served_by_id,
        client_id=response.client_id,
        value=response.score,
        data=_answered_data(response, invitation, main),
    )


@transaction.atomic
def backfill(*, organisation: Organisation, since: datetime.datetime | None = None) -> int:
    """survey.sent and survey.answered of the organisation's existing invitations and submitted responses
    (those at or after ``since``), skipping invitations that have the event already; how many were written."""
    done = set(
        ReportingEvent.objects.filter(
            organisation=organisation,
            kind__in=[EventKind.SURVEY_SENT, EventKind.SURVEY_ANSWERED],
            subject_type="invitation",
        ).values_list("kind", "subject_id")
    )
    rows: list[ReportingEvent] = []

    def add(kind: str, invitation: Invitation, at: datetime.datetime, **fields: Any) -> None:
        if (kind, invitation.pk) in done or (since is not None and at < since):
            return
        rows.append(
            ReportingEvent(
                organisation=organisation,
                branch_id=invitation.branch_id,
                kind=kind,
                occurred_at=at,
                subject_type="invitation",
                subject_id=invitation.pk,
                agent_id=invitation.served_by_id,
                client_id=invitation.client_id,
                **fields,
            )
        )

    invitations = Invitation.objects.filter(organisation=organisation).select_related("survey").order_by("pk")
    for invitation in invitations.iterator(chunk_size=2000):
        sent_at = invitation.sent_at or (
            invitation.created_at if invitation.channel == InviteChannel.IN_PERSON else None
        )
        if sent_at is not None and invitation.status != InvitationStatus.CANCELLED:
            add(
                EventKind.SURVEY_SENT,
                invitation,
                sent_at,
                channel=invitation.channel,
                data=_sent_data(invitation, invitation.survey.kind),
            )
    responses = (
        Response.objects.filter(organisation=organisation, is_complete=True, submitted_at__isnull=False)
        .select_related("invitation")
        .order_by("pk")
    )
    mains = {
        question.version_id: question
        for question in Question.objects.filter(version__survey__organisation=organisation, is_main=True)
    }
    for response in responses.iterator(chunk_size=2000):
        assert response.submitted_at is not None
        invitation = response.invitation
        add(
            EventKind.SURVEY_ANSWERED,
            invitation,
            response.submitted_at,
            channel=response.channel,
            value=response.score,
            data=_answered_data(response, invitation, mains.get(response.survey_version_id)),
        )
    ReportingEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
