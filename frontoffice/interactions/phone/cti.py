"""The CTI webhook's engine: Zammad's generic CTI events (``newCall``, ``answer``, ``hangup``) plus ``hold``,
``unhold``, ``transfer``, ``wrapup_start`` and ``wrapup_end``, applied to one ``Call`` per PBX call id.

Every event is stored as it came (``CtiEvent``) with its result:

- **applied**: it moved the call on;
- **duplicate**: the same event again (same call id, kind and payload; without a ``timestamp`` in the
  payload, the same payload within ``DUPLICATE_WINDOW``): ignored;
- **out_of_order**: it does not fit the call's state (an ``answer`` after the ``hangup``): ignored;
- **unknown_call**: no ``newCall`` seen for the call id yet. Kept; when the ``newCall`` comes later the
  kept events are applied after it, in the order they came, so a PBX that delivers out of order loses
  nothing.

Events of one call are serialised by locking the ``Call`` row; two ``newCall`` events racing each other
meet the unique constraint on (organisation, call id) and the loser is handled as a repeat.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import json
import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from frontoffice.clients.normalise import normalise_phone
from frontoffice.clients.selectors import clients_with_phones
from frontoffice.core.audit import buffered_audit
from frontoffice.core.events import channel, publish
from frontoffice.core.queries import single, update_rows
from frontoffice.core.reporting import buffered

from .. import reporting
from .. import services as interaction_services
from ..choices import AgentState, CallState, Channel, CtiOutcome, Direction, Outcome
from ..models import BlockedNumber, Call, CtiEvent, CtiToken, Interaction
from . import actions, services, teams

logger = logging.getLogger(__name__)

KINDS = frozenset({"newCall", "answer", "hangup", "hold", "unhold", "transfer", "wrapup_start", "wrapup_end"})
DUPLICATE_WINDOW = datetime.timedelta(seconds=30)
BATCH = 50  # queued events applied in one transaction (apply_queued)
LANES = 64  # queued events are spread over this many lanes by call id (queue.py shares them among appliers)
LAST_USED_GRAIN = datetime.timedelta(minutes=1)  # "last used" is written at most once a minute per token
ANONYMOUS = frozenset({"", "anonymous", "unknown", "restricted", "private"})

# Hangup causes of calls nobody answered → the contact's outcome. ``cancel``: the caller gave up.
UNANSWERED_INBOUND = {
    "cancel": Outcome.ABANDONED,
    "noAnswer": Outcome.MISSED,
    "busy": Outcome.MISSED,
    "congestion": Outcome.MISSED,
    "notFound": Outcome.MISSED,
    "forwarded": Outcome.TRANSFERRED,
}
UNANSWERED_OUTBOUND = {"notFound": Outcome.WRONG_NUMBER, "forwarded": Outcome.TRANSFERRED}
NO_CALLBACK_CAUSES = frozenset({"forwarded"})
# What an event may change on a Call row (saved by name: the rest never changes after the insert).
CALL_PROGRESS = [
    "state",
    "team",
    "cause",
    "ring_seconds",
    "talk_seconds",
    "hold_seconds",
    "hold_started_at",
    "wrap_up_started_at",
    "wrap_up_seconds",
    "transfers",
    "event_count",
    "seen_events",
    "updated_at",
]


def _agent_state(*, user: Any, state: str, at: datetime.datetime, call: Call) -> None:
    """The agent's state changed with the call; within a batch, the agent's open state is locked and read once."""
    batch = _current_batch.get()
    services.agent_state_record(user=user, state=state, at=at, call=call, held=None if batch is None else batch.states)


class BadEvent(ValueError):
    """The request is not a CTI event at all (no event kind or no call id)."""


@dataclass
class Result:
    outcome: str
    note: str = ""
    call: Call | None = None
    late: list[str] = field(default_factory=list)  # kinds of kept events applied after a late newCall
    reply: dict[str, str] = field(default_factory=dict)  # Zammad's action for the PBX (see actions.py)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {**self.reply, "result": self.outcome}
        if self.note:
            body["note"] = self.note
        if self.call is not None:
            body["contact_id"] = self.call.interaction_id
        if self.late:
            body["applied_late"] = self.late
        return body


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    """One shape for form-encoded and JSON bodies: ``user[]``/``user`` become the list ``user``."""
    getlist = getattr(data, "getlist", None)
    users: list[str] = []
    for key in ("user[]", "user"):
        if getlist is not None:
            users += [str(value) for value in getlist(key)]
        elif key in data:
            value = data[key]
            users += [str(item) for item in value] if isinstance(value, list) else [str(value)]
    event: dict[str, Any] = {}
    for key in (
        "event",
        "from",
        "to",
        "direction",
        "callId",
        "answeringNumber",
        "cause",
        "queue",
        "transferTo",
        "timestamp",
    ):
        value = data.get(key)
        if value is not None and value != "":
            event[key] = str(value)[:250]
    if users:
        event["user"] = [user[:150] for user in users if user][:20]
    return event


def _fingerprint(event: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(event, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _occurred_at(event: dict[str, Any], now: datetime.datetime) -> datetime.datetime:
    raw = event.get("timestamp", "")
    if not raw:
        return now
    try:
        return datetime.datetime.fromtimestamp(float(raw), tz=datetime.UTC)
    except ValueError:
        pass
    parsed = parse_datetime(raw)
    if parsed is None:
        return now
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)


def resolve_users(organisation_id: int, values: list[str]) -> list[Any]:
    """Staff of the organisation named by extension, user name, e-mail or full name (Zammad sends names).

    At most three queries however many names are given (this runs for most events); within a batch of queued
    events, once per set of names."""
    wanted = list(dict.fromkeys(value.strip() for value in values if value and value.strip()))
    if not wanted:
        return []
    batch = _current_batch.get()
    if batch is None:
        return _resolve_users(organisation_id, wanted)
    remembered = batch.users
    key = (organisation_id, tuple(wanted))
    if key not in remembered:
        remembered[key] = _resolve_users(organisation_id, wanted)
    return list(remembered[key])


def _resolve_users(organisation_id: int, wanted: list[str]) -> list[Any]:
    found: dict[str, Any] = {}
    staff = (
        get_user_model()
        .objects.filter(staff__organisation_id=organisation_id, staff__is_active=True)
        .select_related("staff")
    )
    # Extension, user name or e-mail in one query; an extension wins over a user name that looks the same.
    lowered = [value.lower() for value in wanted]
    matches = staff.filter(
        Q(agent_phone__organisation_id=organisation_id, agent_phone__extension__in=wanted)
        | Q(username__in=wanted)
        | Q(email__in=lowered)
    ).annotate(extension=F("agent_phone__extension"))
    by_extension: dict[str, Any] = {}
    others: list[Any] = []
    for user in matches:
        if user.extension in wanted:
            by_extension[user.extension] = user
        others.append(user)
    for value in wanted:
        if value in by_extension:
            found[value] = by_extension[value]
            continue
        for user in others:
            if value == user.username or value.lower() == user.email.lower():
                found[value] = user
                break
    names = [value for value in wanted if value not in found and " " in value]
    if names:
        condition = Q()
        for value in names:
            first, _space, last = value.rpartition(" ")
            condition |= Q(first_name__iexact=first, last_name__iexact=last)
        for user in staff.filter(condition):
            for value in names:
                first, _space, last = value.rpartition(" ")
                if first.lower() == user.first_name.lower() and last.lower() == user.last_name.lower():
                    found.setdefault(value, user)
    users: list[Any] = []
    for value in wanted:
        user = found.get(value)
        if user is not None and user not in users:
            users.append(user)
    return users


def pop(call: Call, user_id: int, kind: str) -> None:
    """Tell the screen-pop stream of user ``user_id`` about the call (sent when the transaction commits)."""
    publish(
        pop_channel(call.organisation_id, user_id),
        {"type": kind, "contact": call.interaction_id, "call": call.pk},
    )


def pop_channel(organisation_id: int, user_id: int) -> str:
    return channel(organisation_id, "phone", "pop", user_id)


def receive(*, token: CtiToken, data: Mapping[str, Any]) -> Result:
    """Store and apply one event. Raises ``BadEvent`` for a body that is not an event."""
    event = normalise(data)
    kind, call_id = event.get("event", ""), event.get("callId", "")
    if kind not in KINDS:
        raise BadEvent("event")
    if not call_id:
        raise BadEvent("callId")
    now = timezone.now()
    occurred = _occurred_at(event, now)
    try:
        return _receive(token=token, event=event, occurred=occurred, now=now)
    except (IntegrityError, ValidationError):
        # Another request stored the same call (or the number's callback, or the agent's open state)
        # between our look and our insert; on PostgreSQL model validation may see it first and say so.
        # The whole event was rolled back: apply it again, now that the other row is there.
        logger.info("CTI %s for %s raced another request; retrying", kind, call_id)
        return _receive(token=token, event=event, occurred=occurred, now=now)


def enqueue(*, token: CtiToken, data: Mapping[str, Any]) -> Result:
    """Queued mode: store the event as it came and answer at once; ``apply_queued`` applies it moments later.

    One insert instead of the dozen statements applying takes, so the webhook keeps pace with a busy PBX.
    The PBX's action (reject a blocked caller, the caller ID to dial with) is decided here, as it must be in
    the answer. Raises ``BadEvent`` for a body that is not an event."""
    event = normalise(data)
    kind, call_id = event.get("event", ""), event.get("callId", "")
    if kind not in KINDS:
        raise BadEvent("event")
    if not call_id:
        raise BadEvent("callId")
    now = timezone.now()
    CtiEvent.objects.create(
        organisation_id=token.organisation_id,
        token=token,
        call_id=call_id,
        kind=kind,
        payload=event,
        fingerprint=_fingerprint(event),
        occurred_at=_occurred_at(event, now),
        outcome=CtiOutcome.QUEUED,
        lane=lane_of(call_id),
    )
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRAIN:
        services.cti_token_touch(token=token, at=now)
    reply = actions.new_call_reply(branch_id=token.branch_id, event=event, address=caller_address(event))
    return Result(CtiOutcome.QUEUED, reply=reply)


def lane_of(call_id: str) -> int:
    """The queue lane of a call's events (the same for every event of the call; see queue.py)."""
    return zlib.crc32(call_id.encode()) % LANES


def apply_queued(*, lanes: list[int] | None = None, limit: int = 500) -> int:
    """Apply queued events of ``lanes`` (all when None) in the order they came, at most ``limit``; how many.

    Only one applier may work on a lane at a time (``queue.py`` holds the locks): events of one call must be
    applied in the order they were received. Events are applied ``BATCH`` at a time in one transaction
    (``_apply_batch``); a batch that meets another applier on a row both need falls back to one event at a
    time."""
    queued = CtiEvent.objects.filter(outcome=CtiOutcome.QUEUED)
    if lanes is not None:
        queued = queued.filter(lane__in=lanes)
    rows = list(queued.select_related("token__branch__organisation").order_by("pk")[:limit])
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        try:
            _apply_batch(chunk)
        except (IntegrityError, ValidationError, OperationalError) as error:
            # Calls never meet across lanes, but a number's callback or an agent's state row can: another
            # applier got there first, or the two waited on each other (a deadlock PostgreSQL broke).
            logger.info("CTI batch of %s events met another applier (%s); applying one by one", len(chunk), error)
            for row in chunk:
                _apply_one(row)
    return len(rows)


def _apply_one(row: CtiEvent) -> None:
    token = row.token
    if token is None:  # the token was deleted with its events still queued: nothing to apply them to
        CtiEvent.objects.filter(pk=row.pk).update(outcome=CtiOutcome.OUT_OF_ORDER, note="token removed")
        return
    try:
        _receive(token=token, event=row.payload, occurred=row.occurred_at, now=row.received_at, row=row)
    except (IntegrityError, ValidationError):
        logger.info("CTI %s for %s raced another request; retrying", row.kind, row.call_id)
        _receive(token=token, event=row.payload, occurred=row.occurred_at, now=row.received_at, row=row)


@dataclass
class _Batch:
    """What a batch of queued events looks up once, before its first event, and writes once, at its end,
    instead of once per event."""

    rows: list[CtiEvent] = field(default_factory=list)  # applied events: sequence, outcome, note
    calls: dict[int, Call] = field(default_factory=dict)  # calls moved on: CALL_PROGRESS
    tokens: dict[int, tuple[CtiToken, datetime.datetime]] = field(default_factory=dict)  # last used
    contacts: dict[int, tuple[Interaction, set[str]]] = field(default_factory=dict)  # contacts changed: fields
    links: list[Any] = field(default_factory=list)  # new calls' "rang for" rows
    # Looked up before the first event:
    clients: dict[str, list[Any]] = field(default_factory=dict)  # the clients at each new call's number
    blocked: set[tuple[int, str]] = field(default_factory=set)  # (branch id, number) of blocked callers
    kept: set[tuple[int, str]] = field(default_factory=set)  # (organisation id, call id) with kept events
    rang_for: dict[int, list[int]] = field(default_factory=dict)  # call pk → the users it rang for
    # Looked up as the events need them:
    users: dict[tuple[int, tuple[str, ...]], list[Any]] = field(default_factory=dict)  # staff by the names given
    states: dict[int, Any] = field(default_factory=dict)  # agents' open states, locked, by user id


# The batch being applied (None outside one): the functions deep in an event's path read and add to it.
_current_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("cti_batch", default=None)


def _apply_batch(rows: list[CtiEvent]) -> None:
    """Apply queued events in one transaction: the batch's calls are locked and read in one query, the staff
    the events name are looked up once, and the events' results, the calls' progress and the tokens' "last
    used" are written once each at the end."""
    batch = _Batch()
    token = _current_batch.set(batch)
    try:
        with teams.remembered():  # each queue's and each agent's team looked up once per batch
            _apply_batch_in_transaction(rows, batch)
    finally:
        _current_batch.reset(token)


@transaction.atomic
def _apply_batch_in_transaction(rows: list[CtiEvent], batch: _Batch) -> None:
    # The batch's reporting events and audit entries go in as one INSERT each, in this transaction.
    with buffered(), buffered_audit():
        _apply_rows(rows, batch)


def _apply_rows(rows: list[CtiEvent], batch: _Batch) -> None:
    keys = {(row.organisation_id, row.call_id) for row in rows if row.token is not None}
    calls: dict[tuple[int, str], Call] = {}
    if keys:
        wanted = _calls_q(keys)
        locked = Call.objects.select_for_update(of=("self",)).select_related("interaction__staff__staff")
        calls = {(call.organisation_id, call.call_id): call for call in locked.filter(wanted).order_by("pk")}
        _look_up(batch, rows, calls, wanted)
    _step_rows(rows, batch, calls)
    _write(batch)


def _calls_q(keys: set[tuple[int, str]]) -> Q:
    """The calls (or their events) of these (organisation id, call id) pairs."""
    wanted = Q()
    for organisation_id in {organisation_id for organisation_id, _ in keys}:
        ids = [call_id for owner, call_id in keys if owner == organisation_id]
        wanted |= Q(organisation_id=organisation_id, call_id__in=ids)
    return wanted


def _look_up(batch: _Batch, rows: list[CtiEvent], calls: dict[tuple[int, str], Call], wanted: Q) -> None:
    """What the batch's events would each look up: the new callers' clients and blocks, the calls with kept
    events, and whom the known calls rang for; one query each."""
    fresh = [
        row
        for row in rows
        if row.kind == "newCall" and row.token is not None and (row.organisation_id, row.call_id) not in calls
    ]
    numbers: dict[int, set[str]] = {}
    for row in fresh:
        address = caller_address(row.payload)
        if address:
            numbers.setdefault(row.organisation_id, set()).add(address)
    for organisation_id, addresses in numbers.items():
        batch.clients.update(clients_with_phones(organisation_id=organisation_id, phones=addresses))
    if numbers:
        batch.blocked = set(
            BlockedNumber.objects.filter(
                branch_id__in={row.token.branch_id for row in fresh if row.token is not None},
                number__in=set().union(*numbers.values()),
                removed_at__isnull=True,
            ).values_list("branch_id", "number")
        )
    if fresh:
        kept = CtiEvent.objects.filter(wanted, outcome=CtiOutcome.UNKNOWN_CALL)
        batch.kept = set(kept.values_list("organisation_id", "call_id"))
    if calls:
        batch.rang_for = {call.pk: [] for call in calls.values()}  # a call that rang for nobody is known too
        through = Call.rang_for.through.objects.filter(call_id__in=list(batch.rang_for))
        for call_id, user_id in through.order_by("pk").values_list("call_id", "user_id"):
            batch.rang_for[call_id].append(user_id)


def _write(batch: _Batch) -> None:
    """The batch's writes kept for its end."""
    now = timezone.now()
    Call.rang_for.through.objects.bulk_create(batch.links)
    by_fields: dict[tuple[str, ...], list[Interaction]] = {}
    for interaction, changed in batch.contacts.values():
        interaction.updated_at = now
        by_fields.setdefault(tuple(sorted(changed | {"updated_at"})), []).append(interaction)
    for fields, contacts in by_fields.items():
        update_rows(Interaction, contacts, fields)
    for call in batch.calls.values():
        call.updated_at = now
    update_rows(Call, batch.calls.values(), CALL_PROGRESS)
    update_rows(CtiEvent, batch.rows, ["sequence", "outcome", "note"])
    for token, at in batch.tokens.values():
        if token.last_used_at is None or at - token.last_used_at > LAST_USED_GRAIN:
            services.cti_token_touch(token=token, at=at)


def _step_rows(rows: list[CtiEvent], batch: _Batch, calls: dict[tuple[int, str], Call]) -> None:
    for row in rows:
        token = row.token
        if token is None:
            row.outcome, row.note = CtiOutcome.OUT_OF_ORDER, "token removed"
            batch.rows.append(row)
            continue
        key = (row.organisation_id, row.call_id)
        result = _step(
            token=token,
            event=row.payload,
            occurred=row.occurred_at,
            now=row.received_at,
            row=row,
            call=calls.get(key),
        )
        if result.call is not None:
            calls[key] = result.call


def caller_address(event: dict[str, Any]) -> str:
    """The other party's number in E.164 (the caller's for an inbound call), or "" when anonymous."""
    inbound = event.get("direction", "in") != "out"
    number = event.get("from" if inbound else "to", "")
    return "" if number.strip().lower() in ANONYMOUS else (normalise_phone(number) or number)


@transaction.atomic
def _receive(
    *,
    token: CtiToken,
    event: dict[str, Any],
    occurred: datetime.datetime,
    now: datetime.datetime,
    row: CtiEvent | None = None,
) -> Result:
    """Apply one event; ``row`` is the event's queued row (queued mode), else a row is written for it."""
    call = single(
        Call.objects.select_for_update(of=("self",))
        .select_related("interaction__staff__staff")
        .filter(organisation_id=token.organisation_id, call_id=event["callId"])
    )
    # The event's reporting rows (often several: a hangup ends a call and a state) in one INSERT; an agent's team
    # is looked up once even when the event both gives the call its team and ends the agent's state.
    with buffered(), teams.remembered():
        result = _step(token=token, event=event, occurred=occurred, now=now, row=row, call=call)
    result.reply = actions.pbx_reply(kind=event["event"], call=result.call)
    return result


def _step(
    *,
    token: CtiToken,
    event: dict[str, Any],
    occurred: datetime.datetime,
    now: datetime.datetime,
    row: CtiEvent | None,
    call: Call | None,
) -> Result:
    """Apply one event to ``call`` (locked by the caller; None when the call is not known yet).

    Within a batch (``_current_batch``) the event's row, the call's progress and the token's "last used" are
    left to the batch to write; an event kept for a call not begun yet is written at once, since a later
    event of the same batch looks for it in the table."""
    batch = _current_batch.get()
    organisation_id = token.organisation_id
    kind, call_id = event["event"], event["callId"]
    fingerprint = _fingerprint(event)
    timestamped = "timestamp" in event
    if call is not None:
        duplicate = _seen(call, fingerprint, now)
    elif kind == "newCall":
        duplicate = False  # a newCall that was received made the call, so with no call there is no earlier one
    else:  # an event of a call not begun yet: compare with the events kept for it
        earlier = CtiEvent.objects.filter(organisation_id=organisation_id, call_id=call_id, fingerprint=fingerprint)
        earlier = earlier.exclude(outcome=CtiOutcome.QUEUED)  # itself, and events queued after it
        if not timestamped:
            earlier = earlier.filter(received_at__gte=now - DUPLICATE_WINDOW)
        duplicate = earlier.exists()
    if duplicate:
        result = Result(CtiOutcome.DUPLICATE, "same event already received", call)
    elif call is None and kind != "newCall":
        result = Result(CtiOutcome.UNKNOWN_CALL, "no newCall for this call id yet; kept")
    elif call is None:
        # No savepoint: a racing insert's IntegrityError rolls the whole event (or batch) back, to be applied
        # again by receive() (or one by one by apply_queued()).
        call = _new_call(token=token, event=event, occurred=occurred)
        result = Result(CtiOutcome.APPLIED, call=call)
    else:
        result = Result(*_apply(token=token, call=call, event=event, occurred=occurred), call=call)
    sequence = (call.event_count + 1) if call is not None else 0
    if row is None:
        CtiEvent.objects.create(
            organisation_id=organisation_id,
            token=token,
            call_id=call_id,
            kind=kind,
            payload=event,
            fingerprint=fingerprint,
            occurred_at=occurred,
            sequence=sequence,
            outcome=result.outcome,
            note=result.note,
        )
    else:
        row.sequence, row.outcome, row.note = sequence, result.outcome, result.note
        if batch is None or result.outcome == CtiOutcome.UNKNOWN_CALL:
            row.save(update_fields=["sequence", "outcome", "note"])
            if batch is not None:
                batch.kept.add((organisation_id, call_id))
        else:
            batch.rows.append(row)
    if call is not None:
        call.event_count = sequence
        _remember(call, fingerprint, None if timestamped else now)
        if kind == "newCall" and result.outcome == CtiOutcome.APPLIED:
            result.late = _apply_kept(token=token, call=call)
        if batch is None:
            call.save(update_fields=CALL_PROGRESS)
        else:
            batch.calls[call.pk] = call
    if batch is not None:
        batch.tokens[token.pk] = (token, max(now, batch.tokens.get(token.pk, (token, now))[1]))
    elif token.last_used_at is None or now - token.last_used_at > LAST_USED_GRAIN:
        services.cti_token_touch(token=token, at=now)
    return result


def _seen(call: Call, fingerprint: str, now: datetime.datetime) -> bool:
    """Whether the call already had this event: for ever when the PBX stamped it with its time, else within
    ``DUPLICATE_WINDOW`` (two identical unstamped events a minute apart may well be two real events)."""
    horizon = (now - DUPLICATE_WINDOW).timestamp()
    return any(seen == fingerprint and (received is None or received >= horizon) for seen, received in call.seen_events)


def _remember(call: Call, fingerprint: str, received: datetime.datetime | None) -> None:
    """Add an event to the call's list of events seen (``received`` is None for a time-stamped event)."""
    call.seen_events = [*call.seen_events, [fingerprint, None if received is None else received.timestamp()]]


def _apply_kept(*, token: CtiToken, call: Call) -> list[str]:
    """Events that came before their newCall, applied now in the order they came."""
    applied: list[str] = []
    batch = _current_batch.get()
    if batch is not None and (call.organisation_id, call.call_id) not in batch.kept:
        return applied
    kept = CtiEvent.objects.filter(
        organisation_id=call.organisation_id, call_id=call.call_id, outcome=CtiOutcome.UNKNOWN_CALL
    ).order_by("received_at", "pk")
    for row in kept:
        outcome, note = _apply(token=token, call=call, event=row.payload, occurred=row.occurred_at)
        call.event_count += 1
        row.outcome, row.sequence = outcome, call.event_count
        row.note = ("applied after the late newCall" if outcome == CtiOutcome.APPLIED else note)[:200]
        row.save(update_fields=["outcome", "sequence", "note"])
        _remember(call, row.fingerprint, None if "timestamp" in row.payload else row.received_at)
        applied.append(row.kind)
    return applied


def _new_call(*, token: CtiToken, event: dict[str, Any], occurred: datetime.datetime) -> Call:
    inbound = event.get("direction", "in") != "out"
    users = resolve_users(token.organisation_id, event.get("user", []))
    address = caller_address(event)
    # A blocked caller is rejected (actions.pbx_reply): the contact is kept, ended at once, and nobody is rung.
    batch = _current_batch.get()
    if batch is None:
        blocked = inbound and actions.is_blocked(branch_id=token.branch_id, number=address)
    else:
        blocked = inbound and (token.branch_id, address) in batch.blocked
    interaction = interaction_services.record_contact(
        branch=token.branch,
        channel=Channel.PHONE,
        actor=None,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        started_at=occurred,
        ended_at=occurred if blocked else None,
        outcome=Outcome.BLOCKED if blocked else "",
        staff=None if inbound or not users else users[0],
        contact_address=address,
        external_id=event["callId"],
        report=blocked,  # a call's contact is reported when it ends; a blocked one ends here
        candidates=None if batch is None else batch.clients.get(address, []),
        external_id_free=True,  # the call id is the contact's: no call had it (looked for under lock)
    )
    call = Call.objects.create(
        organisation_id=token.organisation_id,
        branch=token.branch,
        interaction=interaction,
        call_id=event["callId"],
        from_number=event.get("from", "")[:64],
        to_number=event.get("to", "")[:64],
        queue=event.get("queue", "")[:80],
        team_id=None
        if blocked
        else teams.call_team_id(
            organisation_id=token.organisation_id,
            branch_id=token.branch_id,
            queue=event.get("queue", "")[:80],
            agent_id=None if inbound or not users else users[0].pk,
        ),
        **({"state": CallState.ENDED, "cause": "blocked", "ring_seconds": 0} if blocked else {}),
    )
    if batch is not None:
        batch.rang_for[call.pk] = []  # set below for an inbound call's people
    if blocked:
        return call
    if inbound:
        reporting.call_offered(call)
        # Straight into the link table: the call is new, so there is nothing to compare with.
        links = [Call.rang_for.through(call=call, user=user) for user in users]
        if batch is None:
            Call.rang_for.through.objects.bulk_create(links)
        else:
            batch.links += links
            batch.rang_for[call.pk] = [user.pk for user in users]
        for user in users:
            pop(call, user.pk, "call.ringing")
    elif users:
        _agent_state(user=users[0], state=AgentState.ON_CALL, at=occurred, call=call)
    return call


def _apply(*, token: CtiToken, call: Call, event: dict[str, Any], occurred: datetime.datetime) -> tuple[str, str]:
    """Move ``call`` on by one event; (outcome, note). Saves the interaction; the caller saves ``call``."""
    kind = event["event"]
    interaction: Interaction = call.interaction
    occurred = max(occurred, interaction.started_at)
    if kind == "newCall":
        return CtiOutcome.OUT_OF_ORDER, "the call has already begun"
    if kind == "answer":
        if call.state != CallState.RINGING:
            return CtiOutcome.OUT_OF_ORDER, "the call is not ringing"
        users = resolve_users(call.organisation_id, [event.get("answeringNumber", ""), *event.get("user", [])])
        staff = users[0] if users else interaction.staff or call.rang_for.first()
        call.state = CallState.ANSWERED
        call.ring_seconds = reporting.elapsed_seconds(interaction.started_at, occurred)
        interaction.answered_at = occurred
        interaction.staff = staff
        _save_contact(interaction, ["answered_at", "staff"])
        if call.team_id is None and staff is not None:  # no team holds the call's queue: the agent's team
            call.team_id = teams.only_team(teams.member_teams(staff.pk), branch_id=call.branch_id)
        if interaction.direction == Direction.INBOUND:
            reporting.call_answered(call, at=occurred)
        if staff is not None:
            _agent_state(user=staff, state=AgentState.ON_CALL, at=occurred, call=call)
            pop(call, staff.pk, "call.answered")
        return CtiOutcome.APPLIED, ""
    if kind == "hold":
        if call.state != CallState.ANSWERED:
            return CtiOutcome.OUT_OF_ORDER, "only a call in progress can be put on hold"
        call.state, call.hold_started_at = CallState.ON_HOLD, occurred
        return CtiOutcome.APPLIED, ""
    if kind == "unhold":
        if call.state != CallState.ON_HOLD:
            return CtiOutcome.OUT_OF_ORDER, "the call is not on hold"
        call.hold_seconds += reporting.elapsed_seconds(call.hold_started_at, occurred)
        call.state, call.hold_started_at = CallState.ANSWERED, None
        return CtiOutcome.APPLIED, ""
    if kind == "transfer":
        return _transfer(call=call, event=event, occurred=occurred)
    if kind == "hangup":
        return _hangup(token=token, call=call, event=event, occurred=occurred)
    if kind == "wrapup_start":
        if call.state != CallState.ENDED or call.interaction.answered_at is None or call.wrap_up_seconds is not None:
            return CtiOutcome.OUT_OF_ORDER, "wrap-up starts after an answered call has ended"
        call.wrap_up_started_at = call.wrap_up_started_at or occurred
        if interaction.staff is not None:
            _agent_state(user=interaction.staff, state=AgentState.WRAP_UP, at=occurred, call=call)
        return CtiOutcome.APPLIED, ""
    # wrapup_end
    if call.state != CallState.ENDED or call.wrap_up_started_at is None or call.wrap_up_seconds is not None:
        return CtiOutcome.OUT_OF_ORDER, "no wrap-up in progress"
    call.wrap_up_seconds = reporting.elapsed_seconds(call.wrap_up_started_at, occurred)
    if _wrap_up_follows(token, interaction):  # else the hangup reported the call's handling already
        reporting.call_ended(call, at=occurred)
    if interaction.staff is not None:
        _agent_state(user=interaction.staff, state=AgentState.AVAILABLE, at=occurred, call=call)
    return CtiOutcome.APPLIED, ""


def _save_contact(interaction: Interaction, fields: list[str]) -> None:
    """Save what an event changed on the call's contact; within a batch, once for all its events at its end."""
    batch = _current_batch.get()
    if batch is None:
        interaction.save(update_fields=[*fields, "updated_at"])
    else:
        batch.contacts.setdefault(interaction.pk, (interaction, set()))[1].update(fields)


def _rang_for_ids(call: Call) -> list[int]:
    """The users the call rang for (known to a batch without a query)."""
    batch = _current_batch.get()
    if batch is not None and call.pk in batch.rang_for:
        return batch.rang_for[call.pk]
    return list(call.rang_for.values_list("pk", flat=True))


def _wrap_up_follows(token: CtiToken, interaction: Interaction) -> bool:
    """Whether the hangup of an answered call starts a wrap-up (whose end then ends the call's handling)."""
    return token.uses_wrap_up and interaction.staff is not None


def _transfer(*, call: Call, event: dict[str, Any], occurred: datetime.datetime) -> tuple[str, str]:
    if call.state not in (CallState.ANSWERED, CallState.ON_HOLD):
        return CtiOutcome.OUT_OF_ORDER, "only a call in progress can be transferred"
    names = [event.get("transferTo", ""), event.get("answeringNumber", ""), *event.get("user", [])]
    targets = resolve_users(call.organisation_id, names)
    if not targets:
        return CtiOutcome.OUT_OF_ORDER, "transfer to nobody we know"
    interaction = call.interaction
    previous, target = interaction.staff, targets[0]
    if call.state == CallState.ON_HOLD:  # a consultative transfer ends the hold
        call.hold_seconds += reporting.elapsed_seconds(call.hold_started_at, occurred)
        call.state, call.hold_started_at = CallState.ANSWERED, None
    call.transfers += 1
    interaction.staff = target
    _save_contact(interaction, ["staff"])
    if previous is not None and previous != target:
        _agent_state(user=previous, state=AgentState.AVAILABLE, at=occurred, call=call)
    _agent_state(user=target, state=AgentState.ON_CALL, at=occurred, call=call)
    pop(call, target.pk, "call.answered")
    return CtiOutcome.APPLIED, ""


def _hangup(*, token: CtiToken, call: Call, event: dict[str, Any], occurred: datetime.datetime) -> tuple[str, str]:
    if call.state == CallState.ENDED:
        return CtiOutcome.OUT_OF_ORDER, "the call has already ended"
    interaction = call.interaction
    cause = event.get("cause", "")
    inbound = interaction.direction == Direction.INBOUND
    if call.state == CallState.ON_HOLD:
        call.hold_seconds += reporting.elapsed_seconds(call.hold_started_at, occurred)
        call.hold_started_at = None
    call.state, call.cause = CallState.ENDED, cause[:32]
    interaction.ended_at = occurred
    fields = ["ended_at"]
    if interaction.answered_at is not None:
        call.talk_seconds = max(0, reporting.elapsed_seconds(interaction.answered_at, occurred) - call.hold_seconds)
        if call.transfers and not interaction.outcome:
            interaction.outcome = Outcome.TRANSFERRED
            fields.append("outcome")
        if interaction.staff is not None:
            state = AgentState.WRAP_UP if token.uses_wrap_up else AgentState.AVAILABLE
            _agent_state(user=interaction.staff, state=state, at=occurred, call=call)
            if token.uses_wrap_up:
                call.wrap_up_started_at = occurred
    else:
        call.ring_seconds = reporting.elapsed_seconds(interaction.started_at, occurred)
        table = UNANSWERED_INBOUND if inbound else UNANSWERED_OUTBOUND
        interaction.outcome = table.get(cause, Outcome.MISSED if inbound else Outcome.NO_ANSWER)
        fields.append("outcome")
        if not inbound and interaction.staff is not None:
            _agent_state(user=interaction.staff, state=AgentState.AVAILABLE, at=occurred, call=call)
    _save_contact(interaction, fields)
    reporting.contact_recorded(interaction)
    if interaction.answered_at is not None:
        if not _wrap_up_follows(token, interaction):
            reporting.call_ended(call, at=occurred)
    elif inbound:
        reporting.call_abandoned(call, at=occurred)
    for user_id in {*_rang_for_ids(call), *([interaction.staff_id] if interaction.staff_id else [])}:
        pop(call, user_id, "call.ended")
    if inbound and interaction.answered_at is None and cause not in NO_CALLBACK_CAUSES and interaction.contact_address:
        services.callback_for_missed_call(interaction=interaction, at=occurred)
    return CtiOutcome.APPLIED, ""
