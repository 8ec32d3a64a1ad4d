"""The agent workspace: the live queue, the case page and its actions, set-up pages, the client timeline."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.clients.permissions import ClientsPermission
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit.problems import problem
from frontoffice.core.decorators import require
from frontoffice.core.files import serve_private
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.scoping import scope_for
from frontoffice.core.sse import no_stream, served_over_asgi, sse_response

from ..choices import CaseStatus
from ..models import Case, CaseNote
from ..permissions import CasePermission, InteractionPermission
from . import canned, selectors, services
from .forms import (
    AssignForm,
    CannedReplyForm,
    CaseCreateForm,
    CaseEditForm,
    MergeForm,
    NoteForm,
    QueueForm,
    ReplyForm,
    RoutingForm,
    SlaPolicyForm,
    StatusForm,
)

VIEW = CasePermission.VIEW_CASES.perm
WORK = CasePermission.WORK_CASES.perm
SUPERVISE = CasePermission.SUPERVISE_CASES.perm
VIEW_CONTACTS = InteractionPermission.VIEW_INTERACTIONS.perm
VIEW_VISITS = "desk.view_visits"


def _branches(request: HttpRequest) -> list[Any]:
    return list(core_selectors.branch_list(user=request.user))


# --- the queue -----------------------------------------------------------------------------------------------


@require(VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    """The agent queue: tabs and filters live in the URL; the rows fragment re-fetches on live events."""
    form = QueueForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    branches = _branches(request)
    raw_branch = request.GET.get("branch", "")
    branch = next((b for b in branches if str(b.pk) == raw_branch), None)
    filters = selectors.QueueFilters(
        tab=data.get("tab") or "mine",
        branch_id=branch.pk if branch else None,
        status=data.get("status", ""),
        priority=data.get("priority", ""),
        channel=data.get("channel", ""),
        q=data.get("q", ""),
    )
    page = selectors.case_queue(user=request.user, filters=filters, page=data.get("page") or 1)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "queue": page,
        "branches": branches,
        "branch": branch,
        "query": params.urlencode(),
        "tabs": [(tab, label) for tab, label in form.fields["tab"].choices],
        "can_work": request.user.has_perm(WORK),
        "can_supervise": request.user.has_perm(SUPERVISE),
    }
    return render_page(request, "interactions/cases/list.html", context)


async def case_stream(request: HttpRequest) -> HttpResponse:
    """Live case changes of the user's branches (the queue re-fetches its rows on each)."""
    user = await request.auser()
    if not user.is_authenticated:
        return problem(request, 401, detail=_("Sign in, or send a valid API token."))
    if not await sync_to_async(user.has_perm)(VIEW):
        return problem(request, 403, detail=_("You may not see cases."))
    if not served_over_asgi(request):
        return no_stream()
    branches = await sync_to_async(lambda: [(b.organisation_id, b.pk) for b in core_selectors.branch_list(user=user)])()
    channels = [services.case_channel(org, pk) for org, pk in branches]
    return sse_response(
        channels, transform=lambda event: ("case", {"case": event.get("case"), "type": event.get("type")})
    )


@require(WORK)
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    branches = _branches(request)
    if not branches:
        raise Http404
    wanted = request.POST.get("branch") or request.GET.get("branch")
    branch = next((b for b in branches if str(b.pk) == str(wanted)), branches[0])
    teams = selectors.team_list(user=request.user)
    form = CaseCreateForm(request.POST or None, teams=teams)
    client = _picked_client(request)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                branch=branch,
                subject=form.cleaned_data["subject"],
                actor=request.user,
                channel=form.cleaned_data["channel"],
                priority=form.cleaned_data["priority"],
                team=form.cleaned_data["team"],
                client=client,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("interactions:case_detail", pk=case.pk)
    context = {"form": form, "branch": branch, "branches": branches, "chosen_client": client}
    return render(request, "interactions/cases/create.html", context, status=400 if form.errors else 200)


def _picked_client(request: HttpRequest) -> Any:
    raw = request.POST.get("client", "") or request.GET.get("client", "")
    if not raw.isdigit() or not request.user.has_perm(ClientsPermission.VIEW_CLIENTS.perm):
        return None
    try:
        return client_selectors.client_get(user=request.user, pk=int(raw), follow_merges=False)
    except Http404:
        return None


# --- the case page -------------------------------------------------------------------------------------------


def _case(request: HttpRequest, pk: int) -> Case:
    return selectors.case_get_scoped(user=request.user, pk=pk)


def _detail_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = request.user
    visits = selectors.client_visits(user=user, client_id=case.client_id) if user.has_perm(VIEW_VISITS) else []
    if case.visit is not None and all(visit.pk != case.visit_id for visit in visits):
        visits = [case.visit, *visits]
    canned_text = ""
    raw = request.GET.get("canned", "")
    if raw.isdigit() and user.has_perm(WORK):
        chosen = selectors.canned_reply_get(user=user, pk=int(raw))
        canned_text = canned.canned_render(canned=chosen, case=case, agent=user)
    context = {
        "case": case,
        "timeline": selectors.case_timeline(case=case),
        "clocks": selectors.case_clocks(case=case),
        "edit_form": forms.get("edit_form")
        or CaseEditForm(
            initial={
                "version": case.version,
                "subject": case.subject,
                "priority": case.priority,
                "team": case.team_id,
                "visit": case.visit_id,
            },
            teams=selectors.team_list(user=user),
            visits=visits,
        ),
        "status_form": forms.get("status_form") or StatusForm(initial={"version": case.version, "status": case.status}),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            initial={"version": case.version, "owner": case.owner_id},
            people=selectors.owner_choices(user=user, case=case) if user.has_perm(SUPERVISE) else [],
        ),
        "note_form": forms.get("note_form") or NoteForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"body": canned_text}),
        "merge_form": forms.get("merge_form")
        or (
            MergeForm(candidates=list(selectors.case_candidates_for_merge(user=user, case=case)))
            if user.has_perm(SUPERVISE)
            else None
        ),
        "canned_replies": list(selectors.canned_reply_list(user=user)) if user.has_perm(WORK) else [],
        "can_work": user.has_perm(WORK) and case.status != CaseStatus.CLOSED,
        "can_supervise": user.has_perm(SUPERVISE),
        "can_timeline": user.has_perm(VIEW_CONTACTS) and case.client_id is not None,
        "statuses": CaseStatus,
    }
    return context


@require(VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if case.merged_into_id is not None:
        survivor = selectors.case_get_scoped(user=request.user, pk=case.merged_into_id)
        messages.info(
            request,
            _("Case %(old)s was merged into %(new)s.") % {"old": case.number, "new": survivor.number},
        )
        return redirect("interactions:case_detail", pk=survivor.pk)
    return render_page(request, "interactions/cases/detail.html", _detail_context(request, case), partial="reply")


def _after(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("interactions:case_detail", pk=case.pk)


def _refuse(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    case.refresh_from_db()
    return render(request, "interactions/cases/detail.html", _detail_context(request, case, **forms), status=400)


@require(WORK)
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_status(
                case=case,
                status=form.cleaned_data["status"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _after(request, case, _("Status changed."))
    return _refuse(request, case, status_form=form)


@require(WORK)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    people = selectors.owner_choices(user=request.user, case=case)
    form = AssignForm(request.POST, people=people)
    if request.POST.get("take") == "1":
        owner: Any = request.user
        version = None
    elif form.is_valid():
        chosen = form.cleaned_data["owner"]
        owner = next((person for person in people if person.pk == chosen), None)
        if chosen is not None and owner is None:
            raise Http404
        version = form.cleaned_data["version"]
    else:
        return _refuse(request, case, assign_form=form)
    try:
        services.case_assign(case=case, owner=owner, actor=request.user, expected_version=version)
    except ValidationError as error:
        add_service_error(form, error)
        return _refuse(request, case, assign_form=form)
    return _after(request, case, _("Owner changed."))


@require(WORK)
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    visits = (
        selectors.client_visits(user=request.user, client_id=case.client_id)
        if request.user.has_perm(VIEW_VISITS)
        else []
    )
    form = CaseEditForm(request.POST, teams=selectors.team_list(user=request.user), visits=visits)
    if form.is_valid():
        data = form.cleaned_data
        visit = next((v for v in visits if v.pk == data["visit"]), None)
        if data["visit"] is None:
            visit = None
        elif visit is None:
            visit = case.visit if case.visit_id == data["visit"] else None
        details = services.CaseDetails(
            subject=data["subject"], priority=data["priority"], team=data["team"], visit=visit
        )
        client = _picked_client(request)
        if client is not None:
            details.client = client
        try:
            services.case_update(case=case, details=details, actor=request.user, expected_version=data["version"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _after(request, case, _("Case saved."))
    return _refuse(request, case, edit_form=form)


@require(WORK)
@require_POST
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_note_add(
                case=case,
                body=form.cleaned_data["body"],
                actor=request.user,
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _after(request, case, _("Note added."))
    return _refuse(request, case, note_form=form)


@require(VIEW)
def case_note_file(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    case = _case(request, pk)
    note = CaseNote.objects.filter(case=case, pk=note_pk).exclude(attachment="").first()
    if note is None:
        raise Http404
    from frontoffice.core.files import content_type_for

    return serve_private(
        request, note.attachment, filename=note.attachment_name, content_type=content_type_for(note.attachment.name)
    )


@require(WORK)
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            reply = services.case_reply(
                case=case,
                body=form.cleaned_data["body"],
                actor=request.user,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = _("Reply sent.") if reply.delivery == "sent" else _("Reply recorded; send it by hand.")
            return _after(request, case, message)
    return _refuse(request, case, reply_form=form)


@require(WORK)
@require_POST
def case_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    services.case_mark_complaint(case=case, actor=request.user)
    return _after(request, case, _("Marked as a complaint."))


@require(SUPERVISE)
@require_POST
def case_merge(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    raw = request.POST.get("target", "")
    if not raw.isdigit():
        raise Http404
    target = selectors.case_get_scoped(user=request.user, pk=int(raw))
    form = MergeForm(request.POST, candidates=[target])
    try:
        survivor = services.case_merge(source=case, target=target, actor=request.user)
    except ValidationError as error:
        add_service_error(form, error)
        return _refuse(request, case, merge_form=form)
    return _after(request, survivor, _("Cases merged."))


# --- set-up pages -----------------------------------------------------------------------------------------------


@require(SUPERVISE)
@require_http_methods(["GET", "POST"])
def canned_reply_list(request: HttpRequest) -> HttpResponse:
    """Canned replies: the list, and a form to add one."""
    form = CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.canned_reply_save(
                organisation=core_selectors.organisation_for(request.user), actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Canned reply saved."))
            return redirect("interactions:canned_reply_list")
    context = {"form": form, "replies": selectors.canned_reply_list(user=request.user, include_inactive=True)}
    return render(request, "interactions/cases/canned_list.html", context, status=400 if form.errors else 200)


@require(SUPERVISE)
@require_http_methods(["GET", "POST"])
def canned_reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    canned_reply = selectors.canned_reply_get(user=request.user, pk=pk)
    initial = {
        "title": canned_reply.title,
        "body_pl": canned_reply.body_pl,
        "body_en": canned_reply.body_en,
        "is_active": canned_reply.is_active,
    }
    form = CannedReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.canned_reply_save(
                organisation=core_selectors.organisation_for(request.user),
                actor=request.user,
                canned=canned_reply,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Canned reply saved."))
            return redirect("interactions:canned_reply_list")
    context = {"form": form, "canned_reply": canned_reply, "variables": canned.VARIABLES}
    return render(request, "interactions/cases/canned_edit.html", context, status=400 if form.errors else 200)


def _sla_and_routing(request: HttpRequest, *, bound: RoutingForm | None = None, bound_team: int = 0) -> HttpResponse:
    """The SLA and routing page; ``bound`` is a refused routing form, shown with its error in its team's place."""
    teams = []
    for team in selectors.team_list(user=request.user).select_related("routing"):
        rule = getattr(getattr(team, "routing", None), "rule", "manual")
        form = bound if bound is not None and team.pk == bound_team else None
        teams.append((team, form or RoutingForm(initial={"rule": rule}, prefix=f"t{team.pk}")))
    context = {"policies": selectors.sla_policy_list(user=request.user), "teams": teams}
    return render(request, "interactions/cases/sla_list.html", context, status=400 if bound is not None else 200)


@require(SUPERVISE)
def sla_policy_list(request: HttpRequest) -> HttpResponse:
    return _sla_and_routing(request)


@require(SUPERVISE)
@require_http_methods(["GET", "POST"])
def sla_policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = selectors.sla_policy_get(user=request.user, pk=pk) if pk is not None else None
    form = SlaPolicyForm(request.POST or None, initial=SlaPolicyForm.initial_from(policy) if policy else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sla_policy_save(
                organisation=core_selectors.organisation_for(request.user),
                actor=request.user,
                data=form.model_data(),
                policy=policy,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("interactions:sla_policy_list")
    context = {"form": form, "policy": policy}
    return render(request, "interactions/cases/sla_edit.html", context, status=400 if form.errors else 200)


@require(SUPERVISE)
@require_POST
def team_routing(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(user=request.user, pk=pk)
    form = RoutingForm(request.POST, prefix=f"t{team.pk}")
    if form.is_valid():
        try:
            services.team_routing_set(team=team, rule=form.cleaned_data["rule"], actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Assignment rule saved."))
            return redirect(reverse("interactions:sla_policy_list") + "#routing")
    # Refused: the page again, the other teams as stored and this team's choice with its error (nothing saved).
    return _sla_and_routing(request, bound=form, bound_team=team.pk)


# --- the client's one timeline ---------------------------------------------------------------------------------


@require(VIEW_CONTACTS)
def client_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Every contact, case and visit of the client, newest first."""
    client = client_selectors.client_get(user=request.user, pk=pk, follow_merges=False)
    raw = request.GET.get("page", "1")
    page = int(raw) if raw.isdigit() else 1
    timeline = selectors.client_timeline(
        user=request.user,
        client_id=client.pk,
        page=page,
        with_cases=request.user.has_perm(VIEW),
        with_visits=request.user.has_perm(VIEW_VISITS),
    )
    scope_for(request.user)
    return render_page(
        request, "interactions/cases/client_timeline.html", {"client": client, "timeline": timeline}, partial="entries"
    )
