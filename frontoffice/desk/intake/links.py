"""The pre-arrival link: a signed, expiring token naming one visit and one form; nothing else opens with it.

The token is ``django.core.signing.TimestampSigner`` over ``{"v": visit id, "f": form id}``
with this module's salt, so it cannot be forged or altered without the secret key, and
it expires ``LINK_MAX_AGE`` after it was made. It is stateless: the link also stops
working once the form is accepted, the visit is over, or the visit type asks for
another form (checked when it is opened, see ``selectors.link_target``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

SALT = "frontoffice.desk.intake-link"
LINK_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class LinkTarget:
    visit_id: int
    form_id: int


class LinkInvalid(Exception):
    """Tampered, truncated or not a link of ours."""


class LinkExpired(Exception):
    """Genuine but too old; ``target`` says whose it was (to answer in the client's language)."""

    def __init__(self, target: LinkTarget) -> None:
        super().__init__("expired")
        self.target = target


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(*, visit_id: int, form_id: int) -> str:
    return _signer().sign_object({"v": visit_id, "f": form_id}, compress=True)


def _target(payload: object) -> LinkTarget:
    if not isinstance(payload, dict):
        raise LinkInvalid
    visit_id, form_id = payload.get("v"), payload.get("f")
    if not isinstance(visit_id, int) or not isinstance(form_id, int):
        raise LinkInvalid
    return LinkTarget(visit_id=visit_id, form_id=form_id)


def read_token(token: str, *, max_age: timedelta | None = None) -> LinkTarget:
    """The visit and form the token names; raises ``LinkExpired`` or ``LinkInvalid``."""
    if not token or len(token) > 500:
        raise LinkInvalid
    try:
        return _target(_signer().unsign_object(token, max_age=max_age if max_age is not None else LINK_MAX_AGE))
    except signing.SignatureExpired:
        try:
            target = _target(_signer().unsign_object(token))
        except signing.BadSignature:
            raise LinkInvalid from None
        raise LinkExpired(target) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise LinkInvalid from None
