"""Normalisation for matching and search: one place, used at write time and at query time.

Names are folded: lower case, Polish (and other Latin) diacritics removed,
punctuation turned into spaces, runs of spaces collapsed. ``ł`` needs its own
rule because Unicode does not decompose it. Phones become E.164 (Polish
numbers by default); e-mails are lower-cased and trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

import phonenumbers

_EXTRA_FOLDS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\D+")

# Common Polish diminutives → the given name they stand for (folded forms).
NICKNAMES: dict[str, str] = {
    "ania": "anna",
    "anka": "anna",
    "asia": "joanna",
    "basia": "barbara",
    "kasia": "katarzyna",
    "gosia": "malgorzata",
    "malgosia": "malgorzata",
    "zosia": "zofia",
    "ola": "aleksandra",
    "olek": "aleksander",
    "tomek": "tomasz",
    "kuba": "jakub",
    "bartek": "bartlomiej",
    "wojtek": "wojciech",
    "jurek": "jerzy",
    "staszek": "stanislaw",
    "krzys": "krzysztof",
    "krzysiek": "krzysztof",
    "michas": "michal",
    "pawelek": "pawel",
    "jasiek": "jan",
    "jas": "jan",
    "franek": "franciszek",
    "antek": "antoni",
    "magda": "magdalena",
    "ewka": "ewa",
    "agnieszka": "agnieszka",
    "aga": "agnieszka",
    "ela": "elzbieta",
    "marysia": "maria",
    "dorotka": "dorota",
    "iza": "izabela",
    "justynka": "justyna",
    "wiesiek": "wieslaw",
    "zbyszek": "zbigniew",
    "rysiek": "ryszard",
    "heniek": "henryk",
    "mietek": "mieczyslaw",
    "grzes": "grzegorz",
    "lukasz": "lukasz",
    "maciek": "maciej",
    "marcinek": "marcin",
    "piotrek": "piotr",
    "adas": "adam",
    "kamilka": "kamila",
    "natka": "natalia",
    "wiktorka": "wiktoria",
    "julka": "julia",
    "majka": "maja",
}


@lru_cache(maxsize=65536)  # names repeat: the duplicate check folds every candidate's names
def fold(text: str | None) -> str:
    """``"  Żółw-Kowalska "`` → ``"zolw kowalska"``."""
    if not text:
        return ""
    text = text.translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return _NOT_ALNUM.sub(" ", stripped).strip()


def canonical_given_name(text: str | None) -> str:
    """The folded given name with a common nickname replaced by the full name."""
    folded = fold(text)
    return NICKNAMES.get(folded, folded)


def normalise_phone(raw: str | None, *, region: str = "PL") -> str | None:
    """E.164 (``+48600100200``) or None when ``raw`` is not a possible phone number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw: str | None) -> str:
    """Digits only, for search ("600-100-200" → "600100200")."""
    return _DIGITS.sub("", raw or "")


def normalise_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def normalise_identifier(value: str | None) -> str:
    """Upper case without spaces or dashes: ``"abc 123-456"`` → ``"ABC123456"``."""
    return re.sub(r"[\s\-./]+", "", value or "").upper()


def swapped_day_month(value: date | None) -> date | None:
    """The date with day and month swapped, when that is a valid different date."""
    if value is None or value.day > 12 or value.day == value.month:
        return None
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None
