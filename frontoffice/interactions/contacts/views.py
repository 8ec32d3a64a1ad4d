"""Contacts pages: the list, the quick log form, a contact's page with its follow-ups and case, follow-ups,
and the set-up of topics and teams."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.models import Branch
from frontoffice.core.paging import page_number, page_of
from frontoffice.core.selectors import branch_list, organisation_for

from .. import selectors as shared_selectors
from .. import services as shared
from ..choices import FINISHED_STATUSES
from ..models import Interaction
from ..permissions import CasePermission, InteractionPermission
from . import selectors, services
from .forms import (
    ContactEditForm,
    ContactFilterForm,
    ContactForm,
    FollowUpFilterForm,
    FollowUpForm,
    OpenCaseForm,
    TeamForm,
    TopicForm,
)

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
LOG = InteractionPermission.LOG_INTERACTIONS.perm
SETUP = InteractionPermission.MANAGE_CHANNELS.perm
WORK_CASES = CasePermission.WORK_CASES.perm
PER_PAGE = 50
DEFAULT_FOLLOW_UP_DAYS = 1


def _branches(request: HttpRequest) -> list[Branch]:
    branches = list(branch_list(user=request.user).order_by("name"))
    if not branches:
        raise Http404
    return branches


def _chosen_branch(request: HttpRequest, branches: list[Branch], value: Any) -> Branch:
    return next((branch for branch in branches if str(branch.pk) == str(value)), branches[0])


# --- the contact list -----------------------------------------------------------------------------


@require(VIEW)
def interaction_list(request: HttpRequest) -> HttpResponse:
    """Every contact the user may see, newest first, filtered by what the URL says."""
    user = request.user
    form = ContactFilterForm(
        request.GET or None,
        branches=branch_list(user=user).order_by("name"),
        staff=selectors.contact_staff(user=user),
        topics=selectors.topic_list(user=user, include_inactive=True),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    client = None
    if data.get("client"):
        client = client_selectors.client_get(user=user, pk=data["client"], follow_merges=False)
    filters = selectors.ContactFilters(
        branch_id=data["branch"].pk if data.get("branch") else None,
        channel=data.get("channel", ""),
        direction=data.get("direction", ""),
        staff_id=data["staff"].pk if data.get("staff") else None,
        topic_id=data["topic"].pk if data.get("topic") else None,
        outcome=data.get("outcome", ""),
        client_id=client.pk if client else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        needs_client=bool(data.get("needs_client")),
    )
    page = page_number(request)
    rows, has_next = page_of(selectors.interaction_list(user=user, filters=filters), page=page, per_page=PER_PAGE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "rows": rows,
        "client": client,
        "page": page,
        "has_next": has_next,
        "query": params.urlencode(),
        "language": request.LANGUAGE_CODE,
    }
    return render_page(request, "interactions/contacts/list.html", context, status=400 if form.errors else 200)


# --- logging a contact ----------------------------------------------------------------------------


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], Any]:
    initial: dict[str, Any] = {
        "follow_up_owner": request.user.pk,
        "follow_up_due": timezone.localtime() + timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
    }
    client = None
    raw = request.GET.get("client", "")
    if raw.isdigit():
        client = client_selectors.client_get(user=request.user, pk=int(raw))
    phone = request.GET.get("phone", "").replace("\x00", "").strip()[:254]
    if phone:
        initial["contact_address"] = phone
    for key in ("channel", "direction"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    return initial, client


@require(LOG)
@require_http_methods(["GET", "POST"])
def interaction_create(request: HttpRequest) -> HttpResponse:
    """The everyday quick form: a call taken, a counter conversation, a letter, an SMS."""
    user = request.user
    posted = request.method == "POST"
    branches = _branches(request)
    branch = _chosen_branch(request, branches, request.POST.get("branch") if posted else request.GET.get("branch"))
    initial, chosen_client = _prefill(request)
    if posted:
        raw = request.POST.get("client", "")
        chosen_client = (
            client_selectors.client_get(user=user, pk=int(raw), follow_merges=False) if raw.isdigit() else None
        )
    form = ContactForm(
        request.POST if posted else None,
        initial=initial,
        topics=selectors.topic_list(user=user),
        owners=selectors.organisation_staff_users(user=user, branch_id=branch.pk, include_me=True),
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        follow_up = None
        if data["follow_up_note"]:
            follow_up = services.FollowUpData(
                owner=data["follow_up_owner"] or user, due_at=data["follow_up_due"], note=data["follow_up_note"]
            )
        if data["case_subject"] and not user.has_perm(WORK_CASES):
            form.add_error("case_subject", _("You may not open cases."))
        else:
            try:
                logged = services.contact_log(
                    branch=branch,
                    channel=data["channel"],
                    direction=data["direction"],
                    actor=user,
                    client=chosen_client,
                    contact_address=data["contact_address"],
                    topic=data["topic"],
                    outcome=data["outcome"],
                    summary=data["summary"],
                    follow_up=follow_up,
                    case_subject=data["case_subject"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Contact logged."))
                return redirect("interactions:interaction_detail", pk=logged.interaction.pk)
    context = {"form": form, "branch": branch, "branches": branches, "chosen_client": chosen_client}
    return render(request, "interactions/contacts/create.html", context, status=400 if form.errors else 200)


# --- a contact's page -----------------------------------------------------------------------------


def _detail_context(request: HttpRequest, interaction: Interaction, **forms: Any) -> dict[str, Any]:
    user = request.user
    # A topic taken out of use stays selectable on the contacts that have it.
    topics = selectors.topic_list(user=user, include_inactive=True).filter(
        Q(is_active=True) | Q(pk=interaction.topic_id or 0)
    )
    can_log = user.has_perm(LOG)
    can_work_cases = user.has_perm(WORK_CASES)
    return {
        "interaction": interaction,
        "candidates": selectors.interaction_candidates(interaction=interaction),
        "follow_ups": list(selectors.interaction_follow_ups(interaction=interaction)),
        "can_log": can_log,
        "can_work_cases": can_work_cases,
        "edit_form": forms.get("edit_form")
        or ContactEditForm(
            initial={
                "version": interaction.version,
                "topic": interaction.topic_id,
                "outcome": interaction.outcome,
                "summary": interaction.summary,
            },
            topics=topics,
        ),
        "follow_up_form": forms.get("follow_up_form")
        or FollowUpForm(
            initial={
                "follow_up_owner": user.pk,
                "follow_up_due": timezone.localtime() + timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
            },
            owners=selectors.organisation_staff_users(user=user, branch_id=interaction.branch_id, include_me=True),
        ),
        "case_form": forms.get("case_form") or OpenCaseForm(initial={"subject": interaction.subject}),
        "cases_to_join": list(selectors.cases_to_join(user=user, interaction=interaction)) if can_work_cases else [],
        "case_finished": interaction.case is not None and interaction.case.status in FINISHED_STATUSES,
        "language": request.LANGUAGE_CODE,
        "now": timezone.now(),
    }


@require(VIEW)
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = shared_selectors.interaction_get(user=request.user, pk=pk)
    return render(request, "interactions/contacts/detail.html", _detail_context(request, interaction))


@require(LOG)
@require_POST
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the topic, outcome and summary after the fact (refused if somebody else saved in between)."""
    interaction = shared_selectors.interaction_get(user=request.user, pk=pk)
    form = ContactEditForm(request.POST, topics=selectors.topic_list(user=request.user, include_inactive=True))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.interaction_update(
                interaction=interaction,
                actor=request.user,
                version=data["version"],
                topic=data["topic"],
                outcome=data["outcome"],
                summary=data["summary"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("interactions:interaction_detail", pk=pk)
    context = _detail_context(request, interaction, edit_form=form)
    return render(request, "interactions/contacts/detail.html", context, status=400)


@require(LOG)
@require_POST
def interaction_confirm_client(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a "maybe" candidate, or the client chosen with the picker."""
    interaction = shared_selectors.interaction_get(user=request.user, pk=pk)
    raw = request.POST.get("client", "")
    if not raw.isdigit():
        messages.error(request, _("Choose the client (and confirm the choice)."))
        return redirect("interactions:interaction_detail", pk=pk)
    client = client_selectors.client_get(user=request.user, pk=int(raw), follow_merges=False)
    try:
        shared.interaction_confirm_client(interaction=interaction, client=client, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Client confirmed: %(name)s.") % {"name": client.display_name})
    return redirect("interactions:interaction_detail", pk=pk)


@require(LOG)
@require_POST
def interaction_follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = shared_selectors.interaction_get(user=request.user, pk=pk)
    form = FollowUpForm(
        request.POST,
        owners=selectors.organisation_staff_users(user=request.user, branch_id=interaction.branch_id, include_me=True),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            shared.follow_up_create(
                owner=data["follow_up_owner"] or request.user,
                due_at=data["follow_up_due"],
                note=data["follow_up_note"],
                actor=request.user,
                interaction=interaction,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Follow-up set."))
            return redirect("interactions:interaction_detail", pk=pk)
    context = _detail_context(request, interaction, follow_up_form=form)
    return render(request, "interactions/contacts/detail.html", context, status=400)


@require(LOG, WORK_CASES)
@require_POST
def interaction_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = shared_selectors.interaction_get(user=request.user, pk=pk)
    form = OpenCaseForm(request.POST)
    if interaction.case_id is not None:
        form.add_error(None, _("This contact already belongs to a case."))
    elif form.is_valid():
        try:
            case = shared.case_open(
                branch=interaction.branch,
                subject=form.cleaned_data["subject"],
                actor=request.user,
                interaction=interaction,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("interactions:interaction_detail", pk=pk)
    context = _detail_context(request, interaction, case_form=form)
    return render(request, "interactions/contacts/detail.html", context, status=400)


@require(LOG, WORK_CASES)
@require_POST
def interaction_join_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the contact to an unfinished case of the same client."""
    interaction = shared_selectors.interaction_get(user=request.user, pk=pk)
    raw = request.POST.get("case", "")
    case = next(
        (
            found
            for found in selectors.cases_to_join(user=request.user, interaction=interaction)
            if str(found.pk) == raw
        ),
        None,
    )
    if case is None:
        messages.error(request, _("Choose one of the client's open cases."))
        return redirect("interactions:interaction_detail", pk=pk)
    shared.interaction_join_case(interaction=interaction, case=case, actor=request.user)
    messages.success(request, _("The contact joined case %(number)s.") % {"number": case.number})
    return redirect("interactions:interaction_detail", pk=pk)


# --- follow-ups -----------------------------------------------------------------------------------


@require(LOG)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """My open follow-ups, overdue first; managers and team leads may look at their people's."""
    user = request.user
    owners = selectors.follow_up_owners(user=user)
    form = FollowUpFilterForm(request.GET or None, owners=owners)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    owner = data.get("owner") or user
    rows = list(selectors.follow_up_list(user=user, owner_id=owner.pk, include_done=bool(data.get("done")))[:200])
    context = {
        "form": form,
        "rows": rows,
        "owner": owner,
        "is_mine": owner.pk == user.pk,
        "may_oversee": selectors.may_oversee_follow_ups(user),
        "now": timezone.now(),
    }
    return render_page(request, "interactions/contacts/follow_ups.html", context, status=400 if form.errors else 200)


@require(LOG)
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    shared.follow_up_complete(follow_up=follow_up, actor=request.user)
    messages.success(request, _("Follow-up done: %(note)s") % {"note": follow_up.note})
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("interactions:follow_up_list")


# --- topics ---------------------------------------------------------------------------------------


@require(SETUP)
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = selectors.topic_list(user=request.user, include_inactive=True)
    return render(
        request, "interactions/contacts/topic_list.html", {"topics": topics, "language": request.LANGUAGE_CODE}
    )


@require(SETUP)
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.topic_create(
                organisation=organisation_for(request.user),
                actor=request.user,
                name=data["name"],
                name_pl=data["name_pl"],
                position=data["position"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Topic added."))
            return redirect("interactions:topic_list")
    return render(
        request,
        "interactions/contacts/topic_form.html",
        {"form": form, "topic": None},
        status=400 if form.errors else 200,
    )


@require(SETUP)
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = selectors.topic_get(user=request.user, pk=pk)
    initial = {
        "version": topic.version,
        "name": topic.name,
        "name_pl": topic.name_pl,
        "position": topic.position,
        "is_active": topic.is_active,
    }
    form = TopicForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(topic=topic, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Topic saved."))
            return redirect("interactions:topic_list")
    return render(
        request,
        "interactions/contacts/topic_form.html",
        {"form": form, "topic": topic},
        status=400 if form.errors else 200,
    )


# --- teams ----------------------------------------------------------------------------------------


@require(SETUP)
def team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.team_list(user=request.user, include_inactive=True).order_by("-is_active", "name", "pk")
    return render(request, "interactions/contacts/team_list.html", {"teams": teams})


def _team_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> TeamForm:
    return TeamForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        branches=branch_list(user=request.user).order_by("name"),
        people=selectors.organisation_staff_users(user=request.user),
    )


@require(SETUP)
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    form = _team_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.team_create(
                branch=data["branch"],
                actor=request.user,
                name=data["name"],
                lead=data["lead"],
                members=list(data["members"]),
                phone_queues=data["phone_queues"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Team set up."))
            return redirect("interactions:team_list")
    return render(
        request,
        "interactions/contacts/team_form.html",
        {"form": form, "team": None},
        status=400 if form.errors else 200,
    )


@require(SETUP)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(user=request.user, pk=pk)
    form = _team_form(
        request,
        {
            "version": team.version,
            "name": team.name,
            "branch": team.branch_id,
            "lead": team.lead_id,
            "members": [member.pk for member in team.members.all()],
            "phone_queues": ", ".join(team.queue_names),
            "is_active": team.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.team_update(
                team=team,
                actor=request.user,
                version=data["version"],
                branch=data["branch"],
                name=data["name"],
                lead=data["lead"],
                members=list(data["members"]),
                is_active=data["is_active"],
                phone_queues=data["phone_queues"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Team saved."))
            return redirect("interactions:team_list")
    return render(
        request,
        "interactions/contacts/team_form.html",
        {"form": form, "team": team},
        status=400 if form.errors else 200,
    )
