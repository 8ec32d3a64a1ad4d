"""Reads of the feedback app, scoped to the user: surveys are the organisation's, invitations and
responses belong to a branch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from frontoffice.core.scoping import scope_queryset

from .choices import ScoreBand, SurveyKind
from .models import Invitation, InvitationRule, Response, Survey


def survey_list(*, user: Any, include_inactive: bool = True) -> QuerySet[Survey]:
    surveys = scope_queryset(Survey.objects.all(), user, branch_field=None)
    if not include_inactive:
        surveys = surveys.filter(is_active=True)
    return surveys.select_related("current_version").order_by("name", "pk")


def survey_get(*, user: Any, pk: int) -> Survey:
    try:
        return survey_list(user=user).get(pk=pk)
    except (Survey.DoesNotExist, ValueError):
        raise Http404 from None


def survey_summaries(*, user: Any) -> QuerySet[Survey]:
    """The survey list page: each survey with its number of rules and of submitted responses at the user's branches."""
    return survey_list(user=user).annotate(rule_count=Count("rules", distinct=True))


def rule_list(*, user: Any, survey: Survey) -> QuerySet[InvitationRule]:
    rules = scope_queryset(InvitationRule.objects.filter(survey=survey), user, branch_field=None)
    return rules.select_related("branch").order_by("trigger", "pk")


def rule_get(*, user: Any, survey: Survey, pk: int) -> InvitationRule:
    try:
        return rule_list(user=user, survey=survey).get(pk=pk)
    except (InvitationRule.DoesNotExist, ValueError):
        raise Http404 from None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@dataclass(frozen=True)
class InvitationFilters:
    branch_id: int | None = None
    survey_id: int | None = None
    status: str = ""
    channel: str = ""
    client_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def invitation_list(*, user: Any, filters: InvitationFilters | None = None) -> QuerySet[Invitation]:
    filters = filters or InvitationFilters()
    rows = scope_queryset(Invitation.objects.all(), user)
    if filters.branch_id:
        rows = rows.filter(branch_id=filters.branch_id)
    if filters.survey_id:
        rows = rows.filter(survey_id=filters.survey_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.client_id:
        rows = rows.filter(client_id=filters.client_id)
    if filters.date_from:
        rows = rows.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(created_at__lte=_day_end(filters.date_to))
    return rows.select_related("survey", "survey_version", "branch", "client").order_by("-created_at", "-pk")


def invitation_get(*, user: Any, pk: int) -> Invitation:
    try:
        return invitation_list(user=user).get(pk=pk)
    except (Invitation.DoesNotExist, ValueError):
        raise Http404 from None


@dataclass(frozen=True)
class ResponseFilters:
    branch_id: int | None = None
    survey_id: int | None = None
    kind: str = ""
    band: str = ""
    channel: str = ""
    client_id: int | None = None
    low_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    include_partial: bool = False


# Score bands per kind: (low up to, high from). Custom surveys have no standard bands.
BANDS: dict[str, tuple[int, int]] = {
    SurveyKind.NPS: (6, 9),
    SurveyKind.CSAT: (2, 4),
    SurveyKind.COMPLAINT: (2, 4),
    SurveyKind.CES: (3, 5),
}


def response_list(*, user: Any, filters: ResponseFilters | None = None) -> QuerySet[Response]:
    filters = filters or ResponseFilters()
    rows = scope_queryset(Response.objects.all(), user)
    if not filters.include_partial:
        rows = rows.filter(is_complete=True)
    if filters.branch_id:
        rows = rows.filter(branch_id=filters.branch_id)
    if filters.survey_id:
        rows = rows.filter(survey_id=filters.survey_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
        if filters.band and filters.kind in BANDS:
            low, high = BANDS[filters.kind]
            if filters.band == ScoreBand.LOW:
                rows = rows.filter(score__lte=low)
            elif filters.band == ScoreBand.HIGH:
                rows = rows.filter(score__gte=high)
            else:
                rows = rows.filter(score__gt=low, score__lt=high)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.client_id:
        rows = rows.filter(client_id=filters.client_id)
    if filters.low_only:
        rows = rows.filter(is_low=True)
    if filters.date_from:
        rows = rows.filter(submitted_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(submitted_at__lte=_day_end(filters.date_to))
    return rows.select_related("survey", "survey_version", "branch", "client").order_by("-submitted_at", "-pk")


def response_get(*, user: Any, pk: int) -> Response:
    try:
        return (
            response_list(user=user, filters=ResponseFilters(include_partial=True))
            .select_related("invitation")
            .prefetch_related("answers__question")
            .get(pk=pk)
        )
    except (Response.DoesNotExist, ValueError):
        raise Http404 from None
