"""Feedback pages for staff: surveys and their rules, invitations, responses, and opening the desk tablet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.paging import page_number, page_of, query_without_page
from frontoffice.core.selectors import branch_list, organisation_for

from . import hooks, selectors, services
from .choices import OPEN_STATUSES, SurveyKind
from .forms import (
    InvitationFilterForm,
    InvitationForm,
    KioskForm,
    QuestionFormSet,
    ResponseFilterForm,
    RuleForm,
    SurveyForm,
    question_initial,
)
from .links import make_token
from .permissions import FeedbackPermission

VIEW = FeedbackPermission.VIEW_FEEDBACK.perm
SEND = FeedbackPermission.SEND_SURVEYS.perm
MANAGE = FeedbackPermission.MANAGE_SURVEYS.perm
PER_PAGE = 50


# --- surveys ----------------------------------------------------------------------------------------


@require(VIEW)
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(selectors.survey_summaries(user=request.user))
    return render(request, "feedback/survey_list.html", {"surveys": surveys})


@require(VIEW)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    version = survey.current_version
    context = {
        "survey": survey,
        "version": version,
        "questions": list(version.questions.all()) if version else [],
        "versions": list(survey.versions.order_by("-number")),
        "rules": list(selectors.rule_list(user=request.user, survey=survey)),
        "language": request.LANGUAGE_CODE,
    }
    return render(request, "feedback/survey_detail.html", context)


def _survey_form_page(request: HttpRequest, survey: Any = None) -> HttpResponse:
    editing = survey is not None
    version = survey.current_version if editing else None
    adding = False
    if request.method == "POST":
        form = SurveyForm(request.POST, editing=editing)
        formset = QuestionFormSet(request.POST, prefix="questions")
        kind = survey.kind if editing else request.POST.get("kind", "")
        if "add_question" in request.POST:
            # No JavaScript needed: the page comes back with what was typed and one more blank question.
            grown = request.POST.copy()
            grown["questions-TOTAL_FORMS"] = str(formset.total_form_count() + 1)
            grown["questions-INITIAL_FORMS"] = "0"
            formset = QuestionFormSet(grown, prefix="questions")
            adding = True
        elif form.is_valid() and formset.is_valid():
            questions = tuple(q for q in (f.to_data() for f in formset.forms) if q is not None)
            data = form.to_data(kind=kind, questions=questions)
            try:
                if editing:
                    survey = services.survey_update(
                        survey=survey, actor=request.user, data=data, expected_version=form.cleaned_data["version"]
                    )
                else:
                    survey = services.survey_create(
                        organisation=organisation_for(request.user), actor=request.user, data=data
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Survey saved."))
                return redirect("feedback:survey_detail", pk=survey.pk)
    else:
        initial: dict[str, Any] = {"ask_comment": True, "kind": request.GET.get("kind", SurveyKind.CSAT)}
        rows: list[dict[str, Any]] = [{"kind": "scale", "scale_min": 1, "scale_max": 5}, {"kind": "text"}]
        if editing and version is not None:
            questions = list(version.questions.all())
            main = next((q for q in questions if q.is_main), None)
            initial = {
                "name": survey.name,
                "title_pl": version.title_pl,
                "title_en": version.title_en,
                "intro_pl": version.intro_pl,
                "intro_en": version.intro_en,
                "thanks_pl": version.thanks_pl,
                "thanks_en": version.thanks_en,
                "main_pl": main.text_pl if main else "",
                "main_en": main.text_en if main else "",
                "ask_comment": any(q.kind == "text" for q in questions),
                "version": survey.version,
            }
            rows = question_initial(version)
        form = SurveyForm(initial=initial, editing=editing)
        formset = QuestionFormSet(prefix="questions", initial=rows)
    context = {
        "form": form,
        "formset": formset,
        "survey": survey,
        "frozen": bool(editing and version is not None and services.version_in_use(version)),
    }
    status = 400 if request.method == "POST" and not adding else 200
    return render(request, "feedback/survey_form.html", context, status=status)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    return _survey_form_page(request)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_form_page(request, selectors.survey_get(user=request.user, pk=pk))


@require(MANAGE)
@require_POST
def survey_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    services.survey_set_active(survey=survey, active=not survey.is_active, actor=request.user)
    messages.success(request, _("Survey switched on.") if not survey.is_active else _("Survey switched off."))
    return redirect("feedback:survey_detail", pk=survey.pk)


def _rule_page(request: HttpRequest, survey_pk: int, rule_pk: int | None = None) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=survey_pk)
    rule = selectors.rule_get(user=request.user, survey=survey, pk=rule_pk) if rule_pk else None
    branches = branch_list(user=request.user).order_by("name")
    if request.method == "POST":
        form = RuleForm(request.POST, instance=None, branches=branches)
        if form.is_valid():
            try:
                services.rule_save(
                    survey=survey,
                    data=form.to_data(),
                    actor=request.user,
                    rule=rule,
                    expected_version=form.cleaned_data.get("version"),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Invitation rule saved."))
                return redirect("feedback:survey_detail", pk=survey.pk)
    else:
        form = RuleForm(instance=rule, branches=branches, initial={"version": rule.version if rule else None})
    context = {"form": form, "survey": survey, "rule": rule}
    return render(request, "feedback/rule_form.html", context, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_page(request, pk)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    return _rule_page(request, pk, rule_pk)


# --- invitations ------------------------------------------------------------------------------------


@require(VIEW)
def invitation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = InvitationFilterForm(
        request.GET or None, branches=branch_list(user=user).order_by("name"), surveys=selectors.survey_list(user=user)
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.InvitationFilters(
        branch_id=data["branch"].pk if data.get("branch") else None,
        survey_id=data["survey"].pk if data.get("survey") else None,
        status=data.get("status", ""),
        channel=data.get("channel", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    page = page_number(request)
    rows, has_next = page_of(selectors.invitation_list(user=user, filters=filters), page=page, per_page=PER_PAGE)
    context = {"form": form, "rows": rows, "page": page, "has_next": has_next, "query": query_without_page(request)}
    return render_page(request, "feedback/invitation_list.html", context, status=400 if form.errors else 200)


@require(SEND)
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    surveys = selectors.survey_list(user=user, include_inactive=False)
    branches = branch_list(user=user).order_by("name")
    form = InvitationForm(request.POST or None, surveys=surveys, branches=branches)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["client"].strip()
        client = client_selectors.client_queryset(user=user).filter(number__iexact=number).first()
        if client is None:
            form.add_error("client", _("No client with this number."))
        else:
            try:
                services.invitation_create_manual(
                    survey=form.cleaned_data["survey"],
                    branch=form.cleaned_data["branch"],
                    client=client,
                    channel=form.cleaned_data["channel"],
                    actor=user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The survey will be sent in a moment."))
                return redirect("feedback:invitation_list")
    return render(request, "feedback/invitation_form.html", {"form": form}, status=400 if form.errors else 200)


@require(SEND)
@require_POST
def invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    try:
        services.invitation_cancel(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation cancelled."))
    return redirect("feedback:invitation_list")


# --- responses --------------------------------------------------------------------------------------


@require(VIEW)
def response_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ResponseFilterForm(
        request.GET or None, branches=branch_list(user=user).order_by("name"), surveys=selectors.survey_list(user=user)
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.ResponseFilters(
        branch_id=data["branch"].pk if data.get("branch") else None,
        survey_id=data["survey"].pk if data.get("survey") else None,
        kind=data.get("kind", ""),
        band=data.get("band", ""),
        channel=data.get("channel", ""),
        low_only=bool(data.get("low_only")),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    page = page_number(request)
    rows, has_next = page_of(selectors.response_list(user=user, filters=filters), page=page, per_page=PER_PAGE)
    context = {"form": form, "rows": rows, "page": page, "has_next": has_next, "query": query_without_page(request)}
    return render_page(request, "feedback/response_list.html", context, status=400 if form.errors else 200)


@require(VIEW)
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_get(user=request.user, pk=pk)
    context = {
        "response": response,
        "answers": list(response.answers.all()),
        "can_convert": hooks.complaint_converter() is not None and not response.follow_up.startswith("complaint"),
    }
    return render(request, "feedback/response_detail.html", context)


@require(VIEW)
@require_POST
def response_to_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_get(user=request.user, pk=pk)
    try:
        label = services.response_convert_to_complaint(response=response, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Complaint registered: %(label)s") % {"label": label})
    return redirect("feedback:response_detail", pk=response.pk)


# --- the desk tablet --------------------------------------------------------------------------------


@require(SEND)
@require_http_methods(["GET", "POST"])
def kiosk_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff hand the tablet to the client: the survey about the visit just finished, nothing else."""
    return _kiosk(request, "desk.visit", str(pk))


def _kiosk(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    source = hooks.resolve_source(kind=kind, pk=pk, user=request.user)
    if source is None:
        raise Http404
    surveys = selectors.survey_list(user=request.user, include_inactive=False).exclude(kind=SurveyKind.COMPLAINT)
    form = KioskForm(request.POST or None, surveys=surveys, initial={"survey": surveys.first()})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.kiosk_open(survey=form.cleaned_data["survey"], source=source, actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("feedback:kiosk", token=make_token(invitation.pk))
    context = {"form": form, "source": source, "open_statuses": OPEN_STATUSES}
    return render(request, "feedback/kiosk_start.html", context, status=400 if form.errors else 200)
