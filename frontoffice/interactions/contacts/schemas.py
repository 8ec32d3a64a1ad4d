"""Typed request and response bodies of the contacts API."""

from datetime import date, datetime

from ninja import Field, Schema

from frontoffice.core.apikit import InSchema

from ..choices import Channel, ClientMatch, Direction, Outcome


class InteractionOut(Schema):
    id: int
    branch_id: int
    channel: Channel
    direction: Direction
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    staff_id: int | None = Field(description="The user who handled the contact.")
    contact_address: str = Field(description="The other side's phone number or e-mail address.")
    client_id: int | None
    client_match: ClientMatch = Field(description="none, automatic, maybe (see `candidate_ids`) or confirmed.")
    candidate_ids: list[int] = Field(description="With `maybe`: the clients sharing the phone or e-mail.")
    topic_id: int | None
    outcome: Outcome | None = Field(description="Null while not recorded.")
    subject: str
    summary: str
    case_id: int | None
    external_id: str = Field(description="The channel's own reference (PBX call id, Message-ID, chat id).")
    version: int = Field(description="Send it back with an update; a stale one gives 409.")
    created_at: datetime

    @staticmethod
    def resolve_candidate_ids(obj: object) -> list[int]:
        return [client.pk for client in obj.candidates.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_outcome(obj: object) -> str | None:
        return obj.outcome or None  # type: ignore[attr-defined]


class InteractionFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    channel: Channel | None = None
    direction: Direction | None = None
    staff_id: int | None = Field(None, ge=1, description="The user who handled the contacts.")
    topic_id: int | None = Field(None, ge=1)
    outcome: Outcome | None = None
    client_id: int | None = Field(None, ge=1)
    date_from: date | None = Field(None, description="First day, in the organisation's time zone.")
    date_to: date | None = Field(None, description="Last day, included.")
    needs_client: bool = Field(False, description="Only contacts whose client is unknown or waits for confirmation.")


class FollowUpIn(InSchema):
    owner_id: int | None = Field(None, ge=1, description="The user who owns it; default: you.")
    due_at: datetime
    note: str = Field(min_length=1, max_length=300, description="What to do.")


class InteractionCreateIn(InSchema):
    branch_id: int = Field(ge=1, description="A branch you work at.")
    channel: Channel
    direction: Direction = Direction.INBOUND
    started_at: datetime | None = Field(None, description="Default: now.")
    client_id: int | None = Field(
        None, ge=1, description="The client, if known; otherwise matched by `contact_address`."
    )
    contact_address: str = Field("", max_length=254, description="Phone number or e-mail address.")
    topic_id: int | None = Field(None, ge=1)
    outcome: Outcome | None = None
    summary: str = Field("", max_length=4000)
    follow_up: FollowUpIn | None = Field(None, description="A follow-up to attach to the new contact.")
    case_subject: str = Field(
        "", max_length=200, description="Opens a case with this subject (needs `interactions.work_cases`)."
    )


class InteractionUpdateIn(InSchema):
    version: int = Field(ge=1, description="The version you read; a newer stored one gives 409.")
    topic_id: int | None = Field(None, ge=1)
    outcome: Outcome | None = None
    summary: str = Field("", max_length=4000)


class ConfirmClientIn(InSchema):
    client_id: int = Field(ge=1, description="One of the candidates, or any client of your organisation.")


class FollowUpOut(Schema):
    id: int
    branch_id: int
    interaction_id: int | None
    case_id: int | None
    owner_id: int
    due_at: datetime
    note: str
    done_at: datetime | None
    done_by_id: int | None
    created_at: datetime


class FollowUpFilters(InSchema):
    owner_id: int | None = Field(
        None, ge=1, description="Default: you. Managers and team leads may name the people they oversee."
    )
    include_done: bool = False


class FollowUpCreateIn(FollowUpIn):
    interaction_id: int | None = Field(None, ge=1, description="The contact it follows (or `case_id`).")
    case_id: int | None = Field(None, ge=1)


class TopicOut(Schema):
    id: int
    name: str
    name_pl: str
    position: int
    is_active: bool


class TopicCreateIn(InSchema):
    name: str = Field(min_length=1, max_length=80, description="The name in English.")
    name_pl: str = Field("", max_length=80, description="The name in Polish.")
    position: int = Field(0, ge=0, le=32767)


class TopicFilters(InSchema):
    include_inactive: bool = False


class TeamOut(Schema):
    id: int
    branch_id: int
    name: str
    lead_id: int | None
    member_ids: list[int]
    phone_queues: list[str] = Field(description="The PBX queue names whose calls are this team's.")
    is_active: bool

    @staticmethod
    def resolve_member_ids(obj: object) -> list[int]:
        return [member.pk for member in obj.members.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_phone_queues(obj: object) -> list[str]:
        return obj.queue_names  # type: ignore[attr-defined, no-any-return]
