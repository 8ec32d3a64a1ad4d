"""Intake forms and a visit's filled form through the API.

Forms are read-only here (they are built on the pages). A submission is created with
``POST /desk/visits/{id}/intake`` (``Idempotency-Key`` honoured; until the form is accepted
a second POST replaces the answers, so it never makes a second submission), read with
``GET`` (access-logged) and accepted with ``POST …/intake/accept``, deciding every
answer that differs from the client's record.

File fields are uploaded with ``POST …/intake/upload``: multipart, the answers as a JSON text
field plus one file part per file field, named by its key. Multipart, not base64 in JSON,
because that is what django-ninja (and every HTTP client) handles natively, and a file part
does not count against the request-body limit that JSON bodies are held to. Files are checked
by ``core.files.validate_upload`` and read back with ``GET …/intake/files/{key}`` (access-logged).
"""

import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Form, Router, Schema, Status
from ninja.pagination import paginate

from frontoffice.core.apikit import Id, InSchema, LimitOffsetPagination, current_user, idempotent, problem, requires
from frontoffice.core.audit import log_access

from .. import selectors as desk_selectors
from ..intake import selectors, services
from ..intake.choices import ClientField, FieldKind, SubmissionSource, SubmissionStatus
from ..intake.files import attachment_response
from ..models import IntakeForm, IntakeFormVersion, IntakeSubmission
from ..permissions import DeskPermission

router = Router(tags=["Desk"])

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm

Answer = str | bool | int | float | list[str] | None


class ChoiceOut(Schema):
    value: str
    label_pl: str
    label_en: str


class FieldOut(Schema):
    key: str
    kind: FieldKind
    position: int
    label_pl: str
    label_en: str
    help_pl: str
    help_en: str
    required: bool
    choices: list[ChoiceOut]
    show_if_key: str = Field(description="Shown (and required) only when this earlier field's answer is …")
    show_if_value: str = Field(description="… this value (for a multiple choice: includes it).")
    maps_to: str = Field(description="The client's detail the answer is compared with on acceptance; empty: none.")


class VersionOut(Schema):
    number: int
    title_pl: str
    title_en: str
    intro_pl: str
    intro_en: str
    published_at: datetime | None
    fields: list[FieldOut]


class IntakeFormListItem(Schema):
    id: int
    name: str
    is_active: bool
    published_number: int | None = Field(description="The version visits are asked now; null: none published.")


class IntakeFormOut(Schema):
    id: int
    name: str
    is_active: bool
    version: VersionOut | None = Field(description="The requested version, by default the published one.")


class SubmissionIn(InSchema):
    answers: dict[str, Answer] = Field(
        description=(
            "Answers by field key: text, a number, an ISO date, a choice's value (a list of values for a "
            "multiple choice), `yes`/`no` (or true/false), a signature as a `data:image/png;base64,…` URL. "
            "File fields are sent with `POST …/intake/upload` (multipart)."
        )
    )


class DifferenceOut(Schema):
    client_field: ClientField
    answer: str
    on_file: str
    differs: bool


class AttachmentOut(Schema):
    field_key: str
    original_name: str
    content_type: str = Field(description="The type found in the file's contents.")
    size: int


class SubmissionOut(Schema):
    id: int
    visit_id: int
    form_id: int = Field(alias="form_version.form_id")
    form_version: int = Field(alias="form_version.number")
    status: SubmissionStatus
    source: SubmissionSource
    answers: dict[str, Any]
    attachments: list[AttachmentOut]
    filled_at: datetime
    filled_by_id: int | None
    accepted_at: datetime | None
    accepted_by_id: int | None
    differences: list[DifferenceOut] = Field(description="Answers compared with the client's record.")
    client_updates: dict[str, Any]
    version: int = Field(description="Send it back with `accept`; a stale one gives 409.")


class AcceptIn(InSchema):
    update: list[ClientField] = Field(default_factory=list, description="Details to write to the client.")
    keep: list[ClientField] = Field(default_factory=list, description="Details to leave as they are on file.")
    version: int | None = None


def _version_out(version: IntakeFormVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "title_pl": version.title_pl,
        "title_en": version.title_en,
        "intro_pl": version.intro_pl,
        "intro_en": version.intro_en,
        "published_at": version.published_at,
        "fields": list(version.fields.order_by("position", "pk")),
    }


def _submission_out(submission: IntakeSubmission) -> IntakeSubmission:
    submission.differences = selectors.differences(submission)  # type: ignore[attr-defined]
    return submission


@router.get("/desk/intake-forms", response=list[IntakeFormListItem], summary="List intake forms")
@paginate(LimitOffsetPagination)
@requires(VIEW)
def intake_form_list(request: HttpRequest) -> Any:
    return selectors.intake_form_overview(user=current_user(request)).order_by("name", "pk")


@router.get("/desk/intake-forms/{int:form_id}", response=IntakeFormOut, summary="Get an intake form")
@requires(VIEW)
def intake_form_get(request: HttpRequest, form_id: Id, version: int | None = None) -> Any:
    """The published version (the one visits are asked), or `?version=N` for any other."""
    form: IntakeForm = selectors.intake_form_get(user=current_user(request), pk=form_id)
    if version is None:
        found = selectors.current_version(form)
    else:
        found = form.versions.filter(number=version).first()
        if found is None:
            raise ValidationError({"version": _("This form has no such version.")})
    return {"id": form.pk, "name": form.name, "is_active": form.is_active, "version": _version_out(found)}


@router.post(
    "/desk/visits/{int:visit_id}/intake",
    response={200: SubmissionOut, 201: SubmissionOut},
    summary="Fill a visit's intake form",
)
@requires(EDIT)
@idempotent
def intake_submission_create(request: HttpRequest, visit_id: Id, payload: SubmissionIn) -> Any:
    """Answers the current version of the form of the visit's type: 201 when the visit had no submission,
    200 when the answers replaced earlier ones (allowed until the form is accepted). Invalid answers give
    422 with one error per field key."""
    return _save(request, visit_id, dict(payload.answers))


def _save(request: HttpRequest, visit_id: int, raw: dict[str, Any], files: dict[str, Any] | None = None) -> Any:
    user = current_user(request)
    visit = desk_selectors.visit_get(user=user, pk=visit_id)
    if files:
        # A file part named after no field would otherwise be dropped without a word.
        form = visit.visit_type.intake_form
        version = selectors.current_version(form) if form is not None else None
        keys = set(version.fields.values_list("key", flat=True)) if version is not None else set()
        unknown = sorted(set(files) - keys)
        if unknown and version is not None:
            raise ValidationError({key: _("The form has no field with this key.") for key in unknown})
        raw.update(files)
    _submission, created = services.intake_submission_save(
        visit=visit, actor=user, raw=raw, source=SubmissionSource.DESK
    )
    found = selectors.submission_for(visit)
    assert found is not None
    return Status(201 if created else 200, _submission_out(found))


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "answers": {
                        "type": "string",
                        "description": "The other answers as a JSON object, as in `POST …/intake` (default `{}`).",
                        "example": '{"allergies": "no"}',
                    }
                },
                "additionalProperties": {
                    "type": "string",
                    "format": "binary",
                    "description": "One file per file field, the part named by the field's key.",
                },
            }
        }
    },
}


@router.post(
    "/desk/visits/{int:visit_id}/intake/upload",
    response={200: SubmissionOut, 201: SubmissionOut},
    summary="Fill a visit's intake form with files",
    openapi_extra={"requestBody": UPLOAD_BODY},
)
@requires(EDIT)
@idempotent
def intake_submission_upload(request: HttpRequest, visit_id: Id, answers: Form[str] = "{}") -> Any:
    """Multipart: `answers` (a JSON object, as in `POST …/intake`) and one file part per file field, named by
    the field's key (e.g. `referral`). Each file is checked by its contents (PDF, JPEG or PNG) and against the
    upload size limit; a wrong type or a file too big gives 422 with the message under the field's key. The
    files are stored privately and read back with `GET …/intake/files/{key}`. Otherwise as `POST …/intake`:
    201 created, 200 replaced, `Idempotency-Key` honoured."""
    try:
        raw = json.loads(answers or "{}")
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        message = _('Send the answers as a JSON object, e.g. {"allergies": "no"}.')
        return problem(
            request, 422, detail=message, errors=[{"field": "answers", "message": message, "code": "invalid"}]
        )
    return _save(request, visit_id, raw, files=dict(request.FILES.items()))


@router.get(
    "/desk/visits/{int:visit_id}/intake/files/{key}",
    summary="Download a file of a visit's intake form",
    openapi_extra={
        "responses": {
            200: {
                "description": "The signature or uploaded file, with its checked content type.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@requires(VIEW)
def intake_file_get(request: HttpRequest, visit_id: Id, key: str) -> Any:
    """A signature or an uploaded file, by its field's key; every download is written to the access log."""
    return attachment_response(request, user=current_user(request), visit_pk=visit_id, key=key)


@router.get("/desk/visits/{int:visit_id}/intake", response=SubmissionOut, summary="Get a visit's intake form")
@requires(VIEW)
def intake_submission_get(request: HttpRequest, visit_id: Id) -> Any:
    """The answers with the version they were given in; the reading is written to the access log."""
    user = current_user(request)
    visit, submission = selectors.submission_get(user=user, visit_pk=visit_id)
    log_access(user=user, target=submission, organisation=visit.organisation, purpose="intake form", path=request.path)
    return _submission_out(submission)


@router.post(
    "/desk/visits/{int:visit_id}/intake/accept", response=SubmissionOut, summary="Accept a visit's intake form"
)
@requires(EDIT)
def intake_submission_accept(request: HttpRequest, visit_id: Id, payload: AcceptIn) -> Any:
    """Every detail in `differences` with `differs: true` must be in `update` or in `keep` (422 otherwise):
    nothing on file is overwritten unless asked. Accepting twice gives 422."""
    user = current_user(request)
    visit, submission = selectors.submission_get(user=user, visit_pk=visit_id)
    services.intake_submission_accept(
        submission=submission,
        actor=user,
        update={str(v) for v in payload.update},
        keep={str(v) for v in payload.keep},
        expected_version=payload.version,
    )
    found = selectors.submission_for(visit)
    assert found is not None
    return _submission_out(found)
