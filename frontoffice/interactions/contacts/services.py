"""Writes for contacts: logging one with its follow-up and case, editing it later, topics and teams.

The shared writes (recording a contact, confirming its client, follow-ups, cases) live in
``interactions/services.py``; this module composes them for the quick form and adds the edits.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.core.audit import audit
from frontoffice.core.concurrency import bump_version, check_version
from frontoffice.core.models import Branch, Organisation

from .. import reporting
from .. import services as shared
from ..choices import Outcome
from ..models import Case, FollowUp, Interaction, Team, TeamPhoneQueue, Topic


@dataclass(frozen=True)
class FollowUpData:
    owner: Any
    due_at: datetime.datetime
    note: str


@dataclass(frozen=True)
class ContactLogged:
    interaction: Interaction
    follow_up: FollowUp | None
    case: Case | None


@transaction.atomic
def contact_log(
    *,
    branch: Branch,
    channel: str,
    direction: str,
    actor: Any,
    client: Client | None = None,
    contact_address: str = "",
    topic: Topic | None = None,
    outcome: str = "",
    summary: str = "",
    started_at: datetime.datetime | None = None,
    follow_up: FollowUpData | None = None,
    case_subject: str = "",
) -> ContactLogged:
    """The quick form in one step: the contact handled by ``actor``, and optionally a follow-up and a case."""
    interaction = shared.interaction_record(
        branch=branch,
        channel=channel,
        direction=direction,
        actor=actor,
        staff=actor,
        started_at=started_at,
        contact_address=contact_address,
        client=client,
        topic=topic,
        outcome=outcome or (Outcome.CASE_OPENED if case_subject else ""),
        summary=summary,
    )
    created = None
    if follow_up is not None:
        created = shared.follow_up_create(
            owner=follow_up.owner, due_at=follow_up.due_at, note=follow_up.note, actor=actor, interaction=interaction
        )
    case = None
    if case_subject:
        case = shared.case_open(branch=branch, subject=case_subject, actor=actor, interaction=interaction)
    return ContactLogged(interaction=interaction, follow_up=created, case=case)


@transaction.atomic
def interaction_update(
    *,
    interaction: Interaction,
    actor: Any,
    version: int | None,
    topic: Topic | None,
    outcome: str,
    summary: str,
) -> Interaction:
    """Set the topic, outcome and summary after the fact; refused if somebody changed the contact meanwhile."""
    fresh = (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("updated_by", "branch__organisation")
        .get(pk=interaction.pk)
    )
    check_version(fresh, version)
    if topic is not None and topic.organisation_id != fresh.organisation_id:
        raise ValidationError({"topic": _("This topic belongs to another organisation.")})
    topic_changed = fresh.topic_id != (topic.pk if topic is not None else None)
    fresh.topic = topic
    fresh.outcome = outcome
    fresh.summary = summary
    bump_version(fresh, user=actor)
    fresh.full_clean()
    fresh.save(update_fields=["topic", "outcome", "summary", "version", "updated_by", "updated_at"])
    if topic_changed:
        reporting.contact_classified(fresh, at=fresh.updated_at)
    audit(
        actor=actor,
        action="interactions.interaction_update",
        target=fresh,
        organisation=fresh.branch.organisation,
        branch=fresh.branch,
        summary=_("Contact details updated"),
    )
    return fresh


# --- topics ---------------------------------------------------------------------------------------


def _unique_name(model: type[Topic] | type[Team], organisation_id: int, name: str, exclude: int | None) -> None:
    clash = model.objects.filter(organisation_id=organisation_id, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("This name is already used.")})


@transaction.atomic
def topic_create(*, organisation: Organisation, actor: Any, name: str, name_pl: str = "", position: int = 0) -> Topic:
    """Add a topic to the organisation's controlled list."""
    _unique_name(Topic, organisation.pk, name, None)
    topic = Topic(organisation=organisation, name=name.strip(), name_pl=name_pl.strip(), position=position)
    topic.full_clean()
    topic.save()
    audit(
        actor=actor,
        action="interactions.topic_create",
        target=topic,
        organisation=organisation,
        summary=_("Topic added: %(name)s") % {"name": topic.name},
    )
    return topic


@transaction.atomic
def topic_update(
    *,
    topic: Topic,
    actor: Any,
    version: int | None,
    name: str,
    name_pl: str,
    position: int,
    is_active: bool,
) -> Topic:
    """Rename, reorder or (de)activate a topic; a deactivated topic stays on old contacts."""
    fresh = Topic.objects.select_for_update(of=("self",)).select_related("updated_by", "organisation").get(pk=topic.pk)
    check_version(fresh, version)
    _unique_name(Topic, fresh.organisation_id, name, fresh.pk)
    fresh.name, fresh.name_pl, fresh.position, fresh.is_active = name.strip(), name_pl.strip(), position, is_active
    bump_version(fresh, user=actor)
    fresh.full_clean()
    fresh.save()
    audit(
        actor=actor,
        action="interactions.topic_update",
        target=fresh,
        organisation=fresh.organisation,
        summary=_("Topic changed: %(name)s") % {"name": fresh.name},
    )
    return fresh


# --- teams ----------------------------------------------------------------------------------------


def _check_team_people(branch: Branch, lead: Any, members: list[Any]) -> None:
    for person in [lead, *members]:
        if person is None:
            continue
        staff = getattr(person, "staff", None)
        if staff is None or staff.organisation_id != branch.organisation_id:
            raise ValidationError({"members": _("Team members must work for the same organisation.")})


def _clean_queues(names: list[str]) -> list[str]:
    """Queue names without blanks or repeats, in the order given; each fits the call's queue field."""
    queues = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    too_long = [name for name in queues if len(name) > 80]
    if too_long:
        raise ValidationError(
            {"phone_queues": _("A queue name has at most 80 characters: %(queue)s") % {"queue": too_long[0]}}
        )
    return queues


def _set_team_queues(team: Team, names: list[str]) -> None:
    """Give the team exactly these phone queues; a queue another team of the organisation holds is refused."""
    taken = (
        TeamPhoneQueue.objects.filter(organisation_id=team.organisation_id, name__in=names)
        .exclude(team=team)
        .select_related("team")
        .order_by("name")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "phone_queues": _("The queue %(queue)s already belongs to the team %(team)s.")
                % {"queue": taken.name, "team": taken.team.name}
            }
        )
    TeamPhoneQueue.objects.filter(team=team).exclude(name__in=names).delete()
    held = set(TeamPhoneQueue.objects.filter(team=team).values_list("name", flat=True))
    new = [
        TeamPhoneQueue(organisation_id=team.organisation_id, team=team, name=name) for name in names if name not in held
    ]
    try:
        with transaction.atomic():  # another team took one of the queues since the check above
            TeamPhoneQueue.objects.bulk_create(new)
    except IntegrityError:
        raise ValidationError({"phone_queues": _("One of these queues has just been given to another team.")}) from None


@transaction.atomic
def team_create(
    *,
    branch: Branch,
    actor: Any,
    name: str,
    lead: Any = None,
    members: list[Any] | None = None,
    phone_queues: list[str] | None = None,
) -> Team:
    """A team at a branch, with its lead and members (staff of the organisation) and the PBX queues whose calls
    are the team's (a queue belongs to one team of the organisation)."""
    members = list(members or [])
    queues = _clean_queues(phone_queues or [])
    _check_team_people(branch, lead, members)
    _unique_name(Team, branch.organisation_id, name, None)
    team = Team(organisation_id=branch.organisation_id, branch=branch, name=name.strip(), lead=lead)
    team.full_clean()
    team.save()
    team.members.set(members)
    _set_team_queues(team, queues)
    audit(
        actor=actor,
        action="interactions.team_create",
        target=team,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Team set up: %(name)s") % {"name": team.name},
    )
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    actor: Any,
    version: int | None,
    branch: Branch,
    name: str,
    lead: Any,
    members: list[Any],
    is_active: bool,
    phone_queues: list[str] | None = None,
) -> Team:
    """Change a team's branch, name, lead, members or phone queues (None: kept as they are), or take it out of
    use."""
    fresh = Team.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=team.pk)
    check_version(fresh, version)
    queues = _clean_queues(phone_queues) if phone_queues is not None else None
    if branch.organisation_id != fresh.organisation_id:
        raise ValidationError({"branch": _("This branch belongs to another organisation.")})
    _check_team_people(branch, lead, members)
    _unique_name(Team, fresh.organisation_id, name, fresh.pk)
    fresh.branch, fresh.name, fresh.lead, fresh.is_active = branch, name.strip(), lead, is_active
    bump_version(fresh, user=actor)
    fresh.full_clean()
    fresh.save()
    fresh.members.set(members)
    if queues is not None:
        _set_team_queues(fresh, queues)
    audit(
        actor=actor,
        action="interactions.team_update",
        target=fresh,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Team changed: %(name)s") % {"name": fresh.name},
    )
    return fresh
