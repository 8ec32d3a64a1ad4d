"""Assignment rules per team: manual, round-robin, or least-loaded among available agents.

``available_agents(team)`` is the one place that decides who in a team can take work: active members who
may work cases and whose agent state lets them take new work (``interactions.availability``: not on a
break, not offline; no recorded state counts as available). Nobody available leaves the case unassigned.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count

from ..availability import accepting_work
from ..choices import FINISHED_STATUSES
from ..models import AssignmentRule, Case, Team, TeamRouting
from ..permissions import CasePermission

# The backend that answers permission questions from the database (``with_perm`` needs one named when
# several backends are configured; axes' backend answers none).
PERMISSION_BACKEND = "frontoffice.accounts.principal.CachedModelBackend"


def available_agents(team: Team) -> list[Any]:
    """Active members of the team (ordered by id) who may work cases and are not on a break or offline.

    One query: the permission (a role's or the person's own, or superuser) and the agent state are
    subqueries, not a ``has_perm`` per member.
    """
    members = (
        get_user_model()
        .objects.with_perm(CasePermission.WORK_CASES.perm, backend=PERMISSION_BACKEND)
        .filter(interaction_teams=team, staff__is_active=True, staff__organisation_id=team.organisation_id)
        .order_by("pk")
    )
    return list(accepting_work(members))


def rule_of(team: Team) -> str:
    routing = TeamRouting.objects.filter(team=team).first()
    return routing.rule if routing is not None else AssignmentRule.MANUAL


def _round_robin(routing: TeamRouting, agents: list[Any]) -> Any:
    last = routing.last_assigned_id
    after = [agent for agent in agents if last is not None and agent.pk > last]
    return after[0] if after else agents[0]


def _least_loaded(agents: list[Any]) -> Any:
    counts = dict(
        Case.objects.filter(owner__in=agents)
        .exclude(status__in=list(FINISHED_STATUSES))
        .values_list("owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return min(agents, key=lambda agent: (counts.get(agent.pk, 0), agent.pk))


def pick_owner(team: Team) -> Any:
    """The agent the team's rule chooses for a new case, or None (manual, or nobody available)."""
    routing = TeamRouting.objects.select_for_update().filter(team=team).first()
    if routing is None or routing.rule == AssignmentRule.MANUAL:
        return None
    agents = available_agents(team)
    if not agents:
        return None
    chosen = _round_robin(routing, agents) if routing.rule == AssignmentRule.ROUND_ROBIN else _least_loaded(agents)
    routing.last_assigned = chosen
    routing.save(update_fields=["last_assigned", "updated_at"])
    return chosen
