"""Writes of the case workspace: open, status, assign, edit, notes, replies, merge, complaint; set-up of
canned replies, SLA policies and team routing. Every write is atomic, audited and published to the queue."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.events import channel, publish
from frontoffice.core.files import validate_upload
from frontoffice.core.models import Branch, Organisation

from .. import reporting
from .. import services as base
from ..choices import FINISHED_STATUSES, PAUSED_STATUSES, CasePriority, CaseStatus, Channel, Direction
from ..models import (
    AssignmentRule,
    CannedReply,
    Case,
    CaseEventKind,
    CaseNote,
    CaseReply,
    FollowUp,
    Interaction,
    ReplyDelivery,
    SlaPolicyRecord,
    Team,
    TeamRouting,
)
from ..permissions import CasePermission
from . import hooks, replies, routing, sla

UNSET: Any = object()

# Which statuses a case may move to from each status. Closed is final; leaving resolved is a reopen.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset(
        {
            CaseStatus.OPEN,
            CaseStatus.PENDING_CUSTOMER,
            CaseStatus.PENDING_INTERNAL,
            CaseStatus.RESOLVED,
            CaseStatus.CLOSED,
        }
    ),
    CaseStatus.OPEN: frozenset(
        {CaseStatus.PENDING_CUSTOMER, CaseStatus.PENDING_INTERNAL, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.PENDING_CUSTOMER: frozenset(
        {CaseStatus.OPEN, CaseStatus.PENDING_INTERNAL, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.PENDING_INTERNAL: frozenset(
        {CaseStatus.OPEN, CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.OPEN, CaseStatus.PENDING_INTERNAL, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


def case_channel(organisation_id: int, branch_id: int) -> str:
    """The live channel of a branch's cases (the queue page listens to it)."""
    return channel(organisation_id, "cases", branch_id)


def _publish(case: Case, kind: str) -> None:
    publish(
        case_channel(case.organisation_id, case.branch_id),
        {"type": f"case.{kind}", "case": case.pk, "branch": case.branch_id, "version": case.version},
    )


def _audit(case: Case, actor: Any, action: str, summary: str) -> None:
    audit(
        actor=actor,
        action=f"interactions.{action}",
        target=case,
        organisation=case.branch.organisation,
        branch=case.branch,
        summary=summary,
    )


def _touch(case: Case, actor: Any, fields: list[str]) -> None:
    bump_version(case, user=actor)
    case.full_clean()
    case.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def _fresh(case: Case) -> Case:
    """The case read again inside the transaction, locked where the database can."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("branch__organisation", "client", "team", "owner")
        .get(pk=case.pk)
    )


# --- hooks called by the app's base services (interactions/services.py) --------------------------------


def case_opened(*, case: Case, actor: Any) -> None:
    """Start the SLA clocks and record the opening (every case, whichever area opened it)."""
    sla.record_event(case, CaseEventKind.CREATED, case.opened_at, actor=signed_in_user(actor))
    reporting.case_created(case)
    sla.sla_case_opened(case=case)
    _publish(case, "opened")


def case_contact_added(*, case: Case, interaction: Interaction, actor: Any) -> None:
    """A contact joined the case: an inbound one is a customer message, an outbound one by a person a reply."""
    case = _fresh(case)  # the caller's copy may be stale (its status moved since it was read)
    at = interaction.started_at
    person = signed_in_user(actor) or interaction.staff
    if interaction.direction == Direction.INBOUND:
        sla.record_event(case, CaseEventKind.CUSTOMER_MESSAGE, at)
        if case.status == CaseStatus.PENDING_CUSTOMER:
            # The customer answered: the case is ours again (the clocks resume).
            _set_status(case, CaseStatus.OPEN, actor=None, at=at)
        sla.sla_customer_message(case=case, at=at)
    elif person is not None:
        _public_reply(case, at=at, actor=person)
    _publish(case, "contact")


def _public_reply(case: Case, *, at: datetime.datetime, actor: Any) -> None:
    sla.sla_public_reply(case=case, at=at, actor=actor)
    if case.first_response_at is None:
        case.first_response_at = at
        business = calendar = None
        first_clock = case.sla_clocks.filter(target="first_response").order_by("pk").first()
        if first_clock is not None and first_clock.state.get("events"):
            last = first_clock.state["events"][-1]
            business, calendar = last["elapsed_business"], last["elapsed_calendar"]
        sla.record_event(
            case,
            CaseEventKind.FIRST_RESPONSE,
            at,
            actor=actor,
            target="first_response",
            business=business,
            calendar=calendar,
        )
        reporting.case_first_response(case, at=at, actor=actor, business=business)
        fields = ["first_response_at"]
        if case.status == CaseStatus.NEW:
            case.status = CaseStatus.OPEN
            fields.append("status")
        _touch(case, actor, fields)
    else:
        # Before this reply is logged: it looks for the previous one.
        response = reporting.case_response(case, at=at, actor=actor)
        # The next-response clock's business seconds are kept on the reply too, so that a backfill finds them.
        business = (response.data or {}).get("business_seconds") if response is not None else None
        target = "next_response" if business is not None else ""
        sla.record_event(case, CaseEventKind.REPLY, at, actor=actor, target=target, business=business)


# --- the case itself --------------------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    branch: Branch,
    subject: str,
    actor: Any,
    channel: str = Channel.IN_PERSON,
    client: Client | None = None,
    priority: str = CasePriority.NORMAL,
    team: Team | None = None,
    owner: Any = None,
    visit: Any = None,
    interaction: Interaction | None = None,
) -> Case:
    """Open a case; a team's new unassigned case is given an owner by the team's assignment rule."""
    if team is not None and team.organisation_id != branch.organisation_id:
        raise ValidationError({"team": _("This team belongs to another organisation.")})
    if visit is not None and visit.organisation_id != branch.organisation_id:
        raise ValidationError({"visit": _("This visit belongs to another organisation.")})
    if owner is not None:
        _check_owner(owner, branch.organisation_id)
    # The team (and the owner its rule picks) are the case's from its opening, so its reporting events
    # carry them.
    chosen = routing.pick_owner(team) if team is not None and owner is None else None
    case = base.case_open(
        branch=branch,
        subject=subject,
        actor=actor,
        channel=channel,
        client=client,
        priority=priority,
        owner=owner or chosen,
        interaction=interaction,
        team=team,
    )
    fields = []
    if visit is not None:
        case.visit = visit
        fields.append("visit")
    if chosen is not None:
        sla.record_event(case, CaseEventKind.ASSIGNED, case.opened_at, to_value=str(chosen.pk))
    if fields:
        case.full_clean()
        case.save(update_fields=[*fields, "updated_at"])
    return case


def _check_owner(owner: Any, organisation_id: int) -> None:
    staff = getattr(owner, "staff", None)
    if staff is None or staff.organisation_id != organisation_id or not staff.is_active:
        raise ValidationError({"owner": _("The owner must work for the same organisation.")})
    if not owner.has_perm(CasePermission.WORK_CASES.perm):
        raise ValidationError({"owner": _("This person may not work cases.")})


def _set_status(case: Case, status: str, *, actor: Any, at: datetime.datetime) -> None:
    old = case.status
    was_resolved_at = case.resolved_at
    fields = ["status"]
    case.status = status
    if status == CaseStatus.RESOLVED:
        case.resolved_at = at
        fields.append("resolved_at")
    elif status == CaseStatus.CLOSED:
        case.closed_at = at
        fields.append("closed_at")
        if case.resolved_at is None:
            case.resolved_at = at
            fields.append("resolved_at")
    elif old == CaseStatus.RESOLVED:
        case.reopen_count += 1
        case.resolved_at = None
        fields += ["reopen_count", "resolved_at"]
    _touch(case, actor, fields)
    person = signed_in_user(actor)
    sla.record_event(case, CaseEventKind.STATUS, at, actor=person, from_value=old, to_value=status)
    if status == CaseStatus.RESOLVED:
        resolution = case.sla_clocks.filter(target="resolution").order_by("-pk").first()
        business = calendar = None
        sla.sla_status_changed(case=case, old=old, new=status, at=at, actor=person)
        if resolution is not None:
            resolution.refresh_from_db()
            events = resolution.state.get("events") or []
            if events:
                business, calendar = events[-1]["elapsed_business"], events[-1]["elapsed_calendar"]
        sla.record_event(
            case, CaseEventKind.RESOLVED, at, actor=person, target="resolution", business=business, calendar=calendar
        )
        reporting.case_resolved(case, at=at, actor=person, business=business)
        return
    sla.sla_status_changed(case=case, old=old, new=status, at=at, actor=person)
    if status == CaseStatus.CLOSED:
        sla.record_event(case, CaseEventKind.CLOSED, at, actor=person)
        if was_resolved_at is None:  # closed without being resolved: closing resolved it (resolved_at says so)
            reporting.case_resolved(case, at=at, actor=person, closed=True)
        reporting.case_closed(case, at=at, actor=person)
    elif old == CaseStatus.RESOLVED:
        sla.record_event(case, CaseEventKind.REOPENED, at, actor=person)
        reporting.case_reopened(case, at=at, actor=person, resolved_at=was_resolved_at)


@transaction.atomic
def case_set_status(
    *, case: Case, status: str, actor: Any, expected_version: int | None = None, at: datetime.datetime | None = None
) -> Case:
    """Move a case along: closed is final; leaving resolved reopens it (counted); clocks pause and resume."""
    case = _fresh(case)
    check_version(case, expected_version)
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == case.status:
        return case
    if case.merged_into_id is not None:
        raise ValidationError({"status": _("This case was merged into another; work on that one.")})
    if status not in TRANSITIONS[case.status]:
        raise ValidationError(
            {
                "status": _("A case cannot go from “%(old)s” to “%(new)s”.")
                % {"old": CaseStatus(case.status).label, "new": CaseStatus(status).label}
            }
        )
    old = case.status
    _set_status(case, status, actor=actor, at=at or timezone.now())
    _audit(
        case,
        actor,
        "case_set_status",
        _("Case %(number)s: %(old)s → %(new)s")
        % {"number": case.number, "old": CaseStatus(old).label, "new": CaseStatus(status).label},
    )
    _publish(case, "status")
    if status == CaseStatus.RESOLVED:
        from ..feedback import case_resolved  # client feedback: a survey invitation may be due (docs/feedback.md)

        case_resolved(case, actor)
    return case


@transaction.atomic
def case_assign(*, case: Case, owner: Any, actor: Any, expected_version: int | None = None) -> Case:
    """Give the case an owner (None: unassign). Anyone who works cases takes one; supervisors assign anyone."""
    case = _fresh(case)
    check_version(case, expected_version)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("A closed case cannot be reassigned."))
    supervises = actor.has_perm(CasePermission.SUPERVISE_CASES.perm)
    if owner is not None and owner.pk != actor.pk and not supervises:
        raise ValidationError({"owner": _("You may only take cases yourself; a supervisor assigns them to others.")})
    if owner is None and not supervises and case.owner_id != actor.pk:
        raise ValidationError({"owner": _("Only a supervisor may unassign someone else's case.")})
    if owner is not None:
        _check_owner(owner, case.organisation_id)
    if (owner.pk if owner else None) == case.owner_id:
        return case
    old = case.owner_id
    case.owner = owner
    _touch(case, actor, ["owner"])
    sla.record_event(
        case,
        CaseEventKind.ASSIGNED,
        timezone.now(),
        actor=signed_in_user(actor),
        from_value=str(old or ""),
        to_value=str(owner.pk if owner else ""),
    )
    who = (owner.get_full_name() or owner.get_username()) if owner else _("nobody")
    _audit(case, actor, "case_assign", _("Case %(number)s assigned to %(who)s") % {"number": case.number, "who": who})
    _publish(case, "assigned")
    return case


@dataclass
class CaseDetails:
    subject: str = UNSET
    priority: str = UNSET
    team: Team | None = UNSET
    client: Client | None = UNSET
    visit: Any = UNSET


@transaction.atomic
def case_update(*, case: Case, details: CaseDetails, actor: Any, expected_version: int | None = None) -> Case:
    """Change the case's subject, priority, team, client or linked visit (unset fields stay)."""
    case = _fresh(case)
    check_version(case, expected_version)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("A closed case cannot be changed."))
    fields = []
    for name in ("subject", "priority", "team", "client", "visit"):
        value = getattr(details, name)
        if value is UNSET:
            continue
        if name in ("team", "client", "visit") and value is not None and value.organisation_id != case.organisation_id:
            raise ValidationError({name: _("This record belongs to another organisation.")})
        if name == "priority" and value not in CasePriority.values:
            raise ValidationError({"priority": _("Unknown priority.")})
        setattr(case, name, value)
        fields.append(name)
    if fields:
        _touch(case, actor, fields)
        _audit(case, actor, "case_update", _("Case %(number)s changed") % {"number": case.number})
        _publish(case, "changed")
    return case


# --- notes, replies, complaint, merge -----------------------------------------------------------------------


@transaction.atomic
def case_note_add(*, case: Case, body: str, actor: Any, attachment: Any = None) -> CaseNote:
    """An internal note, with an optional attachment (PDF or image, checked by its contents)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    note = CaseNote(case=case, author=signed_in_user(actor), body=body)
    if attachment is not None:
        checked = validate_upload(attachment)
        note._checked_extension = checked.extension  # type: ignore[attr-defined]
        note.attachment_name = (getattr(attachment, "name", "") or "attachment")[:200]
        note.attachment = attachment
    note.full_clean(exclude=["attachment"])
    note.save()
    _audit(case, actor, "case_note_add", _("Note added to case %(number)s") % {"number": case.number})
    _publish(case, "note")
    return note


@transaction.atomic
def case_reply(*, case: Case, body: str, actor: Any, attachments: Sequence[Any] = ()) -> CaseReply:
    """Answer the customer: the case's channel sends it when one is plugged in, else it waits to be sent by hand.

    ``attachments`` (uploaded files) go only with e-mail replies; on another channel they are refused.
    """
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the reply.")})
    case = _fresh(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("A closed case cannot be answered."))
    sender = replies.sender_for(case.channel)
    if attachments and (sender is None or case.channel != Channel.EMAIL):
        raise ValidationError({"attachments": _("Files can be sent only with a reply by e-mail.")})
    if sender is not None:
        if attachments:
            interaction = sender(case=case, body=body, actor=actor, attachments=attachments)
        else:
            interaction = sender(case=case, body=body, actor=actor)
        delivery = ReplyDelivery.SENT
    else:
        interaction = base.interaction_record(
            branch=case.branch,
            channel=case.channel,
            actor=actor,
            direction=Direction.OUTBOUND,
            staff=signed_in_user(actor),
            client=case.client,
            subject=case.subject,
            summary=body[:4000],
            case=case,
        )
        delivery = ReplyDelivery.MANUAL
    reply = CaseReply(case=case, interaction=interaction, author=signed_in_user(actor), body=body, delivery=delivery)
    reply.full_clean()
    reply.save()
    _audit(case, actor, "case_reply", _("Reply on case %(number)s") % {"number": case.number})
    return reply


@transaction.atomic
def case_mark_complaint(*, case: Case, actor: Any) -> Case:
    """Mark the case as a complaint and hand it to every registered complaint hook (once)."""
    case = _fresh(case)
    if case.is_complaint:
        return case
    case.is_complaint = True
    _touch(case, actor, ["is_complaint"])
    sla.record_event(case, CaseEventKind.COMPLAINT, timezone.now(), actor=signed_in_user(actor))
    for hook in hooks.complaint_hooks():
        hook(case=case, actor=actor)
    _audit(case, actor, "case_mark_complaint", _("Case %(number)s marked as a complaint") % {"number": case.number})
    _publish(case, "complaint")
    return case


@transaction.atomic
def case_merge(*, source: Case, target: Case, actor: Any) -> Case:
    """Merge ``source`` into ``target``: contacts, notes, replies and follow-ups move; the source is closed
    and keeps ``merged_into`` so its address leads to the survivor."""
    source, target = _fresh(source), _fresh(target)
    if source.pk == target.pk:
        raise ValidationError(_("A case cannot be merged into itself."))
    if source.organisation_id != target.organisation_id:
        raise ValidationError(_("Both cases must belong to the same organisation."))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ValidationError(_("One of the cases was already merged into another."))
    if target.status == CaseStatus.CLOSED:
        raise ValidationError(_("A case cannot be merged into a closed case."))
    now = timezone.now()
    Interaction.objects.filter(case=source).update(case=target, updated_at=now)
    CaseNote.objects.filter(case=source).update(case=target, updated_at=now)
    CaseReply.objects.filter(case=source).update(case=target, updated_at=now)
    FollowUp.objects.filter(case=source).update(case=target, updated_at=now)
    sla.sla_stop_all(case=source, at=now, actor=signed_in_user(actor))
    source.merged_into = target
    fields = ["merged_into", "status", "closed_at"]
    source.status = CaseStatus.CLOSED
    source.closed_at = now
    if target.client_id is None and source.client_id is not None:
        target.client = source.client
        _touch(target, actor, ["client"])
    _touch(source, actor, fields)
    person = signed_in_user(actor)
    sla.record_event(source, CaseEventKind.MERGED, now, actor=person, to_value=target.number)
    reporting.case_closed(source, at=now, actor=person, merged_into=target)
    sla.record_event(target, CaseEventKind.MERGED, now, actor=person, from_value=source.number)
    summary = _("Case %(source)s merged into %(target)s") % {"source": source.number, "target": target.number}
    _audit(source, actor, "case_merge", summary)
    _audit(target, actor, "case_merge", summary)
    _publish(source, "merged")
    _publish(target, "merged")
    return target


# --- set-up: canned replies, SLA policies, team routing ---------------------------------------------------


@transaction.atomic
def canned_reply_save(
    *,
    organisation: Organisation,
    actor: Any,
    title: str,
    body_en: str,
    body_pl: str,
    is_active: bool = True,
    canned: CannedReply | None = None,
) -> CannedReply:
    if not (body_en.strip() or body_pl.strip()):
        raise ValidationError(_("Write the text in at least one language."))
    canned = canned or CannedReply(organisation=organisation)
    if canned.organisation_id != organisation.pk:
        raise ValidationError(_("This canned reply belongs to another organisation."))
    canned.title, canned.body_en, canned.body_pl, canned.is_active = title.strip(), body_en, body_pl, is_active
    if canned.pk:
        bump_version(canned, user=actor)
    canned.full_clean(validate_unique=False)
    if CannedReply.objects.filter(organisation=organisation, title=canned.title).exclude(pk=canned.pk).exists():
        raise ValidationError({"title": _("Another canned reply has this title.")})
    canned.save()
    audit(
        actor=actor,
        action="interactions.canned_reply_save",
        target=canned,
        organisation=organisation,
        summary=_("Canned reply saved: %(title)s") % {"title": canned.title},
    )
    return canned


@transaction.atomic
def sla_policy_save(
    *, organisation: Organisation, actor: Any, data: dict[str, Any], policy: SlaPolicyRecord | None = None
) -> SlaPolicyRecord:
    """Create or change an SLA policy; the data is checked by building the pure policy from it."""
    policy = policy or SlaPolicyRecord(organisation=organisation)
    if policy.organisation_id != organisation.pk:
        raise ValidationError(_("This policy belongs to another organisation."))
    for name, value in data.items():
        setattr(policy, name, value)
    if policy.pk:
        bump_version(policy, user=actor)
    policy.full_clean(validate_unique=False)
    if SlaPolicyRecord.objects.filter(organisation=organisation, name=policy.name).exclude(pk=policy.pk).exists():
        raise ValidationError({"name": _("Another policy has this name.")})
    try:
        sla.policy_from_record(policy)
    except (ValueError, KeyError, TypeError) as error:
        raise ValidationError(_("The policy cannot be used: %(error)s") % {"error": error}) from None
    policy.save()
    audit(
        actor=actor,
        action="interactions.sla_policy_save",
        target=policy,
        organisation=organisation,
        summary=_("SLA policy saved: %(name)s") % {"name": policy.name},
    )
    return policy


@transaction.atomic
def team_routing_set(*, team: Team, rule: str, actor: Any) -> TeamRouting:
    if rule not in AssignmentRule.values:
        raise ValidationError({"rule": _("Unknown assignment rule.")})
    routing, _created = TeamRouting.objects.get_or_create(team=team)
    routing.rule = rule
    routing.save(update_fields=["rule", "updated_at"])
    audit(
        actor=actor,
        action="interactions.team_routing_set",
        target=team,
        organisation=team.branch.organisation,
        branch=team.branch,
        summary=_("Team %(team)s: %(rule)s assignment") % {"team": team.name, "rule": AssignmentRule(rule).label},
    )
    return routing


__all__ = [
    "FINISHED_STATUSES",
    "PAUSED_STATUSES",
    "TRANSITIONS",
    "CaseDetails",
    "canned_reply_save",
    "case_assign",
    "case_channel",
    "case_contact_added",
    "case_create",
    "case_mark_complaint",
    "case_merge",
    "case_note_add",
    "case_opened",
    "case_reply",
    "case_set_status",
    "case_update",
    "sla_policy_save",
    "team_routing_set",
]
