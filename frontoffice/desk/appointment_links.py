"""The client's own appointment link and check-in code.

The link (in the confirmation and the reminders) is ``TimestampSigner`` over
``{"a": appointment id, "c": client id}`` with this module's salt: it cannot be forged or
altered without the secret key. It names the client as well as the appointment, so it stops
working when the appointment is given to another client or the client is merged into
another record. It works until the appointment ends (``LinkExpired`` after that); the state
(cancelled, checked in) is checked each time it is opened, so a used link gets a friendly page.

The check-in code is random (``CODE_LENGTH`` characters from an alphabet without look-alikes:
no 0/O, 1/I/L, 2/Z, 5/S, 8/B), never derived from personal data, unique within the
organisation. It is stored plainly under a unique index: the kiosk must find the appointment
by it, it is printed on the confirmation anyway, and on its own it opens nothing but a
read-back of a first name, initial and birth date at the branch's kiosk on the day (limited
attempts per kiosk).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "frontoffice.desk.appointment-link"
# An outer bound only: a link really expires when its appointment ends (checked when opened).
LINK_MAX_AGE = timedelta(days=400)
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
CHECK_IN_OPENS = timedelta(minutes=60)  # before the start
CHECK_IN_CLOSES = timedelta(minutes=15)  # after the start


@dataclass(frozen=True)
class LinkTarget:
    appointment_id: int
    client_id: int


class LinkInvalid(Exception):
    """Tampered, truncated, not ours, or naming a client the appointment no longer belongs to."""


class LinkExpired(Exception):
    """Genuine, but the appointment is over."""

    def __init__(self, appointment: Any) -> None:
        super().__init__("expired")
        self.appointment = appointment


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(appointment: Any) -> str:
    return _signer().sign_object({"a": appointment.pk, "c": appointment.client_id}, compress=True)


def read_token(token: str) -> LinkTarget:
    if not token or len(token) > 300:
        raise LinkInvalid
    try:
        payload = _signer().unsign_object(token, max_age=LINK_MAX_AGE)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise LinkInvalid from None
    if not isinstance(payload, dict):
        raise LinkInvalid
    appointment_id, client_id = payload.get("a"), payload.get("c")
    if not isinstance(appointment_id, int) or not isinstance(client_id, int):
        raise LinkInvalid
    return LinkTarget(appointment_id=appointment_id, client_id=client_id)


def resolve(token: str, *, now: datetime) -> Any:
    """The appointment the link names, with its branch, client and visit type; raises ``LinkInvalid`` or
    ``LinkExpired``."""
    from .models import Appointment

    target = read_token(token)
    appointment = (
        Appointment.objects.select_related("branch", "organisation", "client", "visit_type", "resource")
        .filter(pk=target.appointment_id)
        .first()
    )
    if appointment is None or appointment.client_id != target.client_id or not appointment.client.is_active_record:
        raise LinkInvalid
    if now >= appointment.ends_at:
        raise LinkExpired(appointment)
    return appointment


def public_url(appointment: Any) -> str:
    """The absolute link for messages sent by the worker (no request there)."""
    path = reverse("desk:appointment_link", kwargs={"token": make_token(appointment)})
    return settings.PUBLIC_URL.rstrip("/") + path


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What a person typed or a scanner sent, upper-cased, without spaces or dashes."""
    return "".join(char for char in (value or "").upper() if char.isalnum())[: CODE_LENGTH * 2]


def check_in_window(appointment: Any) -> tuple[datetime, datetime]:
    return appointment.starts_at - CHECK_IN_OPENS, appointment.starts_at + CHECK_IN_CLOSES


def can_check_in_at(appointment: Any, now: datetime) -> bool:
    opens, closes = check_in_window(appointment)
    return opens <= now <= closes


def qr_svg_data_uri(code: str) -> str:
    import segno

    return str(segno.make(code, error="m").svg_data_uri(scale=6, dark="#111", light="#fff"))


def qr_png_data_uri(code: str) -> str:
    import segno

    return str(segno.make(code, error="m").png_data_uri(scale=6, dark="#111", light="#fff"))
