"""Typed request and response bodies of the feedback API."""

from datetime import date, datetime

from ninja import Field, Schema

from frontoffice.core.apikit import InSchema

from .choices import InvitationStatus, InviteChannel, QuestionKind, ScoreBand, SurveyKind, Trigger


class QuestionOut(Schema):
    id: int
    position: int
    kind: QuestionKind
    text_pl: str
    text_en: str
    scale_min: int | None
    scale_max: int | None
    choices_pl: list[str]
    choices_en: list[str]
    required: bool
    is_main: bool = Field(description="The score CSAT, NPS or CES is computed from.")


class SurveyVersionOut(Schema):
    id: int
    number: int
    title_pl: str
    title_en: str
    intro_pl: str
    intro_en: str
    thanks_pl: str
    thanks_en: str
    created_at: datetime
    questions: list[QuestionOut]


class SurveyOut(Schema):
    id: int
    name: str
    kind: SurveyKind
    is_active: bool
    current_version: SurveyVersionOut | None = Field(description="The version new invitations are made with.")


class InvitationOut(Schema):
    id: int
    branch_id: int
    survey_id: int
    survey_version_id: int
    rule_id: int | None
    trigger: Trigger
    client_id: int | None
    channel: InviteChannel
    recipient: str
    language: str
    status: InvitationStatus
    due_at: datetime
    sent_at: datetime | None
    expires_at: datetime
    opened_at: datetime | None
    answered_at: datetime | None
    source_type: str = Field(description="What the survey asks about, e.g. `desk.visit`, `interactions.case`.")
    source_id: str
    created_at: datetime


class InvitationFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    survey_id: int | None = Field(None, ge=1)
    status: InvitationStatus | None = None
    channel: InviteChannel | None = None
    client_id: int | None = Field(None, ge=1)
    date_from: date | None = None
    date_to: date | None = None


class InvitationCreateIn(InSchema):
    survey_id: int = Field(ge=1)
    branch_id: int = Field(ge=1)
    client_id: int = Field(ge=1)
    channel: InviteChannel = Field(description="`email` or `sms`; the tablet is opened from the desk.")


class AnswerOut(Schema):
    question_id: int
    score: int | None
    choice: str
    text: str


class ResponseOut(Schema):
    id: int
    branch_id: int
    survey_id: int
    survey_version_id: int = Field(description="The version the client answered.")
    invitation_id: int
    client_id: int | None
    kind: SurveyKind
    channel: InviteChannel
    score: int | None = Field(description="The main question's score, on the kind's scale.")
    comment: str
    is_complete: bool = Field(description="False while the client has only saved part of it.")
    is_low: bool = Field(description="A detractor or a low CSAT with a comment: a follow-up was opened.")
    started_at: datetime
    submitted_at: datetime | None
    answers: list[AnswerOut]


class ResponseFilters(InSchema):
    branch_id: int | None = Field(None, ge=1)
    survey_id: int | None = Field(None, ge=1)
    kind: SurveyKind | None = None
    band: ScoreBand | None = Field(None, description="With `kind`: low, middle or high scores.")
    channel: InviteChannel | None = None
    client_id: int | None = Field(None, ge=1)
    low_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
