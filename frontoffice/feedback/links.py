"""The survey link: a signed, expiring token naming one invitation; nothing else opens with it.

``django.core.signing.TimestampSigner`` over ``{"i": invitation id}`` with this module's salt (the
same construction as the desk's pre-arrival link, which this layer may not import): it cannot be
forged or altered without the secret key, and it expires ``LINK_MAX_AGE`` after it was made. It is
single-use through the invitation: once the response is submitted the link shows "already answered".
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "frontoffice.feedback.survey-link"
LINK_MAX_AGE = timedelta(days=14)


class LinkInvalid(Exception):
    """Tampered, truncated or not a link of ours."""


class LinkExpired(Exception):
    """Genuine but too old; ``invitation_id`` says whose it was (to answer in the client's language)."""

    def __init__(self, invitation_id: int) -> None:
        super().__init__("expired")
        self.invitation_id = invitation_id


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(invitation_id: int) -> str:
    return _signer().sign_object({"i": invitation_id})


def _invitation_id(payload: object) -> int:
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        raise LinkInvalid
    return int(payload["i"])


def read_token(token: str, *, max_age: timedelta | None = None) -> int:
    """The invitation the token names; raises ``LinkExpired`` or ``LinkInvalid``."""
    if not token or len(token) > 300:
        raise LinkInvalid
    try:
        return _invitation_id(_signer().unsign_object(token, max_age=max_age or LINK_MAX_AGE))
    except signing.SignatureExpired:
        try:
            invitation_id = _invitation_id(_signer().unsign_object(token))
        except signing.BadSignature:
            raise LinkInvalid from None
        raise LinkExpired(invitation_id) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise LinkInvalid from None
