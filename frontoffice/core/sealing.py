"""Secrets the application must read back (a mailbox's password) kept encrypted at rest.

``SealedCharField`` stores ``seal(text)`` and gives back ``unseal(stored)``: Fernet (AES-128-CBC with an
HMAC-SHA256), keyed from ``SECRET_KEY``. A backup or a copy of the database alone no longer gives away the
passwords. Rotating ``SECRET_KEY`` is safe when the old key is kept in ``SECRET_KEY_FALLBACKS``
(``FRONTOFFICE_SECRET_KEY_FALLBACKS``) until every secret has been saved again: values sealed with any of
the keys are read, new ones are sealed with the current key.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import validators
from django.db import models

logger = logging.getLogger(__name__)

PREFIX = "sealed:"  # a stored value without it was written before sealing and is read as it is


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"frontoffice.sealed:" + key.encode()).digest()))
            for key in keys
        ]
    )


def _current() -> MultiFernet:
    return _cipher((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def seal(text: str) -> str:
    return PREFIX + _current().encrypt(text.encode()).decode()


def unseal(stored: str) -> str:
    """The plain text; "" (logged) when no key at hand opened it, so pages still load and the secret can be
    typed again."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _current().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        logger.error("A sealed secret could not be opened: SECRET_KEY changed without SECRET_KEY_FALLBACKS?")
        return ""


def sealed_length(plain: int) -> int:
    """Column width for a sealed value of ``plain`` characters (up to 4 bytes each in UTF-8)."""
    fernet = 57 + (4 * plain // 16 + 1) * 16  # version, time, IV, padded cipher text, HMAC
    return len(PREFIX) + (fernet + 2) // 3 * 4


class SealedCharField(models.CharField):
    """Text kept sealed in the database and plain in Python; ``max_length`` limits the plain text."""

    def __init__(self, *args: Any, max_length: int = 255, **kwargs: Any) -> None:
        self.plain_max_length = max_length
        super().__init__(*args, max_length=sealed_length(max_length), **kwargs)
        self.validators[:] = [
            validator for validator in self.validators if not isinstance(validator, validators.MaxLengthValidator)
        ] + [validators.MaxLengthValidator(max_length)]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return value if not value else unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if not value else seal(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"max_length": self.plain_max_length, **kwargs})
