"""Writes of contacts, follow-ups and cases (one door for writes; channel modules call these too)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.clients.selectors import clients_with_contact
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.models import Branch
from frontoffice.core.numbering import next_number

from . import reporting
from .choices import CasePriority, CaseStatus, Channel, ClientMatch, Direction
from .models import Case, FollowUp, Interaction, Team, Topic

CASE_NUMBER_PREFIX = "C"


def _case_hooks() -> Any:
    """The case workspace's reactions (SLA clocks, reporting events, the live queue); imported late
    because cases/services.py builds on this module."""
    from .cases import services as case_services

    return case_services


def _clients_at(organisation_id: int, address: str) -> list[Client]:
    """Clients of the organisation with this phone number or e-mail address on file."""
    if not address:
        return []
    by_email = "@" in address
    return clients_with_contact(
        organisation_id=organisation_id, phone="" if by_email else address, email=address if by_email else ""
    )


def match_client(interaction: Interaction) -> None:
    """Find the client by the contact's phone or e-mail: one match is taken, several wait as "maybe".

    Called on a saved interaction whose client is not set yet; never overrides a client a person chose.
    """
    if interaction.client_id is not None or not interaction.contact_address:
        return
    found = _clients_at(interaction.organisation_id, interaction.contact_address)
    if len(found) == 1:
        interaction.client = found[0]
        interaction.client_match = ClientMatch.AUTOMATIC
        interaction.save(update_fields=["client", "client_match", "updated_at"])
    elif found:
        interaction.client_match = ClientMatch.MAYBE
        interaction.save(update_fields=["client_match", "updated_at"])
        interaction.candidates.set(found)


# Relations interaction_record() is given as objects it has checked itself (or loaded from the database), so
# full_clean() need not look each one up again; this runs on every phone call's first event.
_GIVEN_RELATIONS = ["organisation", "branch", "staff", "client", "topic", "case", "created_by", "updated_by"]


def _validate_new(interaction: Interaction, *, external_id_free: bool = False) -> None:
    """full_clean() without a database round trip per constraint.

    Django checks each CheckConstraint with a query of its own (three round trips with the savepoint); the two
    time-order rules are plain comparisons, made here with the constraints' own messages, and the one unique
    rule is one EXISTS query, left out when the caller has just made sure (``external_id_free``). The
    database constraints stay the final word.
    """
    interaction.full_clean(exclude=_GIVEN_RELATIONS, validate_constraints=False)
    errors: dict[str, list[str]] = {}
    constraints = {constraint.name: constraint for constraint in Interaction._meta.constraints}
    started = interaction.started_at
    order_rules = (("answered_at", "interaction_answered_after_start"), ("ended_at", "interaction_ended_after_start"))
    for field, name in order_rules:
        value = getattr(interaction, field)
        if value is not None and value < started:
            errors.setdefault(NON_FIELD_ERRORS, []).append(str(constraints[name].get_violation_error_message()))
    if (
        interaction.external_id
        and not external_id_free
        and Interaction.objects.filter(
            organisation_id=interaction.organisation_id,
            channel=interaction.channel,
            external_id=interaction.external_id,
        ).exists()
    ):
        message = constraints["interaction_external_id_unique"].get_violation_error_message()
        errors.setdefault(NON_FIELD_ERRORS, []).append(str(message))
    if errors:
        raise ValidationError(errors)


def record_contact(
    *,
    branch: Branch,
    channel: str,
    actor: Any,
    direction: str = Direction.INBOUND,
    started_at: datetime.datetime | None = None,
    answered_at: datetime.datetime | None = None,
    ended_at: datetime.datetime | None = None,
    staff: Any = None,
    contact_address: str = "",
    client: Client | None = None,
    topic: Topic | None = None,
    outcome: str = "",
    subject: str = "",
    summary: str = "",
    external_id: str = "",
    case: Case | None = None,
    report: bool = True,
    candidates: list[Client] | None = None,
    external_id_free: bool = False,
) -> Interaction:
    """Record one contact; when no client is given, match one by the phone number or e-mail address.

    Runs in the caller's transaction (``interaction_record`` is the same in a transaction of its own).
    ``report=False`` leaves the contact's reporting event to the caller (the CTI engine records a call's
    when the call ends, once the agent who took it is known). ``candidates``: the clients at the contact's
    address, already looked up by the caller (a batch of CTI events matches all its callers in one query).
    ``external_id_free``: the caller has made sure no contact has this external id yet (the CTI engine found
    no call with that id under lock); the unique constraint still guards it."""
    if client is not None and client.organisation_id != branch.organisation_id:
        raise ValidationError({"client": _("This client belongs to another organisation.")})
    if topic is not None and topic.organisation_id != branch.organisation_id:
        raise ValidationError({"topic": _("This topic belongs to another organisation.")})
    interaction = Interaction(
        organisation_id=branch.organisation_id,
        branch=branch,
        channel=channel,
        direction=direction,
        started_at=started_at or timezone.now(),
        answered_at=answered_at,
        ended_at=ended_at,
        staff=staff,
        contact_address=contact_address.strip(),
        client=client,
        client_match=ClientMatch.CONFIRMED if client is not None else ClientMatch.NONE,
        topic=topic,
        outcome=outcome,
        subject=subject,
        summary=summary,
        external_id=external_id,
        case=case,
        created_by=signed_in_user(actor),
    )
    _validate_new(interaction, external_id_free=external_id_free)
    # The client is matched before the insert, so the row is written once.
    if client is not None:
        candidates = []
    elif candidates is None:
        candidates = _clients_at(branch.organisation_id, interaction.contact_address)
    if len(candidates) == 1:
        interaction.client, interaction.client_match = candidates[0], ClientMatch.AUTOMATIC
    elif candidates:
        interaction.client_match = ClientMatch.MAYBE
    interaction.save()
    if len(candidates) > 1:
        interaction.candidates.set(candidates)
    if report:
        reporting.contact_recorded(interaction)
    if case is not None:
        _case_hooks().case_contact_added(case=case, interaction=interaction, actor=actor)
    audit(
        actor=actor,
        action="interactions.interaction_record",
        target=interaction,
        organisation=branch.organisation,
        branch=branch,
        summary=_("%(channel)s contact logged") % {"channel": Channel(channel).label},
    )
    return interaction


interaction_record = transaction.atomic(record_contact)


@transaction.atomic
def interaction_confirm_client(*, interaction: Interaction, client: Client, actor: Any) -> Interaction:
    """A person picks the client of a contact (one of the "maybe" candidates, or anyone found by search)."""
    if client.organisation_id != interaction.organisation_id:
        raise ValidationError({"client": _("This client belongs to another organisation.")})
    interaction.client = client
    interaction.client_match = ClientMatch.CONFIRMED
    interaction.save(update_fields=["client", "client_match", "updated_at"])
    interaction.candidates.clear()
    reporting.contact_classified(interaction, at=timezone.now())
    audit(
        actor=actor,
        action="interactions.interaction_confirm_client",
        target=interaction,
        organisation=interaction.branch.organisation,
        branch=interaction.branch,
        summary=_("Client of a contact confirmed"),
    )
    return interaction


@transaction.atomic
def follow_up_create(
    *,
    owner: Any,
    due_at: datetime.datetime,
    note: str,
    actor: Any,
    interaction: Interaction | None = None,
    case: Case | None = None,
) -> FollowUp:
    """Attach a follow-up (owner, due date) to a contact or a case."""
    anchor = interaction or case
    if anchor is None:
        raise ValidationError(_("A follow-up belongs to a contact or a case."))
    staff = getattr(owner, "staff", None)
    if staff is None or staff.organisation_id != anchor.organisation_id:
        raise ValidationError({"owner": _("The owner must work for the same organisation.")})
    follow_up = FollowUp(
        organisation_id=anchor.organisation_id,
        branch_id=anchor.branch_id,
        interaction=interaction,
        case=case,
        owner=owner,
        due_at=due_at,
        note=note,
        created_by=signed_in_user(actor),
    )
    follow_up.full_clean()
    follow_up.save()
    audit(
        actor=actor,
        action="interactions.follow_up_create",
        target=follow_up,
        organisation=anchor.branch.organisation,
        branch=anchor.branch,
        summary=_("Follow-up set: %(note)s") % {"note": note},
    )
    return follow_up


@transaction.atomic
def follow_up_complete(*, follow_up: FollowUp, actor: Any) -> FollowUp:
    """Mark a follow-up done (doing it twice changes nothing)."""
    if follow_up.done_at is not None:
        return follow_up
    follow_up.done_at = timezone.now()
    follow_up.done_by = signed_in_user(actor)
    follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
    audit(
        actor=actor,
        action="interactions.follow_up_complete",
        target=follow_up,
        organisation=follow_up.branch.organisation,
        branch=follow_up.branch,
        summary=_("Follow-up done: %(note)s") % {"note": follow_up.note},
    )
    return follow_up


@transaction.atomic
def case_open(
    *,
    branch: Branch,
    subject: str,
    actor: Any,
    channel: str = Channel.IN_PERSON,
    client: Client | None = None,
    priority: str = CasePriority.NORMAL,
    owner: Any = None,
    interaction: Interaction | None = None,
    opened_at: datetime.datetime | None = None,
    team: Team | None = None,
) -> Case:
    """Open a case, from a contact when one is given (the contact joins it and lends it its client and channel)."""
    if interaction is not None:
        if interaction.organisation_id != branch.organisation_id:
            raise ValidationError(_("This contact belongs to another organisation."))
        client = client or interaction.client
        channel = interaction.channel
    if client is not None and client.organisation_id != branch.organisation_id:
        raise ValidationError({"client": _("This client belongs to another organisation.")})
    if team is not None and team.organisation_id != branch.organisation_id:
        raise ValidationError({"team": _("This team belongs to another organisation.")})
    case = Case(
        organisation_id=branch.organisation_id,
        branch=branch,
        number=next_number(organisation=branch.organisation, prefix=CASE_NUMBER_PREFIX),
        subject=subject,
        client=client,
        channel=channel,
        status=CaseStatus.NEW,
        priority=priority,
        owner=owner,
        team=team,
        opened_at=opened_at or (interaction.started_at if interaction is not None else timezone.now()),
        created_by=signed_in_user(actor),
    )
    case.full_clean()
    case.save()
    if interaction is not None:
        interaction.case = case
        interaction.save(update_fields=["case", "updated_at"])
    _case_hooks().case_opened(case=case, actor=actor)
    if interaction is not None:
        _case_hooks().case_contact_added(case=case, interaction=interaction, actor=actor)
    audit(
        actor=actor,
        action="interactions.case_open",
        target=case,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Case %(number)s opened: %(subject)s") % {"number": case.number, "subject": subject},
    )
    return case


@transaction.atomic
def interaction_join_case(*, interaction: Interaction, case: Case, actor: Any) -> Interaction:
    """Add a contact to an existing case of the same organisation."""
    if case.organisation_id != interaction.organisation_id:
        raise ValidationError({"case": _("This case belongs to another organisation.")})
    interaction.case = case
    interaction.save(update_fields=["case", "updated_at"])
    _case_hooks().case_contact_added(case=case, interaction=interaction, actor=actor)
    audit(
        actor=actor,
        action="interactions.interaction_join_case",
        target=case,
        organisation=case.branch.organisation,
        branch=case.branch,
        summary=_("A contact joined case %(number)s") % {"number": case.number},
    )
    return interaction
