"""The escalation job: SLA clocks passing their ladder's moments notify the ladder's people, once each.

Every running clock stores when its next unsent step falls due (``CaseSla.next_escalation_at``, indexed),
so the job reads only the clocks that are due. For each it asks ``sla.policy.escalations_due``, sends an
e-mail per recipient through ``core.notifications`` and writes an ``EscalationNotice`` (also the home-page
card), and stores the step keys on the clock in the same transaction: a step never goes out twice.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from frontoffice.core.notifications import email_queue
from frontoffice.core.periodic import periodic

from ..models import Case, CaseEventKind, CaseSla, EscalationNotice
from ..sla.policy import EscalationRole, SlaTarget, escalations_due
from . import sla
from .services import _publish

log = logging.getLogger(__name__)
BATCH = 200


def _people(case: Case, role: str) -> list[Any]:
    """Who a ladder step names for this case: the owner; the team lead (else the branch's managers);
    the branch's managers; the organisation's executives."""
    users = get_user_model().objects.filter(
        is_active=True, staff__is_active=True, staff__organisation_id=case.organisation_id
    )
    if role == EscalationRole.AGENT:
        return [case.owner] if case.owner is not None and case.owner.is_active else []
    if role == EscalationRole.SUPERVISOR and case.team is not None and case.team.lead is not None:
        return [case.team.lead]
    if role in (EscalationRole.SUPERVISOR, EscalationRole.MANAGER):
        return list(users.filter(groups__name="manager", staff__branches=case.branch_id).distinct().order_by("pk"))
    return list(users.filter(groups__name="executive").distinct().order_by("pk"))


def _notify(row: CaseSla, case: Case, step: Any, due_at: datetime.datetime | None, now: datetime.datetime) -> int:
    sent = 0
    for person in _people(case, step.role.value):
        _notice, created = EscalationNotice.objects.get_or_create(
            clock=row,
            step_key=step.key,
            recipient=person,
            defaults={"case": case, "role": step.role.value, "due_at": row.due_at, "sent_at": now},
        )
        if not created:
            continue
        sent += 1
        if not person.email:
            continue
        language = getattr(person, "language", "") or "pl"
        with override(language):
            email_queue(
                to=person.email,
                subject=_("SLA %(moment)s: case %(number)s (%(target)s)")
                % {"moment": step.moment.label, "number": case.number, "target": SlaTarget(row.target).label},
                body=_("Case %(number)s “%(subject)s”: the %(target)s target is due at %(due)s.\n%(url)s")
                % {
                    "number": case.number,
                    "subject": case.subject,
                    "target": SlaTarget(row.target).label,
                    "due": row.due_at.isoformat(timespec="minutes") if row.due_at else "—",
                    "url": reverse("interactions:case_detail", args=[case.pk]),
                },
                organisation=case.branch.organisation,
            )
    return sent


def escalate_clock(row: CaseSla, now: datetime.datetime) -> int:
    """Send the due steps of one locked clock; returns the number of notices written."""
    policy, clock = sla.load_clock(row)
    case = row.case
    if row.breached_at is None and clock.breached_by(now) is not None:
        row.breached_at = clock.breached_by(now)
        sla.mark_breached(row, clock.target_seconds)
    sent_keys = list(row.escalations_sent)
    written = 0
    for due in escalations_due(policy.escalation, clock, now, sent_keys):
        written += _notify(row, case, due.step, due.due_at, now)
        sent_keys.append(due.key)
        sla.record_event(case, CaseEventKind.ESCALATED, due.due_at or now, target=row.target, to_value=due.key)
    row.escalations_sent = sent_keys
    row.next_escalation_at = sla.next_escalation_at(policy, clock, sent_keys)
    row.save(update_fields=["escalations_sent", "next_escalation_at", "breached_at", "updated_at"])
    if written:
        _publish(case, "escalated")
    return written


@periodic("interactions.sla_escalations")
def sla_escalations(now: datetime.datetime) -> int:
    """Escalate every clock whose next step is due; each clock in its own transaction."""
    due = list(
        CaseSla.objects.filter(next_escalation_at__lte=now, status="running")
        .order_by("next_escalation_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    written = 0
    for pk in due:
        with transaction.atomic():
            rows = CaseSla.objects.select_related(
                "policy", "case__branch__organisation", "case__owner", "case__team__lead"
            )
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            row = rows.filter(pk=pk, next_escalation_at__lte=now, status="running").first()
            if row is None:
                continue
            try:
                written += escalate_clock(row, now)
            except Exception:
                log.exception("SLA escalation of clock %s failed", pk)
                raise
    return written
