"""API schemas for the signed-in user, staff members and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from frontoffice.core.apikit import MAX_ID, InSchema
from frontoffice.core.schemas import OrganisationRef
from frontoffice.core.scoping import scope_for

from .choices import EmployerKind, Role


def _role_codes(user: Any) -> list[str]:
    # Reads the prefetched groups (``role_codes`` would query once per row).
    return sorted(group.name for group in user.groups.all() if group.name in Role.values)


class MeOut(Schema):
    """The signed-in user (or the owner of the API token)."""

    id: int = Field(description="User id.")
    username: str = Field(description="Sign-in name.")
    full_name: str = Field(description="First and last name.")
    email: str = Field(description="E-mail address.")
    language: str = Field(description="Chosen language (`pl`, `en`); empty: the organisation's default.")
    time_zone: str = Field(description="Chosen IANA time zone; empty: the organisation's.")
    organisation: OrganisationRef = Field(description="The organisation the user works for.")
    staff_id: int = Field(description="The user's staff member id (see `/staff/{staff_id}`).")
    roles: list[Role] = Field(description="Role codes.")
    branch_ids: list[int] = Field(description="Ids of the branches the user is assigned to.")
    sees_all_branches: bool = Field(description="True for organisation-wide roles (executive, administrator).")
    permissions: list[str] = Field(description="Every permission the user holds, as `app_label.codename`.")

    @staticmethod
    def resolve_full_name(user: Any) -> str:
        return str(user.get_full_name())

    @staticmethod
    def resolve_organisation(user: Any) -> Any:
        return user.staff.organisation

    @staticmethod
    def resolve_staff_id(user: Any) -> int:
        return int(user.staff.pk)

    @staticmethod
    def resolve_roles(user: Any) -> list[str]:
        return _role_codes(user)

    @staticmethod
    def resolve_branch_ids(user: Any) -> list[int]:
        return sorted(user.staff.branches.values_list("id", flat=True))

    @staticmethod
    def resolve_sees_all_branches(user: Any) -> bool:
        return scope_for(user).branch_ids is None

    @staticmethod
    def resolve_permissions(user: Any) -> list[str]:
        return sorted(user.get_all_permissions())


class ContractorRef(Schema):
    """A contractor company, by id and name."""

    id: int = Field(description="Contractor company id.")
    name: str = Field(description="Company name.")


class StaffOut(Schema):
    """A staff member: a user's place in the organisation."""

    id: int = Field(description="Staff member id.")
    user_id: int = Field(description="User id.")
    username: str = Field(description="Sign-in name.")
    first_name: str = Field(description="First name.")
    last_name: str = Field(description="Last name.")
    full_name: str = Field(description="First and last name.")
    email: str = Field(description="E-mail address.")
    job_title: str = Field(description="Job title.")
    phone: str = Field(description="Work phone.")
    employer_kind: EmployerKind = Field(description="In-house or supplied by a contractor company.")
    contractor: ContractorRef | None = Field(description="The contractor company, for contractor staff.")
    roles: list[Role] = Field(description="Role codes.")
    branch_ids: list[int] = Field(description="Ids of the branches the staff member works in.")
    is_active: bool = Field(description="Inactive staff members cannot sign in.")
    version: int = Field(description="Goes up by one on every change.")

    @staticmethod
    def resolve_username(staff: Any) -> str:
        return str(staff.user.username)

    @staticmethod
    def resolve_first_name(staff: Any) -> str:
        return str(staff.user.first_name)

    @staticmethod
    def resolve_last_name(staff: Any) -> str:
        return str(staff.user.last_name)

    @staticmethod
    def resolve_full_name(staff: Any) -> str:
        return str(staff.user.get_full_name())

    @staticmethod
    def resolve_email(staff: Any) -> str:
        return str(staff.user.email)

    @staticmethod
    def resolve_roles(staff: Any) -> list[str]:
        return _role_codes(staff.user)

    @staticmethod
    def resolve_branch_ids(staff: Any) -> list[int]:
        return sorted(branch.pk for branch in staff.branches.all())  # prefetched by the selector


class StaffFilters(InSchema):
    """Filters for the staff list."""

    search: str = Field("", max_length=100, description="Words matched against names, sign-in name and job title.")
    role: Role | None = Field(None, description="Only staff holding this role.")
    branch: int | None = Field(None, ge=1, le=MAX_ID, description="Only staff working in this branch (id).")
    include_inactive: bool = Field(False, description="Include inactive staff members.")

    @field_validator("role", "branch", mode="before")
    @classmethod
    def _empty_means_any(cls, value: Any) -> Any:
        return None if value == "" else value


class TokenOut(Schema):
    """A personal API token. The token itself is shown only once, when it is created."""

    id: int = Field(description="Token id.")
    name: str = Field(description="What the token is for.")
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: datetime = Field(description="When the token was created.")
    last_used_at: datetime | None = Field(description="Last use, to the minute; null if never used.")
    expires_at: datetime | None = Field(description="When the token stops working; null: never.")
    revoked_at: datetime | None = Field(description="When the token was revoked; null: not revoked.")
    is_usable: bool = Field(description="Neither expired nor revoked.")


class TokenCreatedOut(TokenOut):
    """A new token, with the secret itself."""

    token: str | None = Field(
        description=(
            "The token to send as `Authorization: Bearer <token>`. Shown only in this answer: it is not stored, "
            "so a replay of the request with the same Idempotency-Key returns null here."
        )
    )


class TokenIn(InSchema):
    """A new personal API token."""

    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'PBX integration'.")
    expires_at: datetime | None = Field(
        None,
        description=(
            "When the token stops working (ISO 8601); without a time zone, the user's. Omit for a token that "
            "does not expire."
        ),
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value <= timezone.now():
            raise PydanticCustomError("past_date", _("The expiry time must be in the future."))
        return value
