"""API schemas for organisations and branches."""

from __future__ import annotations

from ninja import Field, Schema

from .apikit import InSchema
from .choices import BusinessKind, Language


class OrganisationRef(Schema):
    """An organisation, by id and name."""

    id: int = Field(description="Organisation id.")
    name: str = Field(description="Organisation name.")


class OrganisationOut(Schema):
    """The business that uses Front Office: the outer boundary of all data."""

    id: int = Field(description="Organisation id.")
    name: str = Field(description="Name.")
    slug: str = Field(description="Short name, unique across Front Office.")
    kind: BusinessKind = Field(description="Business kind.")
    default_language: Language = Field(description="Language for users who have not chosen one.")
    time_zone: str = Field(description="IANA time zone, e.g. `Europe/Warsaw`.")
    currency: str = Field(description="ISO 4217 currency code, e.g. `PLN`.")
    require_mfa: bool = Field(
        description="Whether managers, executives and administrators must use two-factor sign-in."
    )


class BranchOut(Schema):
    """A place where the organisation serves the public."""

    id: int = Field(description="Branch id.")
    name: str = Field(description="Name.")
    code: str = Field(description="Short code used in numbers and reports, unique in the organisation.")
    street: str = Field(description="Street and number.")
    postal_code: str = Field(description="Postal code.")
    city: str = Field(description="City.")
    country: str = Field(description="ISO 3166 two-letter country code.")
    address: str = Field(description="Street, postal code and city on one line.")
    phone: str = Field(description="Phone.")
    email: str = Field(description="E-mail.")
    time_zone: str = Field(description="IANA time zone in which the branch's times are shown.")
    is_active: bool = Field(description="Inactive branches are hidden from everyday lists.")
    version: int = Field(description="Goes up by one on every change.")


class BranchIn(InSchema):
    """A new branch. Fields are checked like the branch form: same rules, same messages."""

    name: str = Field(min_length=1, max_length=200, description="Name.")
    code: str = Field(
        min_length=1,
        max_length=20,
        description="Short code (letters, digits, hyphens, underscores), unique in the organisation.",
    )
    street: str = Field("", max_length=200, description="Street and number.")
    postal_code: str = Field("", max_length=16, description="Postal code.")
    city: str = Field("", max_length=100, description="City.")
    country: str = Field("PL", min_length=2, max_length=2, description="ISO 3166 two-letter country code.")
    phone: str = Field("", max_length=32, description="Phone.")
    email: str = Field("", max_length=254, description="E-mail.")
    time_zone: str = Field("Europe/Warsaw", max_length=64, description="IANA time zone, e.g. `Europe/Warsaw`.")


class BranchFilters(InSchema):
    """Filters for the branch list."""

    search: str = Field("", max_length=100, description="Part of the name, city or code.")
    include_inactive: bool = Field(False, description="Include inactive branches.")
