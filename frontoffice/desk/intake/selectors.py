"""Reads of intake forms and submissions, scoped to the user (forms: organisation; submissions: branch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from ..choices import VisitStatus
from ..models import IntakeField, IntakeForm, IntakeFormVersion, IntakeSubmission, Visit
from ..selectors import visit_get
from . import review
from .answers import visible_keys
from .choices import SubmissionStatus
from .links import LinkTarget

# Visits in these statuses no longer take a form through the link.
CLOSED_STATUSES = frozenset(
    {
        VisitStatus.FINISHED,
        VisitStatus.CANCELLED,
        VisitStatus.NO_SHOW,
        VisitStatus.CHECKED_OUT,
        VisitStatus.RETURNED,
        VisitStatus.FULFILLED,
    }
)


def intake_form_list(*, user: Any, include_inactive: bool = True) -> QuerySet[IntakeForm]:
    forms = scope_queryset(IntakeForm.objects.all(), user, branch_field=None)
    return forms if include_inactive else forms.filter(is_active=True)


def intake_form_overview(*, user: Any) -> QuerySet[IntakeForm]:
    """The forms with the number of their published version and of their draft (one query)."""
    return intake_form_list(user=user).annotate(
        published_number=Max("versions__number", filter=Q(versions__published_at__isnull=False)),
        draft_number=Max("versions__number", filter=Q(versions__published_at__isnull=True)),
    )


def intake_form_get(*, user: Any, pk: int) -> IntakeForm:
    try:
        return intake_form_list(user=user).get(pk=pk)
    except (IntakeForm.DoesNotExist, ValueError):
        raise Http404 from None


def version_get(*, user: Any, form_pk: int, number: int) -> IntakeFormVersion:
    form = intake_form_get(user=user, pk=form_pk)
    version = form.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def field_get(*, user: Any, pk: int) -> IntakeField:
    try:
        return IntakeField.objects.select_related("version__form").get(
            pk=pk, version__form__in=intake_form_list(user=user)
        )
    except (IntakeField.DoesNotExist, ValueError):
        raise Http404 from None


def versions_of(form: IntakeForm) -> list[IntakeFormVersion]:
    return list(
        form.versions.prefetch_related(Prefetch("fields", queryset=IntakeField.objects.order_by("position", "pk")))
    )


def current_version(form: IntakeForm | None) -> IntakeFormVersion | None:
    if form is None:
        return None
    return (
        form.versions.filter(published_at__isnull=False)
        .order_by("-number")
        .prefetch_related(Prefetch("fields", queryset=IntakeField.objects.order_by("position", "pk")))
        .first()
    )


def submission_for(visit: Visit) -> IntakeSubmission | None:
    return (
        IntakeSubmission.objects.filter(visit=visit)
        .select_related("form_version__form", "filled_by", "accepted_by")
        .prefetch_related("attachments")
        .first()
    )


def submission_get(*, user: Any, visit_pk: int) -> tuple[Visit, IntakeSubmission]:
    """A visit the user may see and its submission (404 when none)."""
    visit = visit_get(user=user, pk=visit_pk)
    submission = submission_for(visit)
    if submission is None:
        raise Http404
    return visit, submission


@dataclass(frozen=True)
class IntakeState:
    """What the visit page says about the visit's form: ``to_fill``, ``filled`` or ``accepted``."""

    form: IntakeForm
    state: str
    submission: IntakeSubmission | None


def intake_state(visit: Visit) -> IntakeState | None:
    form = visit.visit_type.intake_form if visit.visit_type.intake_form_id else None
    if form is None:
        return None
    submission = submission_for(visit)
    state = submission.status if submission is not None else "to_fill"
    return IntakeState(form=form, state=state, submission=submission)


@dataclass(frozen=True)
class RenderedAnswer:
    field: IntakeField
    value: Any  # text, a list of choice labels, or None
    attachment: Any  # IntakeAttachment or None
    data_url: str = ""  # a signature as a data: URL (for PDFs, which read no other files)


def rendered_answers(submission: IntakeSubmission, *, data_urls: dict[str, str] | None = None) -> list[RenderedAnswer]:
    """The submission's answers in its own version's order, with choice labels of that version."""
    fields = list(submission.form_version.fields.order_by("position", "pk"))
    attachments = {a.field_key: a for a in submission.attachments.all()}
    shown = visible_keys(fields, submission.answers)
    rows: list[RenderedAnswer] = []
    for item in fields:
        if item.key not in shown:
            continue
        raw = submission.answers.get(item.key)
        labels = dict(item.choice_options())
        value: Any
        if isinstance(raw, list):
            value = [labels.get(v, v) for v in raw]
        elif raw is not None and item.choices:
            value = labels.get(str(raw), raw)
        else:
            value = raw
        rows.append(
            RenderedAnswer(
                field=item,
                value=value,
                attachment=attachments.get(item.key),
                data_url=(data_urls or {}).get(item.key, ""),
            )
        )
    return rows


def differences(submission: IntakeSubmission) -> list[review.Difference]:
    fields = list(submission.form_version.fields.order_by("position", "pk"))
    return review.differences(client=submission.visit.client, fields=fields, answers=submission.answers)


def attachment_get(*, user: Any, visit_pk: int, key: str) -> tuple[Visit, Any]:
    visit, submission = submission_get(user=user, visit_pk=visit_pk)
    attachment = submission.attachments.filter(field_key=key).first()
    if attachment is None:
        raise Http404
    return visit, attachment


def link_target(target: LinkTarget) -> tuple[Visit, IntakeFormVersion] | None:
    """The visit and the version a link opens, or None when the link no longer leads anywhere."""
    visit = (
        Visit.objects.select_related("visit_type__intake_form", "client", "branch", "organisation")
        .filter(pk=target.visit_id)
        .first()
    )
    if visit is None or visit.visit_type.intake_form_id != target.form_id or visit.status in CLOSED_STATUSES:
        return None
    version = current_version(visit.visit_type.intake_form)
    if version is None:
        return None
    return visit, version


def link_already_filled(visit: Visit) -> bool:
    return IntakeSubmission.objects.filter(visit=visit).exists()


def accepted(visit: Visit) -> bool:
    return IntakeSubmission.objects.filter(visit=visit, status=SubmissionStatus.ACCEPTED).exists()


def workflow_allows_filling(visit: Visit) -> bool:
    """A form is filled and accepted while the visit is still open (not finished, cancelled…)."""
    return visit.status not in CLOSED_STATUSES
