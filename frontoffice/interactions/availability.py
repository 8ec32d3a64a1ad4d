"""Who can take new work, read from the phone area's agent states (the one rule, used by cases and chat).

- A person whose **current** recorded state is *on a break* or *offline* takes no new work.
- A person with **no recorded state at all** counts as available: organisations that do not use phone
  states (and people who never set one) keep working as before.
- *Ready* is stricter, for work that needs someone at the screen now (a waiting chat): only the state
  *available*, or no state.

Both are one query for any number of people: the current states are read through a subquery on the
open ``AgentStateChange`` rows (one per person, a partial unique index), never per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

from .choices import AgentState
from .models import AgentStateChange

U = TypeVar("U", bound=Model)

#: Current states in which a person takes no new work (cases, chats).
AWAY_STATES = frozenset({AgentState.BREAK, AgentState.OFFLINE})
#: Current states in which a person is busy but back for new work soon (a case may still go to them).
BUSY_STATES = frozenset({AgentState.ON_CALL, AgentState.WRAP_UP})


def _excluded(*, ready: bool) -> list[str]:
    states = AWAY_STATES | BUSY_STATES if ready else AWAY_STATES
    return sorted(str(state) for state in states)


def accepting_work[U: Model](users: QuerySet[U], *, ready: bool = False) -> QuerySet[U]:
    """``users`` narrowed to those who can take new work (``ready``: who are free this moment)."""
    away = AgentStateChange.objects.filter(ended_at__isnull=True, state__in=_excluded(ready=ready)).values("user_id")
    return users.exclude(pk__in=away)


def accepting_work_ids(*, user_ids: Iterable[int], ready: bool = False) -> set[int]:
    """Of ``user_ids``, the ids of those who can take new work, in one query."""
    wanted = {int(pk) for pk in user_ids}
    if not wanted:
        return set()
    users = get_user_model().objects.filter(pk__in=wanted)
    return set(accepting_work(users, ready=ready).values_list("pk", flat=True))


def is_accepting_work(*, user: Any, ready: bool = False) -> bool:
    return bool(accepting_work_ids(user_ids=[user.pk], ready=ready))
