"""Typed shapes of the web chat's staff API."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from frontoffice.core.apikit import InSchema

from ..models.chat import MESSAGE_MAX_LENGTH, ChatStatus


class ConversationOut(Schema):
    id: int
    branch_id: int
    widget_id: int
    interaction_id: int = Field(description="The chat's contact record (channel chat).")
    status: str = Field(description="waiting (for an agent), active or ended.")
    agent_id: int | None
    visitor_name: str
    visitor_email: str
    language: str = Field(description="pl or en: the language of the visitor's page.")
    client_id: int | None = Field(description="The client, when matched by the visitor's e-mail or confirmed.")
    case_id: int | None
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_client_id(obj: object) -> int | None:
        return obj.interaction.client_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_case_id(obj: object) -> int | None:
        return obj.interaction.case_id  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_started_at(obj: object) -> datetime:
        return obj.interaction.started_at  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_answered_at(obj: object) -> datetime | None:
        return obj.interaction.answered_at  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_ended_at(obj: object) -> datetime | None:
        return obj.interaction.ended_at  # type: ignore[attr-defined, no-any-return]


class ConversationFilters(InSchema):
    status: ChatStatus | None = None
    branch_id: int | None = Field(None, ge=1)


class MessageOut(Schema):
    id: int
    author: str = Field(description="visitor, agent or system.")
    staff_id: int | None = Field(description="The agent who wrote it.")
    text: str = Field(description="Plain text, as written: escape it before showing it as HTML.")
    at: datetime


class MessageFilters(InSchema):
    since: int = Field(0, ge=0, description="Only messages with a larger id (for polling).")


class ChatReplyIn(InSchema):
    text: str = Field(
        min_length=1, max_length=MESSAGE_MAX_LENGTH, description="Plain text; the visitor's widget shows it as text."
    )
