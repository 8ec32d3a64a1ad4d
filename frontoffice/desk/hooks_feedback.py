"""The desk's part in client feedback (docs/feedback.md): the desk calls into the feedback app, never the reverse.

- A finished clinic visit, a hotel check-out and a paid purchase ask feedback whether a survey
  invitation is due (its rules decide: sampling, suppression, consent).
- feedback learns what "desk.visit" is (branch, client, label, who served) to bind the desk tablet to it.
- The visit page offers "Survey on the tablet" once the visit is over.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frontoffice.core.choices import BusinessKind
from frontoffice.feedback import hooks as feedback_hooks
from frontoffice.feedback import services as feedback
from frontoffice.feedback.choices import Trigger
from frontoffice.feedback.permissions import FeedbackPermission

from . import workflow
from .actions import VisitAction, register_visit_action
from .choices import VisitStatus

# Which transition of which vertical is the end a survey may ask about.
ENDS = (
    (BusinessKind.CLINIC, VisitStatus.FINISHED, Trigger.VISIT_FINISHED),
    (BusinessKind.HOTEL, VisitStatus.CHECKED_OUT, Trigger.CHECK_OUT),
    (BusinessKind.RETAIL, VisitStatus.PAID, Trigger.PURCHASE),
    (BusinessKind.OFFICE, VisitStatus.PAID, Trigger.PURCHASE),
)
TRIGGER_OF = {(vertical, status): trigger for vertical, status, trigger in ENDS}


def visit_ended(visit: Any, to_status: str, actor: Any) -> None:
    responsible = visit.responsible.user if visit.responsible_id else None
    feedback.invitation_trigger(
        event=TRIGGER_OF[(visit.vertical, to_status)],
        branch=visit.branch,
        client=visit.client,
        actor=actor,
        source_type="desk.visit",
        source_id=visit.pk,
        source_label=visit.number,
        served_by=responsible or actor,
    )


def visit_source(*, user: Any, pk: str) -> feedback_hooks.Source | None:
    from .selectors import visit_get

    try:
        visit = visit_get(user=user, pk=int(pk))
    except (Http404, ValueError):
        return None
    if (visit.vertical, visit.status) not in TRIGGER_OF and visit.status != VisitStatus.FULFILLED:
        return None  # the tablet is for a visit that is over
    return feedback_hooks.Source(
        kind="desk.visit",
        pk=str(visit.pk),
        branch=visit.branch,
        client=visit.client,
        label=visit.number,
        url=reverse("desk:visit_detail", kwargs={"pk": visit.pk}),
        served_by=visit.responsible.user if visit.responsible_id else user,
    )


def register() -> None:
    for vertical, status, _trigger in ENDS:
        workflow.register_after(visit_ended, to_status=status, vertical=vertical)
    feedback_hooks.register_source("desk.visit", visit_source)
    register_visit_action(
        VisitAction(
            slot="other",
            label=_("Survey on the tablet"),
            url_name="feedback:kiosk_visit",
            permissions=(FeedbackPermission.SEND_SURVEYS.perm,),
            statuses=(VisitStatus.FINISHED, VisitStatus.CHECKED_OUT, VisitStatus.PAID, VisitStatus.FULFILLED),
        )
    )
