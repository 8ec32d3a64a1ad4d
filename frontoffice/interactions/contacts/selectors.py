"""Reads for the contacts pages and API: the filtered contact list, follow-ups, topics and teams.

Every read is scoped to the user's organisation and branches (``core.scoping``). The contact list is
built to stay fast with a million rows: it filters on indexed columns, orders by ``started_at`` (the
second column of every index) and pages without counting (one row more than a page says "there is more").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import Http404

from frontoffice.accounts.models import StaffMember
from frontoffice.accounts.selectors import staff_list
from frontoffice.core.scoping import scope_for, scope_queryset
from frontoffice.core.selectors import organisation_for

from ..choices import FINISHED_STATUSES
from ..models import Case, FollowUp, Interaction, Team, Topic
from ..permissions import InteractionPermission
from ..selectors import case_queryset, interaction_queryset


@dataclass(frozen=True)
class ContactFilters:
    """What the contact list can be narrowed to; every field empty means "everything I may see"."""

    branch_id: int | None = None
    channel: str = ""
    direction: str = ""
    staff_id: int | None = None
    topic_id: int | None = None
    outcome: str = ""
    client_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    needs_client: bool = False


def _day_start(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def interaction_list(*, user: Any, filters: ContactFilters) -> QuerySet[Interaction]:
    """Contacts the user may see, newest first, narrowed by ``filters`` (days in the organisation's time zone)."""
    rows = interaction_queryset(user=user)
    if filters.branch_id:
        rows = rows.filter(branch_id=filters.branch_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.direction:
        rows = rows.filter(direction=filters.direction)
    if filters.staff_id:
        rows = rows.filter(staff_id=filters.staff_id)
    if filters.topic_id:
        rows = rows.filter(topic_id=filters.topic_id)
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    if filters.client_id:
        rows = rows.filter(client_id=filters.client_id)
    if filters.needs_client:
        # The same rows as client_match in (none, maybe), in the form the partial index is built on.
        rows = rows.filter(client__isnull=True)
    if filters.date_from or filters.date_to:
        zone = ZoneInfo(organisation_for(user).time_zone)
        if filters.date_from:
            rows = rows.filter(started_at__gte=_day_start(filters.date_from, zone))
        if filters.date_to:
            rows = rows.filter(started_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1), zone))
    return rows.select_related("branch", "client", "topic", "staff").order_by("-started_at", "-pk")


def interaction_candidates(*, interaction: Interaction) -> list[Any]:
    """The "maybe" clients of a contact (same phone or e-mail), by name."""
    return list(interaction.candidates.order_by("family_name", "given_name", "pk"))


def interaction_follow_ups(*, interaction: Interaction) -> QuerySet[FollowUp]:
    return interaction.follow_ups.select_related("owner", "done_by").order_by("done_at", "due_at", "pk")


def cases_to_join(*, user: Any, interaction: Interaction) -> QuerySet[Case]:
    """Unfinished cases of the contact's client that the contact could join (none without a client)."""
    if interaction.client_id is None:
        return case_queryset(user=user).none()
    return (
        case_queryset(user=user)
        .filter(client_id=interaction.client_id, merged_into__isnull=True)
        .exclude(status__in=FINISHED_STATUSES)
        .exclude(pk=interaction.case_id or 0)
        .order_by("-opened_at", "-pk")[:20]
    )


# --- follow-ups -----------------------------------------------------------------------------------


def led_team_member_ids(*, user: Any) -> set[int]:
    """Users in the active teams ``user`` leads (a team lead sees their members' follow-ups)."""
    teams = scope_queryset(Team.objects.filter(lead=user, is_active=True), user)
    return {pk for pk in teams.values_list("members__pk", flat=True) if pk is not None}


def may_oversee_follow_ups(user: Any) -> bool:
    """Managers (who set up teams) and team leads may look at other people's follow-ups."""
    return user.has_perm(InteractionPermission.MANAGE_CHANNELS.perm) or bool(led_team_member_ids(user=user))


def follow_up_owners(*, user: Any) -> QuerySet[Any]:
    """Whose follow-ups ``user`` may list: managers, staff of their branches; team leads, their members."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(staff__is_active=True)
    if user.has_perm(InteractionPermission.MANAGE_CHANNELS.perm):
        staff = staff_list(user=user).values("user_id")
        return users.filter(pk__in=staff).order_by("last_name", "first_name", "pk")
    members = led_team_member_ids(user=user) | {user.pk}
    return users.filter(pk__in=members).order_by("last_name", "first_name", "pk")


def follow_up_list(*, user: Any, owner_id: int | None = None, include_done: bool = False) -> QuerySet[FollowUp]:
    """Follow-ups of ``owner_id`` (default: the user), overdue first; others' only for who may oversee them."""
    owner_id = owner_id or user.pk
    rows = scope_queryset(FollowUp.objects.all(), user)
    if owner_id != user.pk and not follow_up_owners(user=user).filter(pk=owner_id).exists():
        return rows.none()
    rows = rows.filter(owner_id=owner_id)
    if not include_done:
        rows = rows.filter(done_at__isnull=True)
    return rows.select_related("interaction", "interaction__client", "case", "owner").order_by(
        "done_at", "due_at", "pk"
    )


def follow_up_get(*, user: Any, pk: int) -> FollowUp:
    """A follow-up the user may mark done: their own, or one they oversee (404 otherwise)."""
    try:
        follow_up = (
            scope_queryset(FollowUp.objects.all(), user).select_related("branch__organisation", "owner").get(pk=pk)
        )
    except FollowUp.DoesNotExist:
        raise Http404 from None
    if follow_up.owner_id != user.pk and not follow_up_owners(user=user).filter(pk=follow_up.owner_id).exists():
        raise Http404
    return follow_up


# --- topics and teams -----------------------------------------------------------------------------


def topic_list(*, user: Any, include_inactive: bool = False) -> QuerySet[Topic]:
    topics = scope_queryset(Topic.objects.all(), user, branch_field=None)
    return topics if include_inactive else topics.filter(is_active=True)


def topic_get(*, user: Any, pk: int) -> Topic:
    try:
        return topic_list(user=user, include_inactive=True).get(pk=pk)
    except Topic.DoesNotExist:
        raise Http404 from None


def team_list(*, user: Any, include_inactive: bool = False) -> QuerySet[Team]:
    teams = (
        scope_queryset(Team.objects.all(), user)
        .select_related("branch", "lead")
        .prefetch_related("members", "phone_queues")
    )
    return teams if include_inactive else teams.filter(is_active=True)


def team_get(*, user: Any, pk: int) -> Team:
    try:
        return team_list(user=user, include_inactive=True).get(pk=pk)
    except Team.DoesNotExist:
        raise Http404 from None


def organisation_staff_users(*, user: Any, branch_id: int | None = None, include_me: bool = False) -> QuerySet[Any]:
    """Active staff of the user's organisation (of one branch when given), as users: owners and members.

    ``include_me`` adds the user even when they work at no particular branch (executives, administrators).
    """
    from django.contrib.auth import get_user_model

    scope = scope_for(user)
    if scope.organisation_id is None:
        return get_user_model().objects.none()
    staff = StaffMember.objects.filter(organisation_id=scope.organisation_id, is_active=True)
    if branch_id is not None:
        staff = staff.filter(branches=branch_id)
    wanted = Q(pk__in=staff.values("user_id"))
    if include_me:
        wanted |= Q(pk=user.pk)
    return get_user_model().objects.filter(wanted).order_by("last_name", "first_name", "username")


def contact_staff(*, user: Any) -> QuerySet[Any]:
    """Who may be named as having handled a contact (the filter's staff list): the user's colleagues."""
    return organisation_staff_users(user=user).filter(
        Q(pk=user.pk) | Q(staff__in=staff_list(user=user, include_inactive=True))
    )
