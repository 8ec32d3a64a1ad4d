"""The interactions app's part in client feedback (docs/feedback.md); interactions calls into feedback.

- A resolved case asks feedback whether a survey invitation is due (its rules decide).
- A low score (a detractor, or a low CSAT with a comment) opens a follow-up for the owner's team lead:
  on the case the survey was about, else on a new inbound contact recording the response. The owner is
  the case team's lead, else the lead of a team of whoever served the client at the branch, else a
  manager of the branch.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.feedback import services as feedback
from frontoffice.feedback.choices import InviteChannel, Trigger
from frontoffice.feedback.hooks import LowScore

from . import services
from .choices import Channel, Outcome
from .models import Case, Team

SOURCE = "interactions.case"
CHANNEL_OF = {
    InviteChannel.EMAIL: Channel.WEB_FORM,
    InviteChannel.SMS: Channel.SMS,
    InviteChannel.IN_PERSON: Channel.IN_PERSON,
}
FOLLOW_UP_WITHIN = timedelta(days=1)


def case_resolved(case: Case, actor: Any) -> None:
    feedback.invitation_trigger(
        event=Trigger.CASE_RESOLVED,
        branch=case.branch,
        client=case.client,
        actor=actor,
        source_type=SOURCE,
        source_id=case.pk,
        source_label=case.number,
        served_by=case.owner,
    )


def _owner(*, organisation_id: int, branch_id: int, case: Case | None, served_by: Any) -> Any:
    if case is not None and case.team is not None and case.team.lead is not None and case.team.lead.is_active:
        return case.team.lead
    if served_by is not None:
        team = (
            Team.objects.filter(branch_id=branch_id, members=served_by, lead__isnull=False, lead__is_active=True)
            .select_related("lead")
            .order_by("pk")
            .first()
        )
        if team is not None:
            return team.lead
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff__is_active=True,
            staff__organisation_id=organisation_id,
            groups__name="manager",
            staff__branches=branch_id,
        )
        .order_by("pk")
        .first()
    )


def low_score_follow_up(low: LowScore) -> str:
    """Open the follow-up for a low score; returns what was opened (kept on the response)."""
    invitation = low.invitation
    case = None
    if invitation.source_type == SOURCE and invitation.source_id.isdigit():
        case = Case.objects.filter(pk=int(invitation.source_id), organisation_id=invitation.organisation_id).first()
    owner = _owner(
        organisation_id=invitation.organisation_id,
        branch_id=invitation.branch_id,
        case=case,
        served_by=invitation.served_by,
    )
    if owner is None:
        return ""
    note = _("Low survey score %(score)s (%(survey)s): call the client back. %(comment)s") % {
        "score": low.score,
        "survey": invitation.survey.name,
        "comment": low.comment,
    }
    due_at = timezone.now() + FOLLOW_UP_WITHIN
    if case is not None:
        services.follow_up_create(owner=owner, due_at=due_at, note=note[:300], actor=None, case=case)
        return _("Follow-up on case %(number)s") % {"number": case.number}
    contact = services.interaction_record(
        branch=invitation.branch,
        channel=CHANNEL_OF.get(InviteChannel(invitation.channel), Channel.WEB_FORM),
        actor=None,
        client=invitation.client,
        contact_address=invitation.recipient,
        outcome=Outcome.FOLLOW_UP,
        subject=_("Survey response: %(survey)s") % {"survey": invitation.survey.name},
        summary=low.comment,
    )
    follow_up = services.follow_up_create(owner=owner, due_at=due_at, note=note[:300], actor=None, interaction=contact)
    return _("Follow-up #%(number)s for %(owner)s") % {
        "number": follow_up.pk,
        "owner": owner.get_full_name() or owner.get_username(),
    }
