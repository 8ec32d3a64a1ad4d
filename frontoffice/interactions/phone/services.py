"""Writes of the phone area: CTI tokens, extensions, agent states, callbacks, outbound calls and call outcomes.

The CTI events themselves are applied by ``cti.receive`` (which calls the helpers here).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontoffice.clients.models import Client
from frontoffice.clients.normalise import normalise_phone
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.models import Branch
from frontoffice.core.queries import single

from .. import reporting
from .. import services as interaction_services
from ..choices import AgentState, CallbackOutcome, CallbackStatus, Channel, Direction
from ..models import AgentPhone, AgentStateChange, Call, Callback, CtiToken, Interaction, Topic
from . import selectors_setup

TOKEN_BYTES = 24
TOKEN_CACHE_SECONDS = 60
# An attempt with one of these outcomes settles the callback.
SETTLING = {CallbackOutcome.REACHED: CallbackStatus.DONE, CallbackOutcome.WRONG_NUMBER: CallbackStatus.GAVE_UP}


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- tokens and extensions ----------------------------------------------------------------------


@transaction.atomic
def cti_token_create(*, branch: Branch, name: str, actor: Any, uses_wrap_up: bool = True) -> tuple[CtiToken, str]:
    """A new webhook token for a PBX; the raw token is returned once and only its hash is kept."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = CtiToken(
        organisation_id=branch.organisation_id,
        branch=branch,
        name=name,
        token_hash=_hash(raw),
        prefix=raw[:6],
        uses_wrap_up=uses_wrap_up,
        created_by=signed_in_user(actor),
    )
    token.full_clean()
    token.save()
    audit(
        actor=actor,
        action="interactions.cti_token_create",
        target=token,
        organisation=branch.organisation,
        branch=branch,
        summary=_("Phone system token created: %(name)s") % {"name": name},
    )
    return token, raw


@transaction.atomic
def cti_token_revoke(*, token: CtiToken, actor: Any) -> CtiToken:
    if not token.is_active:
        return token
    token.is_active = False
    token.save(update_fields=["is_active", "updated_at"])
    # Forgotten now and again after the commit: a request between the two must not keep the active copy.
    cache.delete(_token_cache_key(token.token_hash))
    transaction.on_commit(lambda: cache.delete(_token_cache_key(token.token_hash)))
    audit(
        actor=actor,
        action="interactions.cti_token_revoke",
        target=token,
        organisation=token.branch.organisation,
        branch=token.branch,
        summary=_("Phone system token revoked: %(name)s") % {"name": token.name},
    )
    return token


def _token_cache_key(token_hash: str) -> str:
    return f"interactions:cti-token:{token_hash}"


def cti_token_authenticate(raw: str) -> CtiToken | None:
    """The active token with this secret, or None.

    A PBX sends several events a second on one token, so the token (with its branch and organisation) is
    kept in the cache for ``TOKEN_CACHE_SECONDS``; revoking deletes the cached copy, which with Redis (shared
    by every web process) takes effect at once. Unknown secrets are not cached, so a new token works at once.
    """
    if not raw or len(raw) > 200:
        return None
    token_hash = _hash(raw)
    key = _token_cache_key(token_hash)
    token = cache.get(key)
    if token is None:
        token = single(
            CtiToken.objects.filter(token_hash=token_hash, is_active=True).select_related("branch__organisation")
        )
        if token is not None:
            cache.set(key, token, TOKEN_CACHE_SECONDS)
    return token


def cti_token_touch(*, token: CtiToken, at: datetime.datetime) -> None:
    """Note when the token was last used (on the row and on the cached copy, which later requests read)."""
    token.last_used_at = at
    CtiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    cache.set(_token_cache_key(token.token_hash), token, TOKEN_CACHE_SECONDS)


@transaction.atomic
def agent_phone_set(*, user: Any, extension: str, actor: Any) -> AgentPhone | None:
    """Give a staff member an extension (an empty one removes it)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        raise ValidationError({"user": _("Choose a staff member.")})
    extension = extension.strip()
    AgentPhone.objects.filter(user=user).delete()
    phone = None
    if extension:
        phone = AgentPhone(organisation_id=staff.organisation_id, user=user, extension=extension)
        phone.full_clean()
        phone.save()
    audit(
        actor=actor,
        action="interactions.agent_phone_set",
        target=staff,
        organisation=staff.organisation,
        summary=_("Extension of %(name)s set to %(extension)s")
        % {"name": user.get_full_name() or user.username, "extension": extension or "—"},
    )
    return phone


# --- agent states -------------------------------------------------------------------------------


def agent_state_current(*, user: Any) -> AgentStateChange | None:
    return single(AgentStateChange.objects.filter(user=user, ended_at__isnull=True))


@transaction.atomic(savepoint=False)  # within a CTI event the event's own transaction is the unit of retry
def agent_state_record(
    *,
    user: Any,
    state: str,
    at: datetime.datetime | None = None,
    call: Call | None = None,
    by_pbx: bool = True,
    held: dict[int, AgentStateChange] | None = None,
) -> AgentStateChange:
    """Close the user's open state and open ``state`` (the same state again changes nothing).

    ``held``: the open states this transaction has already locked and written, by user id (a batch of queued
    CTI events); a user found there is neither locked nor read again."""
    at = at or timezone.now()
    staff = getattr(user, "staff", None)
    if staff is None:
        raise ValidationError(_("Only staff members have a phone state."))
    if held is not None and user.pk in held:
        current: AgentStateChange | None = held[user.pk]
    else:
        # One state change per person at a time: two calls' events for the same agent (one hanging up, the
        # next answered) must not both see "no open state" and both open one. Locking the open row cannot do
        # that when there is none, so the person's staff row is the lock.
        list(type(staff).objects.select_for_update().filter(pk=staff.pk).order_by().values_list("pk", flat=True))
        current = single(AgentStateChange.objects.filter(user=user, ended_at__isnull=True))
    if current is not None:
        if current.state == state:
            if held is not None:  # locked and read once: the batch's next events for this user use it as it is
                held[user.pk] = current
            return current
        current.ended_at = max(at, current.started_at)
        current.save(update_fields=["ended_at"])
        reporting.agent_state_ended(current, branch_id=call.branch_id if call is not None else None)
        at = current.ended_at
    # No full_clean(): the state comes from AgentState and the one-open-row rule is a database constraint;
    # this runs on most CTI events and validating it cost more than the write.
    opened = AgentStateChange.objects.create(
        organisation_id=staff.organisation_id, user=user, state=state, started_at=at, by_pbx=by_pbx, call=call
    )
    if held is not None:
        held[user.pk] = opened
    return opened


def agent_state_set(*, user: Any, state: str) -> AgentStateChange:
    """The user changes their own state from the phone page or the API."""
    if state not in AgentState.values:
        raise ValidationError({"state": _("Choose a state.")})
    return agent_state_record(user=user, state=state, by_pbx=False)


# --- callbacks ----------------------------------------------------------------------------------


def _number_key(number: str) -> str:
    return normalise_phone(number) or number.strip()


@transaction.atomic
def callback_for_missed_call(*, interaction: Interaction, at: datetime.datetime) -> Callback:
    """A missed or abandoned inbound call: add it to the number's open callback, or open one.

    The branch's phone settings say when the callback is due and whether repeat calls add to an open one (the
    default) or each get their own."""
    number = _number_key(interaction.contact_address)
    options = selectors_setup.branch_phone_settings(branch_id=interaction.branch_id)
    callback = (
        Callback.objects.select_for_update()
        .filter(
            organisation_id=interaction.organisation_id,
            number=number,
            status=CallbackStatus.OPEN,
            collects_repeats=True,
        )
        .first()
        if options.repeat_calls_join_callback
        else None
    )
    if callback is not None:
        callback.missed_calls += 1
        callback.client = callback.client or interaction.client
        callback.version += 1
        callback.save(update_fields=["missed_calls", "client", "version", "updated_at"])
        return callback
    callback = Callback(
        organisation_id=interaction.organisation_id,
        branch_id=interaction.branch_id,
        interaction=interaction,
        number=number,
        client=interaction.client,
        due_at=at + datetime.timedelta(minutes=options.callback_due_minutes),
        collects_repeats=options.repeat_calls_join_callback,
    )
    callback.full_clean()
    callback.save()
    audit(
        actor=None,
        action="interactions.callback_open",
        target=callback,
        organisation=interaction.branch.organisation,
        branch=interaction.branch,
        summary=_("Callback to %(number)s after a missed call") % {"number": number},
    )
    return callback


def _require_open(callback: Callback) -> None:
    if callback.status != CallbackStatus.OPEN:
        raise ValidationError(_("This callback is closed already."))


@transaction.atomic
def callback_take(*, callback: Callback, actor: Any) -> Callback:
    """The actor becomes the callback's owner."""
    _require_open(callback)
    callback.owner = actor
    callback.version += 1
    callback.save(update_fields=["owner", "version", "updated_at"])
    audit(
        actor=actor,
        action="interactions.callback_take",
        target=callback,
        organisation=callback.branch.organisation,
        branch=callback.branch,
        summary=_("Callback to %(number)s taken") % {"number": callback.number},
    )
    return callback


@transaction.atomic
def callback_attempt(*, callback: Callback, actor: Any, outcome: str, note: str = "") -> Callback:
    """One try at calling back; reaching the caller (or a wrong number) settles it. Unowned: the actor takes it."""
    _require_open(callback)
    if outcome not in CallbackOutcome.values:
        raise ValidationError({"outcome": _("Choose how the attempt ended.")})
    now = timezone.now()
    callback.attempts += 1
    callback.last_attempt_at = now
    callback.outcome = outcome
    callback.note = note
    callback.owner = callback.owner or signed_in_user(actor)
    if outcome in SETTLING:
        callback.status = SETTLING[CallbackOutcome(outcome)]
        callback.closed_at, callback.closed_by = now, signed_in_user(actor)
    callback.version += 1
    callback.full_clean()
    callback.save()
    audit(
        actor=actor,
        action="interactions.callback_attempt",
        target=callback,
        organisation=callback.branch.organisation,
        branch=callback.branch,
        summary=_("Callback attempt to %(number)s: %(outcome)s")
        % {"number": callback.number, "outcome": CallbackOutcome(outcome).label},
    )
    return callback


@transaction.atomic
def callback_close(*, callback: Callback, actor: Any, status: str, note: str = "") -> Callback:
    """Close a callback as done or given up, with a note."""
    _require_open(callback)
    if status not in (CallbackStatus.DONE, CallbackStatus.GAVE_UP):
        raise ValidationError({"status": _("Choose done or gave up.")})
    callback.status = status
    callback.note = note or callback.note
    callback.closed_at, callback.closed_by = timezone.now(), signed_in_user(actor)
    callback.version += 1
    callback.full_clean()
    callback.save()
    audit(
        actor=actor,
        action="interactions.callback_close",
        target=callback,
        organisation=callback.branch.organisation,
        branch=callback.branch,
        summary=_("Callback to %(number)s closed: %(status)s")
        % {"number": callback.number, "status": CallbackStatus(status).label},
    )
    return callback


# --- calls logged by hand -----------------------------------------------------------------------


@transaction.atomic
def call_log_outbound(
    *,
    branch: Branch,
    actor: Any,
    number: str,
    client: Client | None = None,
    topic: Topic | None = None,
    outcome: str = "",
    summary: str = "",
    follow_up_due: datetime.datetime | None = None,
    follow_up_note: str = "",
) -> Interaction:
    """A call the user made (a ``tel:`` link clicked): an outbound phone contact, with an optional follow-up."""
    now = timezone.now()
    interaction = interaction_services.interaction_record(
        branch=branch,
        channel=Channel.PHONE,
        actor=actor,
        direction=Direction.OUTBOUND,
        started_at=now,
        ended_at=now,
        staff=signed_in_user(actor),
        contact_address=normalise_phone(number) or number.strip(),
        client=client,
        topic=topic,
        outcome=outcome,
        summary=summary,
    )
    if follow_up_due is not None:
        interaction_services.follow_up_create(
            owner=actor,
            due_at=follow_up_due,
            note=follow_up_note or _("Call back"),
            actor=actor,
            interaction=interaction,
        )
    return interaction


@transaction.atomic
def call_outcome_record(
    *, interaction: Interaction, actor: Any, topic: Topic | None, outcome: str, summary: str
) -> Interaction:
    """The person who took a call records its topic, outcome and summary."""
    if topic is not None and topic.organisation_id != interaction.organisation_id:
        raise ValidationError({"topic": _("This topic belongs to another organisation.")})
    topic_changed = interaction.topic_id != (topic.pk if topic is not None else None)
    interaction.topic, interaction.outcome, interaction.summary = topic, outcome, summary
    if interaction.staff_id is None:
        interaction.staff = signed_in_user(actor)
    interaction.full_clean()
    interaction.save(update_fields=["topic", "outcome", "summary", "staff", "updated_at"])
    if topic_changed:
        reporting.contact_classified(interaction, at=interaction.updated_at)
    audit(
        actor=actor,
        action="interactions.call_outcome_record",
        target=interaction,
        organisation=interaction.branch.organisation,
        branch=interaction.branch,
        summary=_("Call outcome recorded"),
    )
    return interaction
