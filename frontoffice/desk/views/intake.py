"""Intake forms: the builder (managers), the visit's form at the desk, and the client's pre-arrival page."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.core.audit import log_access
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.pdf import pdf_response, render_pdf
from frontoffice.core.selectors import organisation_for

from .. import selectors as desk_selectors
from ..intake import links, selectors, services
from ..intake.answers import UPLOAD_ACCEPT
from ..intake.choices import FieldKind, SubmissionSource
from ..intake.files import attachment_response
from ..intake.forms import (
    AcceptForm,
    FieldForm,
    IntakeFormCreateForm,
    IntakeFormSettingsForm,
    LinkForm,
    VersionTextsForm,
)
from ..models import IntakeField, IntakeFormVersion, Visit
from ..permissions import DeskPermission

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm
MANAGE = DeskPermission.MANAGE_VISIT_TYPES.perm
INPUT_PREFIX = "q_"


# --- the builder (managers) ----------------------------------------------------------------------


@require(MANAGE)
def intake_form_list(request: HttpRequest) -> HttpResponse:
    forms = selectors.intake_form_overview(user=request.user)
    return render(request, "desk/intake/form_list.html", {"forms": forms})


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def intake_form_create(request: HttpRequest) -> HttpResponse:
    form = IntakeFormCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.intake_form_create(
                organisation=organisation_for(request.user), actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Form %(name)s created; add its fields.") % {"name": created.name})
            return redirect("desk:intake_form_detail", pk=created.pk)
    return render(request, "desk/intake/form_create.html", {"form": form}, status=400 if form.errors else 200)


def _builder(request: HttpRequest, pk: int, *, status: int = 200, **extra: Any) -> HttpResponse:
    intake_form = selectors.intake_form_get(user=request.user, pk=pk)
    versions = selectors.versions_of(intake_form)
    draft = next((v for v in versions if v.is_draft), None)
    published = next((v for v in versions if not v.is_draft), None)
    shown = draft or published
    fields = list(shown.fields.all()) if shown else []
    context: dict[str, Any] = {
        "intake_form": intake_form,
        "versions": versions,
        "draft": draft,
        "published": published,
        "shown": shown,
        "fields": fields,
        "field_form": FieldForm(others=fields),
        "texts_form": VersionTextsForm.for_version(draft) if draft else None,
        "settings_form": IntakeFormSettingsForm(
            initial={"name": intake_form.name, "is_active": intake_form.is_active, "version": intake_form.version}
        ),
        "visit_types": list(intake_form.visit_types.all()),
        **extra,
    }
    return render(request, "desk/intake/form_detail.html", context, status=status)


@require(MANAGE)
def intake_form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, pk)


@require(MANAGE)
@require_POST
def intake_form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    intake_form = selectors.intake_form_get(user=request.user, pk=pk)
    form = IntakeFormSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.intake_form_update(
                form=intake_form,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("desk:intake_form_detail", pk=pk)
    return _builder(request, pk, status=400, settings_form=form)


@require(MANAGE)
@require_POST
def intake_draft_start(request: HttpRequest, pk: int) -> HttpResponse:
    intake_form = selectors.intake_form_get(user=request.user, pk=pk)
    draft = services.intake_draft_start(form=intake_form, actor=request.user)
    messages.success(
        request,
        _("Version %(number)d is a draft: change it, then publish it. Visits keep the published version until then.")
        % {"number": draft.number},
    )
    return redirect("desk:intake_form_detail", pk=pk)


def _draft_of(request: HttpRequest, pk: int) -> IntakeFormVersion:
    intake_form = selectors.intake_form_get(user=request.user, pk=pk)
    draft = intake_form.versions.filter(published_at__isnull=True).first()
    if draft is None:
        raise Http404
    return draft


@require(MANAGE)
@require_POST
def intake_draft_texts(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_of(request, pk)
    form = VersionTextsForm(request.POST)
    if form.is_valid():
        try:
            services.intake_version_update(version=draft, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("desk:intake_form_detail", pk=pk)
    return _builder(request, pk, status=400, texts_form=form)


@require(MANAGE)
@require_POST
def intake_field_add(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_of(request, pk)
    form = FieldForm(request.POST, others=list(draft.fields.all()))
    if form.is_valid():
        try:
            item = services.intake_field_add(version=draft, actor=request.user, data=form.field_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Field %(label)s added.") % {"label": item.label})
            return redirect("desk:intake_form_detail", pk=pk)
    return _builder(request, pk, status=400, field_form=form)


def _draft_field(request: HttpRequest, pk: int) -> IntakeField:
    item = selectors.field_get(user=request.user, pk=pk)
    if not item.version.is_draft:
        raise Http404
    return item


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def intake_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _draft_field(request, pk)
    others = [other for other in item.version.fields.all() if other.pk != item.pk]
    form = (
        FieldForm(request.POST, others=others) if request.method == "POST" else FieldForm.for_field(item, others=others)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_field_update(field=item, actor=request.user, data=form.field_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("desk:intake_form_detail", pk=item.version.form_id)
    context = {"form": form, "item": item, "intake_form": item.version.form}
    return render(request, "desk/intake/field_form.html", context, status=400 if form.errors else 200)


@require(MANAGE)
@require_POST
def intake_field_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _draft_field(request, pk)
    try:
        services.intake_field_remove(field=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Field removed."))
    return redirect("desk:intake_form_detail", pk=item.version.form_id)


@require(MANAGE)
@require_POST
def intake_publish(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_of(request, pk)
    try:
        services.intake_version_publish(version=draft, actor=request.user)
    except ValidationError as error:
        return _builder(request, pk, status=400, publish_errors=error.messages)
    messages.success(request, _("Version %(number)d published.") % {"number": draft.number})
    return redirect("desk:intake_form_detail", pk=pk)


@require(MANAGE)
def intake_version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Any version as its clients saw it (a read-only preview)."""
    version = selectors.version_get(user=request.user, form_pk=pk, number=number)
    context = {"intake_form": version.form, "version": version, "fields": _field_rows(list(version.fields.all()), {})}
    return render(request, "desk/intake/version_detail.html", context)


# --- filling (shared by the desk and the client's page) ------------------------------------------


def _field_rows(fields: list[IntakeField], raw: dict[str, Any], errors: dict[str, list[str]] | None = None) -> list:
    """What ``_fields.html`` needs per field: the field, the value typed so far, its errors."""
    errors = errors or {}
    rows = []
    for item in fields:
        value = raw.get(item.key)
        rows.append(
            {
                "field": item,
                "name": INPUT_PREFIX + item.key,
                "value": value if item.kind != FieldKind.FILE else None,
                "values": value if isinstance(value, list) else ([value] if value else []),
                "errors": errors.get(item.key, []),
            }
        )
    return rows


def _raw_answers(request: HttpRequest, fields: list[IntakeField]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for item in fields:
        name = INPUT_PREFIX + item.key
        if item.kind == FieldKind.MULTIPLE_CHOICE:
            raw[item.key] = request.POST.getlist(name)
        elif item.kind == FieldKind.FILE:
            raw[item.key] = request.FILES.get(name)
        else:
            raw[item.key] = request.POST.get(name, "")
    return raw


def _error_dict(error: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    if hasattr(error, "error_dict"):
        per_field = {key: [str(m) for e in errors for m in e.messages] for key, errors in error.error_dict.items()}
        general = per_field.pop("__all__", [])
        return per_field, general
    return {}, list(error.messages)


# --- at the desk ---------------------------------------------------------------------------------


@require(EDIT)
@require_http_methods(["GET", "POST"])
def visit_intake_fill(request: HttpRequest, pk: int) -> HttpResponse:
    visit = desk_selectors.visit_get(user=request.user, pk=pk)
    version = selectors.current_version(visit.visit_type.intake_form if visit.visit_type.intake_form_id else None)
    if version is None:
        raise Http404
    fields = list(version.fields.all())
    submission = selectors.submission_for(visit)
    raw: dict[str, Any] = dict(submission.answers) if submission and submission.form_version_id == version.pk else {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        raw = _raw_answers(request, fields)
        try:
            services.intake_submission_save(visit=visit, actor=request.user, raw=raw, source=SubmissionSource.DESK)
        except ValidationError as error:
            errors, general = _error_dict(error)
        else:
            messages.success(request, _("Intake form saved. Review it and accept it."))
            return redirect("desk:visit_intake", pk=visit.pk)
    context = {
        "visit": visit,
        "version": version,
        "rows": _field_rows(fields, raw, errors),
        "general_errors": general,
        "has_errors": bool(errors or general),
        "stored": {a.field_key for a in submission.attachments.all()} if submission else set(),
        "upload_accept": UPLOAD_ACCEPT,
        "submission": submission,
    }
    return render(request, "desk/intake/fill.html", context, status=400 if errors or general else 200)


def _review(request: HttpRequest, pk: int, *, status: int = 200, **extra: Any) -> HttpResponse:
    visit, submission = selectors.submission_get(user=request.user, visit_pk=pk)
    log_access(
        user=request.user,
        target=submission,
        organisation=visit.organisation,
        purpose="intake form",
        path=request.path,
    )
    rows = selectors.differences(submission)
    differing = [row for row in rows if row.differs]
    context = {
        "visit": visit,
        "submission": submission,
        "answers": selectors.rendered_answers(submission),
        "differences": rows,
        "accept_form": AcceptForm(initial={"version": submission.version}, differing=differing),
        "can_edit": request.user.has_perm(EDIT),
        **extra,
    }
    return render(request, "desk/intake/review.html", context, status=status)


@require(VIEW)
def visit_intake(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk)


@require(EDIT)
@require_POST
def visit_intake_accept(request: HttpRequest, pk: int) -> HttpResponse:
    visit, submission = selectors.submission_get(user=request.user, visit_pk=pk)
    differing = [row for row in selectors.differences(submission) if row.differs]
    form = AcceptForm(request.POST, differing=differing)
    if form.is_valid():
        update, keep = form.decisions()
        try:
            services.intake_submission_accept(
                submission=submission,
                actor=request.user,
                update=update,
                keep=keep,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Intake form accepted."))
            return redirect("desk:visit_detail", pk=visit.pk)
    return _review(request, pk, status=400, accept_form=form)


def _signature_urls(submission: Any) -> dict[str, str]:
    """Signatures as data URLs: a PDF reads no file outside the static files (see core.pdf)."""
    signatures = {f.key for f in submission.form_version.fields.all() if f.kind == FieldKind.SIGNATURE}
    urls = {}
    for attachment in submission.attachments.all():
        if attachment.field_key in signatures:
            with attachment.file.open("rb") as handle:
                urls[attachment.field_key] = "data:image/png;base64," + base64.b64encode(handle.read()).decode()
    return urls


@require(VIEW)
def visit_intake_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    visit, submission = selectors.submission_get(user=request.user, visit_pk=pk)
    log_access(
        user=request.user,
        target=submission,
        organisation=visit.organisation,
        purpose="intake form PDF",
        path=request.path,
    )
    context = {
        "visit": visit,
        "submission": submission,
        "answers": selectors.rendered_answers(submission, data_urls=_signature_urls(submission)),
        "pdf": True,
    }
    pdf = render_pdf("desk/intake/submission_pdf.html", context, request=request)
    return pdf_response(pdf, filename=f"intake-{visit.number}.pdf")


@require(VIEW)
def visit_intake_file(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """A stored signature or uploaded file, to permitted users only; every opening is access-logged."""
    return attachment_response(request, user=request.user, visit_pk=pk, key=key)


@require(EDIT)
@require_POST
def visit_intake_link(request: HttpRequest, pk: int) -> HttpResponse:
    visit = desk_selectors.visit_get(user=request.user, pk=pk)
    if visit.visit_type.intake_form_id is None:
        raise Http404
    form = LinkForm(request.POST)
    channel = form.cleaned_data["send"] if form.is_valid() else ""
    token = links.make_token(visit_id=visit.pk, form_id=visit.visit_type.intake_form_id)
    url = request.build_absolute_uri(reverse("desk:intake_public", kwargs={"token": token}))
    try:
        recipient = services.intake_link_send(visit=visit, actor=request.user, url=url, channel=channel)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("desk:visit_detail", pk=visit.pk)
    context = {"visit": visit, "url": url, "recipient": recipient, "channel": channel, "max_age": links.LINK_MAX_AGE}
    return render(request, "desk/intake/link.html", context)


# --- the client's page (no sign-in: the signed link is the key) ---------------------------------


def _link_problem(request: HttpRequest, reason: str, language: str | None, status: int) -> HttpResponse:
    with translation.override(language or translation.get_language()):
        response = render(request, "desk/intake/public_problem.html", {"reason": reason}, status=status)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def intake_public(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = links.read_token(token)
    except links.LinkExpired as expired:
        owner = Visit.objects.filter(pk=expired.target.visit_id).select_related("client").first()
        return _link_problem(request, "expired", owner.client.preferred_language if owner else None, 410)
    except links.LinkInvalid:
        return _link_problem(request, "invalid", None, 404)
    found = selectors.link_target(target)
    if found is None:
        return _link_problem(request, "closed", None, 410)
    visit, version = found
    with translation.override(visit.client.preferred_language or visit.organisation.default_language):
        if selectors.link_already_filled(visit):
            return render(request, "desk/intake/public_done.html", {"visit": visit, "version": version})
        fields = list(version.fields.all())
        raw: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        general: list[str] = []
        if request.method == "POST":
            raw = _raw_answers(request, fields)
            try:
                services.intake_submission_save(visit=visit, actor=None, raw=raw, source=SubmissionSource.LINK)
            except ValidationError as error:
                errors, general = _error_dict(error)
            else:
                return redirect("desk:intake_public", token=token)
        context = {
            "visit": visit,
            "version": version,
            "rows": _field_rows(fields, raw, errors),
            "general_errors": general,
            "has_errors": bool(errors or general),
            "stored": set(),
            "upload_accept": UPLOAD_ACCEPT,
            "language": translation.get_language(),
        }
        return render(request, "desk/intake/public_fill.html", context, status=400 if errors or general else 200)


urlpatterns = [
    path("intake-forms/", intake_form_list, name="intake_form_list"),
    path("intake-forms/new/", intake_form_create, name="intake_form_create"),
    path("intake-forms/<int:pk>/", intake_form_detail, name="intake_form_detail"),
    path("intake-forms/<int:pk>/edit/", intake_form_edit, name="intake_form_edit"),
    path("intake-forms/<int:pk>/draft/", intake_draft_start, name="intake_draft_start"),
    path("intake-forms/<int:pk>/draft/texts/", intake_draft_texts, name="intake_draft_texts"),
    path("intake-forms/<int:pk>/draft/fields/", intake_field_add, name="intake_field_add"),
    path("intake-forms/<int:pk>/draft/publish/", intake_publish, name="intake_publish"),
    path("intake-forms/<int:pk>/versions/<int:number>/", intake_version_detail, name="intake_version_detail"),
    path("intake-fields/<int:pk>/edit/", intake_field_edit, name="intake_field_edit"),
    path("intake-fields/<int:pk>/remove/", intake_field_remove, name="intake_field_remove"),
    path("visits/<int:pk>/intake/", visit_intake, name="visit_intake"),
    path("visits/<int:pk>/intake/fill/", visit_intake_fill, name="visit_intake_fill"),
    path("visits/<int:pk>/intake/accept/", visit_intake_accept, name="visit_intake_accept"),
    path("visits/<int:pk>/intake/pdf/", visit_intake_pdf, name="visit_intake_pdf"),
    path("visits/<int:pk>/intake/files/<slug:key>/", visit_intake_file, name="visit_intake_file"),
    path("visits/<int:pk>/intake/link/", visit_intake_link, name="visit_intake_link"),
    path("intake/<str:token>/", intake_public, name="intake_public"),
]
