"""Writes of the waitlist: entries, offers of freed slots, answers to them, time-outs and the policy.

How a freed slot is offered (docs/desk-waitlist.md):

1. ``services_calendar`` calls ``slot_freed`` after the commit that cancelled, marked as no-show or
   moved away an appointment. It records a ``FreedSlot`` and calls ``offer_next``.
2. ``offer_next`` walks the branch's waiting entries in order (priority, then time on the list) and
   offers the slot to the first one that is eligible (``ineligible_because``) and can be contacted
   (``contact_refusal``); those passed over for their contact settings keep the reason
   (``skip_reason``, and an audit entry). At most one offer of a slot is pending at a time.
3. The client accepts (``offer_accept``: the slot is booked through ``appointment_book``; the later
   appointment they held is cancelled, which frees that slot for the next one), declines
   (``offer_decline``: the next client is offered it at once) or lets it run out (the periodic job
   ``desk.waitlist_offers``: the same).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from frontoffice.clients.choices import ConsentPurpose
from frontoffice.clients.models import Client
from frontoffice.core.audit import audit, signed_in_user
from frontoffice.core.models import Organisation
from frontoffice.core.notifications import email_queue, sms_queue
from frontoffice.core.periodic import periodic

from . import services_calendar, slots
from .models import Appointment, Resource, VisitType
from .models.calendar import SLOT_HOLDING
from .models.waitlist import (
    FreedSlot,
    OfferStatus,
    WaitlistChannel,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistPolicy,
    WaitlistPriority,
    WaitlistStatus,
)

log = logging.getLogger(__name__)

SALT = "frontoffice.desk.waitlist-offer"
LINK_MAX_AGE = timedelta(days=3)  # the offer's own time limit is shorter; this only bounds a leaked link
DEFAULT_OFFER_MINUTES = 30
DEFAULT_NOTICE_MINUTES = 60


# --- signed links --------------------------------------------------------------------------------


class LinkInvalid(Exception):
    """Tampered, truncated, too old or not a link of ours."""


def make_token(*, offer: WaitlistOffer) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"o": offer.pk, "c": offer.entry.client_id})


def read_token(token: str) -> tuple[int, int]:
    """The (offer id, client id) the token names; raises ``LinkInvalid``."""
    if not token or len(token) > 300:
        raise LinkInvalid
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise LinkInvalid from None
    if not isinstance(payload, dict) or not isinstance(payload.get("o"), int) or not isinstance(payload.get("c"), int):
        raise LinkInvalid
    return payload["o"], payload["c"]


def offer_url(offer: WaitlistOffer) -> str:
    return settings.PUBLIC_URL.rstrip("/") + reverse("desk:waitlist_offer", kwargs={"token": make_token(offer=offer)})


# --- the policy ----------------------------------------------------------------------------------


def policy_for(organisation: Organisation | int) -> WaitlistPolicy:
    """The organisation's settings, or the defaults (unsaved) when a manager never changed them."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    found = WaitlistPolicy.objects.filter(organisation_id=organisation_id).first()
    return found or WaitlistPolicy(
        organisation_id=organisation_id, offer_minutes=DEFAULT_OFFER_MINUTES, notice_minutes=DEFAULT_NOTICE_MINUTES
    )


@transaction.atomic
def policy_update(*, organisation: Organisation, actor: Any, offer_minutes: int, notice_minutes: int) -> WaitlistPolicy:
    policy = policy_for(organisation)
    if offer_minutes < 1 or offer_minutes > 24 * 60:
        raise ValidationError({"offer_minutes": [_("Between 1 minute and 24 hours.")]})
    if notice_minutes > 7 * 24 * 60:
        raise ValidationError({"notice_minutes": [_("At most a week.")]})
    policy.offer_minutes, policy.notice_minutes = offer_minutes, notice_minutes
    policy.updated_by = signed_in_user(actor)
    if policy.pk:
        policy.version += 1
    policy.full_clean()
    policy.save()
    audit(
        actor=actor,
        action="waitlist.policy",
        target=policy,
        organisation=organisation,
        summary=_("Waitlist settings changed"),
        data={"offer_minutes": offer_minutes, "notice_minutes": notice_minutes},
    )
    return policy


# --- entries -------------------------------------------------------------------------------------


def default_channel(client: Client) -> str:
    """The client's preferred channel when it is SMS or e-mail; else SMS if they have a phone, else e-mail."""
    if client.preferred_channel in (WaitlistChannel.SMS, WaitlistChannel.EMAIL):
        return str(client.preferred_channel)
    if client.preferred_channel == "phone" or client.contacts.filter(kind="phone").exists():
        return WaitlistChannel.SMS
    return WaitlistChannel.EMAIL


@transaction.atomic
def entry_create(
    *,
    branch: Any,
    actor: Any,
    client: Client,
    visit_type: VisitType,
    date_from: date,
    date_to: date,
    resource: Resource | None = None,
    priority: int = WaitlistPriority.NORMAL,
    channel: str = "",
    current_appointment: Appointment | None = None,
    note: str = "",
) -> WaitlistEntry:
    """Put ``client`` on ``branch``'s waitlist for ``visit_type`` between two days (branch's local dates)."""
    organisation_id = branch.organisation_id
    errors = services_calendar.client_and_visit_type_errors(organisation_id, client, visit_type)
    if resource is not None:
        if resource.branch_id != branch.pk:
            errors["resource"] = [_("Choose a resource of this branch.")]
        elif not slots.can_perform(resource, visit_type):
            errors["resource"] = [
                _("%(resource)s does not do %(visit_type)s.")
                % {"resource": resource.name, "visit_type": visit_type.name}
            ]
    today = timezone.localdate(timezone.now(), slots.zone_of(branch))
    if date_to < today:
        errors.setdefault("date_to", []).append(_("The last day has already passed."))
    if date_to < date_from:
        errors.setdefault("date_to", []).append(_("The last day must not be before the first day."))
    if current_appointment is not None and (
        current_appointment.client_id != client.pk or current_appointment.branch_id != branch.pk
    ):
        errors["current_appointment"] = [_("Choose an appointment of this client at this branch.")]
    if channel and channel not in WaitlistChannel.values:
        errors["channel"] = [_("Choose SMS or e-mail.")]
    if (
        not errors
        and WaitlistEntry.objects.filter(
            client=client,
            visit_type=visit_type,
            branch=branch,
            status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED),
        ).exists()
    ):
        errors["client"] = [_("This client is already on the waitlist for this visit type.")]
    if errors:
        raise ValidationError(errors)
    user = signed_in_user(actor)
    entry = WaitlistEntry(
        organisation_id=organisation_id,
        branch=branch,
        client=client,
        visit_type=visit_type,
        resource=resource,
        date_from=max(date_from, today),
        date_to=date_to,
        priority=priority,
        channel=channel or default_channel(client),
        current_appointment=current_appointment,
        note=note.strip()[:300],
        created_by=user,
        updated_by=user,
    )
    entry.full_clean()
    entry.save()
    audit(
        actor=actor,
        action="waitlist.add",
        target=entry,
        organisation=branch.organisation,
        branch=branch,
        summary=f"{visit_type.name} {entry.date_from}–{entry.date_to}",
        data={"client": client.pk, "resource": resource.pk if resource else None, "priority": priority},
    )
    return entry


@transaction.atomic
def entry_remove(*, entry: WaitlistEntry, actor: Any, reason: str) -> WaitlistEntry:
    """Take the client off the list (a pending offer is withdrawn and passed on to the next client)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the client is taken off the waitlist.")]})
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",)).select_related("branch__organisation").get(pk=entry.pk)
    )
    if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise ValidationError(_("This client is no longer waiting."), code="not_waiting")
    pending = list(entry.offers.filter(status=OfferStatus.PENDING).select_related("slot"))
    now = timezone.now()
    for offer in pending:
        offer.status, offer.responded_at = OfferStatus.WITHDRAWN, now
        offer.save(update_fields=["status", "responded_at"])
    entry.status = WaitlistStatus.REMOVED
    entry.removed_reason = reason[:300]
    entry.updated_by = signed_in_user(actor)
    entry.version += 1
    entry.save()
    audit(
        actor=actor,
        action="waitlist.remove",
        target=entry,
        organisation=entry.branch.organisation,
        branch=entry.branch,
        summary=reason[:200],
    )
    for offer in pending:
        offer_next(slot=offer.slot, now=now)
    return entry


def erase_client_waitlist(*, client: Client, actor: Any) -> dict[str, int]:
    """The erasure hook: an erased client leaves the list; notes and reasons typed about them are blanked."""
    now = timezone.now()
    entries = WaitlistEntry.objects.filter(client=client)
    withdrawn = WaitlistOffer.objects.filter(entry__client=client, status=OfferStatus.PENDING).update(
        status=OfferStatus.WITHDRAWN, responded_at=now
    )
    removed = entries.filter(status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED)).update(
        status=WaitlistStatus.REMOVED, updated_at=now
    )
    blanked = entries.exclude(note="", removed_reason="").update(note="", removed_reason="")
    return {"waitlist_entries": removed + blanked, "waitlist_offers": withdrawn}


# --- eligibility ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    resource: Resource
    starts_at: datetime
    ends_at: datetime


def ineligible_because(
    entry: WaitlistEntry, slot: FreedSlot, *, now: datetime, notice: timedelta
) -> tuple[str, Candidate | None]:
    """("", the offer's time) when ``entry`` can be offered ``slot``; else (a reason code, None).

    Codes: branch, resource, window, notice, not_earlier, overlap, pending, offered_before, not_free.
    """
    if entry.branch_id != slot.branch_id:
        return "branch", None
    if entry.resource_id is not None and entry.resource_id != slot.resource_id:
        return "resource", None
    starts_at = slot.starts_at
    ends_at = starts_at + timedelta(minutes=entry.visit_type.duration_minutes)
    local_day = timezone.localdate(starts_at, slots.zone_of(slot.branch))
    if not entry.date_from <= local_day <= entry.date_to:
        return "window", None
    if starts_at < now + notice:
        return "notice", None
    current = entry.current_appointment
    if current is not None and current.status in SLOT_HOLDING and starts_at >= current.starts_at:
        return "not_earlier", None
    if entry.offers.filter(status=OfferStatus.PENDING).exists():
        return "pending", None
    if entry.offers.filter(slot=slot).exists():
        return "offered_before", None
    others = Appointment.objects.filter(
        client_id=entry.client_id, status__in=SLOT_HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        return "overlap", None
    # Does the visit type fit on that resource then (hours, absences, closures, other bookings)? The slot logic says.
    refusal = slots.refusal_for(
        resource=slot.resource, visit_type=entry.visit_type, starts_at=starts_at, ends_at=ends_at
    )
    if refusal is not None:
        return "not_free", None
    return "", Candidate(slot.resource, starts_at, ends_at)


def contact_for(client: Client, channel: str) -> str:
    kind = "email" if channel == WaitlistChannel.EMAIL else "phone"
    contact = client.contacts.filter(kind=kind).order_by("-is_primary", "pk").first()
    return contact.value if contact is not None else ""


def contact_refusal(client: Client, channel: str) -> str:
    """Why the client may not be offered a slot by ``channel`` (a sentence for the staff), or ""."""
    if client.do_not_contact:
        return _("The client asked not to be contacted.")
    purpose = ConsentPurpose.EMAIL_REMINDERS if channel == WaitlistChannel.EMAIL else ConsentPurpose.SMS_REMINDERS
    if not client.consents.filter(purpose=purpose, withdrawn_at__isnull=True).exists():
        return (
            _("No consent to e-mail reminders.")
            if channel == WaitlistChannel.EMAIL
            else _("No consent to SMS reminders.")
        )
    if not contact_for(client, channel):
        return _("No e-mail address on file.") if channel == WaitlistChannel.EMAIL else _("No phone number on file.")
    return ""


# --- offering ------------------------------------------------------------------------------------


def slot_freed(appointment: Appointment, starts_at: datetime, ends_at: datetime) -> None:
    """The ``register_slot_freed`` callback: runs after the freeing commit, never breaks the caller."""
    try:
        slot_record(appointment=appointment, starts_at=starts_at, ends_at=ends_at)
    except Exception:
        log.exception("waitlist: offering the slot freed by appointment %s failed", appointment.pk)


@transaction.atomic
def slot_record(
    *, appointment: Appointment, starts_at: datetime, ends_at: datetime, now: datetime | None = None
) -> WaitlistOffer | None:
    """Record the freed slot (for the figures) and offer it to the first eligible waiting client."""
    now = now or timezone.now()
    if starts_at <= now:
        return None  # a slot that has started (a no-show) cannot be backfilled; it is not counted either
    slot = FreedSlot.objects.create(
        organisation_id=appointment.organisation_id,
        branch_id=appointment.branch_id,
        resource_id=_old_resource(appointment) if appointment.status in SLOT_HOLDING else appointment.resource_id,
        starts_at=starts_at,
        ends_at=ends_at,
        freed_at=now,
        source=appointment,
    )
    return offer_next(slot=slot, now=now)


def _old_resource(appointment: Appointment) -> int:
    """The resource a (still booked) appointment was moved away from: its history's previous row."""
    previous = appointment.history.order_by("-history_date", "-history_id")[1:2].first()  # type: ignore[attr-defined]
    return int(previous.resource_id if previous is not None else appointment.resource_id)


def offer_next(*, slot: FreedSlot, now: datetime) -> WaitlistOffer | None:
    """Offer ``slot`` to the next eligible waiting client (none while one offer of it is pending)."""
    # The slot's row is locked: two answers or sweeps passing the same slot on queue up here.
    slot = (
        FreedSlot.objects.select_for_update(of=("self",))
        .select_related("branch__organisation", "resource__branch")
        .get(pk=slot.pk)
    )
    if slot.filled or slot.offers.filter(status=OfferStatus.PENDING).exists():
        return None
    policy = policy_for(slot.organisation_id)
    notice = timedelta(minutes=policy.notice_minutes)
    if slot.starts_at < now + notice:
        return None
    entries = (
        WaitlistEntry.objects.filter(branch_id=slot.branch_id, status=WaitlistStatus.WAITING)
        .select_related("client", "visit_type", "current_appointment", "branch__organisation")
        .order_by("-priority", "created_at", "pk")
    )
    for entry in entries:
        _code, candidate = ineligible_because(entry, slot, now=now, notice=notice)
        if candidate is None:
            continue
        refusal = contact_refusal(entry.client, entry.channel)
        if refusal:
            _record_skip(entry, refusal, slot, now)
            continue
        offer = _send_offer(entry, slot, candidate, policy, now)
        if offer is not None:
            return offer
    return None


def _record_skip(entry: WaitlistEntry, reason: str, slot: FreedSlot, now: datetime) -> None:
    WaitlistEntry.objects.filter(pk=entry.pk).update(skip_reason=reason[:300], skipped_at=now)
    audit(
        actor=None,
        action="waitlist.skip",
        target=entry,
        organisation=slot.branch.organisation,
        branch=slot.branch,
        summary=reason[:200],
        data={"slot": slot.pk},
    )


def _send_offer(
    entry: WaitlistEntry, slot: FreedSlot, candidate: Candidate, policy: WaitlistPolicy, now: datetime
) -> WaitlistOffer | None:
    """Offer and message; None when the client was offered another slot a moment ago (try the next one)."""
    expires_at = min(now + timedelta(minutes=policy.offer_minutes), candidate.starts_at)
    offer = WaitlistOffer(
        organisation_id=slot.organisation_id,
        branch_id=slot.branch_id,
        slot=slot,
        entry=entry,
        resource=candidate.resource,
        starts_at=candidate.starts_at,
        ends_at=candidate.ends_at,
        sent_at=now,
        expires_at=expires_at,
    )
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        # Another process offered this client another slot a moment ago (one pending offer per client).
        return None
    offer.message = _offer_message(offer)
    offer.save(update_fields=["message"])
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.OFFERED, updated_at=now)
    entry.status = WaitlistStatus.OFFERED
    local = timezone.localtime(candidate.starts_at, slots.zone_of(slot.branch))
    audit(
        actor=None,
        action="waitlist.offer",
        target=entry,
        organisation=slot.branch.organisation,
        branch=slot.branch,
        summary=f"{candidate.resource.name} {local:%Y-%m-%d %H:%M}",
        data={"offer": offer.pk, "slot": slot.pk, "expires_at": expires_at.isoformat()},
    )
    return offer


def _offer_message(offer: WaitlistOffer) -> Any:
    entry = offer.entry
    client = entry.client
    organisation = offer.slot.branch.organisation
    zone = slots.zone_of(offer.slot.branch)
    language = client.preferred_language or organisation.default_language
    with translation.override(language):
        when = formats.date_format(timezone.localtime(offer.starts_at, zone), "DATETIME_FORMAT")
        until = timezone.localtime(offer.expires_at, zone).strftime("%H:%M")
        text = _(
            "%(organisation)s: an earlier time is free for %(visit_type)s: %(when)s with %(resource)s. "
            "Accept or decline by %(until)s: %(url)s"
        ) % {
            "organisation": organisation.name,
            "visit_type": entry.visit_type.name,
            "when": when,
            "resource": offer.resource.name,
            "until": until,
            "url": offer_url(offer),
        }
        subject = _("An earlier appointment is free")
    recipient = contact_for(client, entry.channel)
    if entry.channel == WaitlistChannel.EMAIL:
        return email_queue(to=recipient, subject=subject, body=text, organisation=organisation)
    return sms_queue(to=recipient, text=text, organisation=organisation)


# --- the client's answer -------------------------------------------------------------------------


class OfferClosed(Exception):
    """The offer cannot be answered any more: ``reason`` is accepted | declined | expired | withdrawn."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _locked_offer(offer: WaitlistOffer) -> WaitlistOffer:
    return (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry__client", "entry__visit_type", "entry__current_appointment", "slot", "resource__branch")
        .get(pk=offer.pk)
    )


def _check_open(offer: WaitlistOffer, now: datetime) -> None:
    if offer.status != OfferStatus.PENDING:
        raise OfferClosed(str(offer.status))
    if offer.expires_at <= now:
        raise OfferClosed(OfferStatus.EXPIRED)


def offer_accept(*, offer: WaitlistOffer, now: datetime | None = None) -> WaitlistOffer:
    """Book the offered slot through ``appointment_book`` (locks and the constraint apply).

    The client's later appointment (``current_appointment``) is cancelled, not moved: the new one is
    booked with the offered resource and visit type, and cancelling the old one frees its slot, which
    is then offered to the next client in turn. Raises ``OfferClosed`` ("withdrawn" when the time was
    taken meanwhile: the offer is marked so and the entry waits again).
    """
    now = now or timezone.now()
    try:
        return _accept(offer, now)
    except _Taken:
        _withdraw(offer, now)
        raise OfferClosed(OfferStatus.WITHDRAWN) from None


class _Taken(Exception):
    pass


@transaction.atomic
def _accept(offer: WaitlistOffer, now: datetime) -> WaitlistOffer:
    offer = _locked_offer(offer)
    _check_open(offer, now)
    entry = offer.entry
    try:
        booking = services_calendar.appointment_book(
            resource=offer.resource,
            client=entry.client,
            visit_type=entry.visit_type,
            starts_at=offer.starts_at,
            ends_at=offer.ends_at,
            actor=None,
            note=_("Booked from the waitlist."),
        )
    except ValidationError:
        raise _Taken from None
    offer.status, offer.responded_at, offer.appointment = OfferStatus.ACCEPTED, now, booking.appointment
    offer.save(update_fields=["status", "responded_at", "appointment"])
    FreedSlot.objects.filter(pk=offer.slot_id).update(filled=True)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.BOOKED, updated_at=now)
    audit(
        actor=None,
        action="waitlist.accept",
        target=entry,
        organisation=offer.resource.branch.organisation,
        branch=offer.resource.branch,
        summary=_("Offer accepted"),
        data={"offer": offer.pk, "appointment": booking.appointment.pk},
    )
    current = entry.current_appointment
    if current is not None and current.status in services_calendar.CANCELLABLE and current.starts_at > offer.starts_at:
        services_calendar.appointment_cancel(
            appointment=current, actor=None, reason=_("Moved to an earlier time from the waitlist.")
        )
    return offer


@transaction.atomic
def _withdraw(offer: WaitlistOffer, now: datetime) -> None:
    offer = _locked_offer(offer)
    if offer.status != OfferStatus.PENDING:
        return
    offer.status, offer.responded_at = OfferStatus.WITHDRAWN, now
    offer.save(update_fields=["status", "responded_at"])
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.WAITING, updated_at=now
    )


@transaction.atomic
def offer_decline(*, offer: WaitlistOffer, now: datetime | None = None) -> WaitlistOffer:
    """The client does not want this time: they stay on the list and the next client is offered it at once."""
    now = now or timezone.now()
    offer = _locked_offer(offer)
    _check_open(offer, now)
    offer.status, offer.responded_at = OfferStatus.DECLINED, now
    offer.save(update_fields=["status", "responded_at"])
    WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=WaitlistStatus.WAITING, updated_at=now)
    audit(
        actor=None,
        action="waitlist.decline",
        target=offer.entry,
        organisation=offer.resource.branch.organisation,
        branch=offer.resource.branch,
        summary=_("Offer declined"),
        data={"offer": offer.pk},
    )
    offer_next(slot=offer.slot, now=now)
    return offer


# --- the clock -----------------------------------------------------------------------------------


def _expire_one(offer_id: int, now: datetime) -> bool:
    """Expire one due offer and pass its slot on, in its own transaction; False when another sweep got it first."""
    with transaction.atomic():
        rows = WaitlistOffer.objects.filter(pk=offer_id, status=OfferStatus.PENDING, expires_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        offer = rows.select_related("slot").first()
        if offer is None:
            return False
        offer.status, offer.responded_at = OfferStatus.EXPIRED, now
        offer.save(update_fields=["status", "responded_at"])
        WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.WAITING, updated_at=now
        )
        offer_next(slot=offer.slot, now=now)
        return True


@periodic("desk.waitlist_offers")
def waitlist_offers(now: datetime) -> int:
    """Expire offers past their time limit and offer each slot to the next client; close entries whose window
    has passed. Returns how many offers and entries it changed. Idempotent: each offer is re-checked and
    locked in its own transaction, so one failing slot does not hold up the others."""
    done = 0
    due = WaitlistOffer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now).order_by("expires_at", "pk")
    for offer_id in due.values_list("pk", flat=True)[:500]:
        try:
            done += _expire_one(offer_id, now)
        except Exception:
            log.exception("waitlist: expiring offer %s failed", offer_id)
    with transaction.atomic():
        today = timezone.localdate(now)
        done += WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, date_to__lt=today).update(
            status=WaitlistStatus.EXPIRED, updated_at=now
        )
    return done
