"""Clock-driven work of the phone: a wrap-up nobody ends is ended after ``WRAP_UP_LIMIT``.

A PBX that never sends ``wrapup_end`` (and an agent who forgets to change their state) would otherwise
leave the agent in wrap-up for the rest of the day. The call's wrap-up is then counted as the limit,
the agent becomes available from that moment, and the row says the phone system set it.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from frontoffice.core.models import ReportingEvent
from frontoffice.core.periodic import periodic
from frontoffice.core.reporting import EventKind

from .. import reporting
from ..choices import AgentState
from ..models import AgentStateChange, Call
from . import services

WRAP_UP_LIMIT = datetime.timedelta(minutes=10)


def _report_call_ended(call_id: int, at: datetime.datetime) -> None:
    """The wrap-up the limit ended closes the call's handling, unless the hangup reported it already (a line
    without wrap-up whose PBX sent a wrap-up anyway)."""
    call = Call.objects.select_related("interaction").get(pk=call_id)
    if call.interaction.answered_at is None:
        return
    reported = ReportingEvent.objects.filter(
        kind=EventKind.CALL_ENDED, subject_type="interaction", subject_id=call.interaction_id
    )
    if not reported.exists():
        reporting.call_ended(call, at=at)


@periodic("interactions.phone_wrap_up")
def wrap_up_timeout(now: datetime.datetime) -> int:
    """End wrap-ups open for longer than the limit; returns how many were ended."""
    ended = 0
    stale = AgentStateChange.objects.filter(
        state=AgentState.WRAP_UP, ended_at__isnull=True, started_at__lt=now - WRAP_UP_LIMIT
    ).values_list("pk", flat=True)
    for pk in list(stale[:500]):
        with transaction.atomic():
            row = (
                AgentStateChange.objects.select_for_update(of=("self",))
                .select_related("user__staff")
                .filter(pk=pk, ended_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            at = row.started_at + WRAP_UP_LIMIT
            if row.call_id is not None:
                cut = Call.objects.filter(pk=row.call_id, wrap_up_seconds__isnull=True).update(
                    wrap_up_seconds=int(WRAP_UP_LIMIT.total_seconds())
                )
                if cut:
                    _report_call_ended(row.call_id, at)
            services.agent_state_record(user=row.user, state=AgentState.AVAILABLE, at=at, call=row.call)
            ended += 1
    return ended
