"""Identifier, phone and e-mail validation with messages in the user's language."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip, pesel, regon

from .choices import IdentifierKind, Sex
from .normalise import normalise_email, normalise_identifier, normalise_phone

_CHECKED = {IdentifierKind.PESEL: pesel, IdentifierKind.NIP: nip, IdentifierKind.REGON: regon}


def clean_identifier(kind: str, value: str) -> str:
    """The normalised identifier, or a ValidationError saying what is wrong with it.

    PESEL, NIP and REGON are checked with python-stdnum (length and checksum);
    documents get a length sanity check; "other" is never format-checked, as
    foreign national numbers take every shape.
    """
    normalised = normalise_identifier(value)
    if not normalised:
        raise ValidationError(_("Enter the number."), code="required")
    module = _CHECKED.get(IdentifierKind(kind))
    if module is not None:
        try:
            return str(module.validate(normalised))
        except StdnumError:
            messages = {
                IdentifierKind.PESEL: _("This is not a valid PESEL: check the 11 digits."),
                IdentifierKind.NIP: _("This is not a valid NIP: check the 10 digits."),
                IdentifierKind.REGON: _("This is not a valid REGON: check the 9 or 14 digits."),
            }
            raise ValidationError(messages[IdentifierKind(kind)], code="invalid") from None
    if kind != IdentifierKind.OTHER and not 4 <= len(normalised) <= 30:
        raise ValidationError(_("A document number has 4 to 30 letters and digits."), code="invalid")
    return normalised


def pesel_disagreements(value: str, *, date_of_birth: date | None, sex: str) -> list[str]:
    """Warnings (not errors) when a valid PESEL contradicts the date of birth or sex typed next to it."""
    normalised = normalise_identifier(value)
    if not pesel.is_valid(normalised):
        return []
    warnings = []
    encoded_birth = pesel.get_birth_date(normalised)
    if date_of_birth and encoded_birth != date_of_birth:
        warnings.append(
            _("The PESEL encodes the date of birth %(date)s, not the one typed.")
            % {"date": encoded_birth.strftime("%d.%m.%Y")}
        )
    encoded_sex = Sex.MALE if pesel.get_gender(normalised) == "M" else Sex.FEMALE
    if sex in (Sex.MALE, Sex.FEMALE) and sex != encoded_sex:
        warnings.append(_("The PESEL encodes the sex “%(sex)s”, not the one chosen.") % {"sex": encoded_sex.label})
    return warnings


def clean_phone(value: str) -> str:
    phone = normalise_phone(value)
    if phone is None:
        raise ValidationError(
            _(
                "This is not a phone number. Polish numbers have 9 digits; "
                "write others with the country code, e.g. +49 30 1234567."
            ),
            code="invalid",
        )
    return phone


def clean_email(value: str) -> str:
    email = normalise_email(value)
    validate_email(email)
    return email
