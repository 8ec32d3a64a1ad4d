"""The team a call or an agent's state is reported under (the ``team_id`` of their reporting events).

- A call: the team whose phone queues hold the call's queue; else the team of the agent who answered it (who
  dialled it, for an outbound call) when they are a member of exactly one team in use at the call's branch;
  else none. Worked out once per call and kept on ``Call.team``.
- An agent's state: the agent's only team in use, else none.

Inside ``remembered()`` (one CTI event, or a batch of queued ones) each queue and each agent is looked up
once, so the events of a busy line cost no query per event for it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..models import Team, TeamPhoneQueue

_memo: contextvars.ContextVar[dict[tuple[Any, ...], Any] | None] = contextvars.ContextVar(
    "phone_team_memo", default=None
)


@contextmanager
def remembered() -> Iterator[None]:
    """Look each queue and each agent up once within the block (nested blocks share the outer memo)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _cached(key: tuple[Any, ...], load: Any) -> Any:
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def queue_team_id(organisation_id: int, queue: str) -> int | None:
    """The team in use whose phone queues hold ``queue`` (one query; none for a call without a queue)."""
    if not queue:
        return None
    return _cached(
        ("queue", organisation_id, queue),
        lambda: (
            TeamPhoneQueue.objects.filter(organisation_id=organisation_id, name=queue, team__is_active=True)
            .values_list("team_id", flat=True)
            .first()
        ),
    )


def member_teams(user_id: int) -> list[tuple[int, int]]:
    """(team id, branch id) of the teams in use the user is a member of (one query)."""
    return _cached(
        ("member", user_id),
        lambda: list(
            Team.objects.filter(members=user_id, is_active=True).order_by("pk").values_list("pk", "branch_id")
        ),
    )


def only_team(teams: list[tuple[int, int]], *, branch_id: int | None = None) -> int | None:
    """The one team of ``teams`` (of ``branch_id`` when given), or None when there are none or several."""
    ids = [team for team, branch in teams if branch_id is None or branch == branch_id]
    return ids[0] if len(ids) == 1 else None


def agent_team_id(user_id: int | None) -> int | None:
    """The team of an agent's state: their only team in use."""
    return only_team(member_teams(user_id)) if user_id is not None else None


def call_team_id(*, organisation_id: int, branch_id: int, queue: str, agent_id: int | None) -> int | None:
    """The team of a call with ``queue`` at ``branch_id`` taken by ``agent_id`` (None: nobody yet)."""
    team = queue_team_id(organisation_id, queue)
    if team is None and agent_id is not None:
        team = only_team(member_teams(agent_id), branch_id=branch_id)
    return team
