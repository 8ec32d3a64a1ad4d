"""The clerk's day, the visit list, opening and editing a visit, and everything done on the visit's page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.accounts.selectors import staff_list
from frontoffice.clients import selectors as client_selectors
from frontoffice.core.choices import BusinessKind
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.models import Branch
from frontoffice.core.selectors import organisation_for
from frontoffice.core.tables import Column, Table

from .. import selectors, services, workflow
from ..actions import VisitUrls, actions_for, visit_actions
from ..choices import VisitStatus
from ..forms import LineForm, RoomChangeForm, TransitionForm, VisitFilterForm, VisitForm
from ..models import Visit
from ..money import selectors as money_selectors
from ..permissions import DeskPermission
from ..selectors import VisitFilters
from .money import money_context

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm


# --- helpers --------------------------------------------------------------------------------------


def _branch(request: HttpRequest, value: Any = None) -> tuple[Branch, list[Branch]]:
    """The desk's branch: the one asked for (if the user works there), else the user's first."""
    branches = selectors.desk_branches(user=request.user)
    if not branches:
        raise Http404
    wanted = value if value is not None else request.GET.get("branch")
    chosen = next((branch for branch in branches if str(branch.pk) == str(wanted)), branches[0])
    return chosen, branches


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def quick_transitions(visit: Visit) -> list[dict[str, str]]:
    """The next statuses a clerk can reach with one click (those that need a reason are on the visit page)."""
    return [
        {"status": status, "label": VisitStatus(status).label}
        for status in workflow.next_statuses(visit.vertical, visit.status)
        if status not in workflow.NEEDS_REASON
    ]


def _transitions(visit: Visit) -> list[dict[str, Any]]:
    return [
        {"status": status, "label": VisitStatus(status).label, "needs_reason": status in workflow.NEEDS_REASON}
        for status in workflow.next_statuses(visit.vertical, visit.status)
    ]


# --- the clerk's day ------------------------------------------------------------------------------


# The day page lists what the desk still has to do (and what was done in the last hour), at most this many
# rows; "Show all" lists the whole day. A busy branch's day holds hundreds of visits.
WORKING_LIST_ROWS = 60
RECENTLY_DONE = timedelta(hours=1)
# A row's step buttons and action links, joined here rather than by two template loops per row: the loops
# were a fifth of the day page's CPU (60 rows, each a `for` with its context and four escaped values per item).
STEP_BUTTON = (
    '<button type="submit" name="to_status" value="{}" class="button button--secondary" aria-label="{}">{}</button> '
)
ACTION_LINK = '<a class="button button--secondary" data-slot="{}" href="{}">{}</a>'


def in_status_for(since: Any, now: Any) -> str:
    """How long a visit has been in its status, short enough for a table cell: "7 min", "2 h 5 min", "3 days"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    if minutes < 24 * 60:
        return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60, "minutes": minutes % 60}
    days = minutes // (24 * 60)
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


@require(VIEW)
def day(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request)
    try:
        when = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        when = services.branch_today(branch)
    query = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    everything = selectors.day_visits(user=request.user, branch=branch, day=when, q=query)
    by_status = selectors.status_counts(everything)
    is_today = when == services.branch_today(branch)
    show_all = bool(query) or not is_today or request.GET.get("all") == "1"
    now = timezone.now()
    listed = everything if show_all else selectors.needing_the_desk(everything, done_since=now - RECENTLY_DONE)
    visits = list(listed if show_all else listed[:WORKING_LIST_ROWS])
    hidden = sum(by_status.values()) - len(visits)
    can_edit = request.user.has_perm(EDIT)
    balances = money_selectors.balances(visits)
    urls = VisitUrls()
    actions = visit_actions(request.user, urls)
    # Labels and next steps depend only on the vertical and the status: worked out (and translated) once
    # per page, not once per row.
    steps: dict[tuple[str, str], list[dict[str, str]]] = {}
    labels: dict[str, str] = {}
    button_label = _("%(status)s: %(name)s")
    rows = []
    for visit in visits:
        key = (visit.vertical, visit.status)
        if key not in steps:
            steps[key] = [{"status": t["status"], "label": str(t["label"])} for t in quick_transitions(visit)]
            labels.setdefault(visit.status, str(visit.get_status_display()))
        name = visit.client.display_name
        # Most visits have no billing row: asking the template for visit.billing would raise and catch
        # RelatedObjectDoesNotExist (and list the visit's attributes) on every such row.
        billing = getattr(visit, "billing", None)
        self_pay = billing is not None and billing.is_self_pay
        rows.append(
            {
                "visit": visit,
                "client_name": name,
                "self_pay": self_pay,
                "self_pay_reason": billing.get_self_pay_reason_display() if self_pay else "",
                "status_label": labels[visit.status],
                "url": urls("desk:visit_detail", visit.pk),
                "transition_url": urls("desk:visit_transition", visit.pk),
                "in_status_for": in_status_for(visit.status_changed_at, now),
                "balance": balances.get(visit.pk),
                "step_buttons": format_html_join(
                    "",
                    STEP_BUTTON,
                    (
                        (step["status"], button_label % {"status": step["label"], "name": name}, step["label"])
                        for step in steps[key]
                    ),
                )
                if can_edit
                else "",
                "action_links": format_html_join(
                    "", ACTION_LINK, ((action["slot"], action["url"], action["label"]) for action in actions(visit))
                ),
            }
        )
    context = {
        "branch": branch,
        "branches": branches,
        "day": when,
        "is_today": is_today,
        "query": query,
        "rows": rows,
        "counts": [(VisitStatus(value).label, by_status[value]) for value in VisitStatus.values if value in by_status],
        "show_all": show_all,
        "hidden": hidden,
        "can_edit": can_edit,
    }
    return render_page(request, "desk/day.html", context)


# --- the visit list -------------------------------------------------------------------------------

COLUMNS = [
    Column("when", gettext_lazy("Scheduled for"), "scheduled_at"),
    Column("number", gettext_lazy("Number"), "number"),
    Column("client", gettext_lazy("Client"), "client__family_name"),
    Column("type", gettext_lazy("Visit type"), "visit_type__name"),
    Column("status", gettext_lazy("Status"), "status"),
    Column("branch", gettext_lazy("Branch"), "branch__name"),
]


@require(VIEW)
def visit_list(request: HttpRequest) -> HttpResponse:
    branches = selectors.desk_branches(user=request.user)
    form = VisitFilterForm(request.GET or None, branches=Branch.objects.filter(pk__in=[b.pk for b in branches]))
    data = form.cleaned_data if form.is_valid() else {}
    filters = VisitFilters(
        branch_id=data["branch"].pk if data.get("branch") else None,
        status=data.get("status", ""),
        vertical=data.get("vertical", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        q=data.get("q", ""),
    )
    visits = selectors.visit_list(user=request.user, filters=filters)
    table = Table(request, visits, COLUMNS, default_sort="-when", table_id="visit-table")
    return render_page(request, "desk/visit_list.html", {"table": table, "filters": form})


# --- opening and editing a visit --------------------------------------------------------------------


def _visit_form(request: HttpRequest, branch: Branch, *, data: Any = None, visit: Visit | None = None) -> VisitForm:
    if visit is not None:
        initial = VisitForm.initial_for(visit)
    else:  # the visit type was changed over htmx: keep what was typed so far
        initial = {key: value for key, value in request.GET.items() if key not in ("client", "branch")}
    visit_types = selectors.visit_type_list(user=request.user)
    if visit is not None:
        vertical = visit.vertical
        visit_types = selectors.visit_type_list(user=request.user).none()
    else:
        vertical = _vertical(request, data, visit_types)
    return VisitForm(
        data,
        initial=initial,
        vertical=vertical,
        visit_types=visit_types,
        staff=staff_list(user=request.user, branch_id=branch.pk),
        rooms=selectors.room_list(user=request.user, branch=branch),
        fixed_type=visit is not None,
    )


def _vertical(request: HttpRequest, data: Any, visit_types: Any) -> str:
    """The vertical of the chosen visit type; before one is chosen, the organisation's kind."""
    chosen = (data or request.GET).get("visit_type", "")
    if str(chosen).isdigit():
        found = visit_types.filter(pk=int(chosen)).values_list("vertical", flat=True).first()
        if found:
            return str(found)
    kind = organisation_for(request.user).kind
    return str(kind) if kind in BusinessKind.values else BusinessKind.CLINIC


def _picked_client(request: HttpRequest, form: VisitForm) -> Any:
    raw = request.POST.get("client", "")
    if not raw.isdigit():
        form.add_error(None, _("Choose the client (and confirm the choice)."))
        return None
    return client_selectors.client_get(user=request.user, pk=int(raw))


@require(EDIT)
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request, request.POST.get("branch") if request.method == "POST" else None)
    form = _visit_form(request, branch, data=request.POST if request.method == "POST" else None)
    chosen_client = None
    if request.method == "POST":
        valid = form.is_valid()
        chosen_client = _picked_client(request, form)
        if valid and chosen_client is not None:
            try:
                visit = services.visit_create(
                    branch=branch,
                    actor=request.user,
                    client=chosen_client,
                    visit_type=form.cleaned_data["visit_type"],
                    data=form.visit_data(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Visit %(number)s opened.") % {"number": visit.number})
                return redirect("desk:visit_detail", pk=visit.pk)
    elif request.GET.get("client", "").isdigit():
        chosen_client = client_selectors.client_get(user=request.user, pk=int(request.GET["client"]))
    context = {"form": form, "branch": branch, "branches": branches, "chosen_client": chosen_client}
    return render_page(request, "desk/visit_form.html", context, partial="details", status=400 if form.errors else 200)


@require(EDIT)
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = _visit_form(request, visit.branch, data=request.POST if request.method == "POST" else None, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_update(
                visit=visit, actor=request.user, data=form.visit_data(), expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Visit %(number)s saved.") % {"number": visit.number})
            return redirect("desk:visit_detail", pk=visit.pk)
    return render(request, "desk/visit_form.html", {"form": form, "visit": visit}, status=400 if form.errors else 200)


# --- the visit's page -----------------------------------------------------------------------------


def _detail(request: HttpRequest, pk: int, *, status: int = 200, **extra: Any) -> HttpResponse:
    visit = selectors.visit_detail(user=request.user, pk=pk)
    can_edit = request.user.has_perm(EDIT) and not workflow.is_final(visit.vertical, visit.status)
    lines = list(visit.lines.all())
    stay = visit.vertical == BusinessKind.HOTEL  # only a stay has guests and room changes (selectors.visit_detail)
    context: dict[str, Any] = {
        "visit": visit,
        "timeline": list(visit.status_changes.all()),
        "guests": list(visit.guests.all()) if stay else [],
        "lines": lines,
        "totals": {
            "net": sum((line.total_net for line in lines), 0),
            "vat": sum((line.total_vat for line in lines), 0),
            "gross": sum((line.total_gross for line in lines), 0),
        },
        "room_changes": list(visit.room_changes.all()) if stay else [],
        "transitions": _transitions(visit) if request.user.has_perm(EDIT) else [],
        "actions": actions_for(request.user, visit),
        "can_edit": can_edit,
        "can_edit_lines": can_edit and visit.has_lines and visit.status == VisitStatus.OPEN,
        "line_form": LineForm(),
        "room_form": RoomChangeForm(
            rooms=selectors.room_list(user=request.user, branch=visit.branch).exclude(pk=visit.room_id or 0)
        ),
        "transition_form": TransitionForm(initial={"version": visit.version}),
        "nights": services.stay_nights(visit),
        **money_context(request.user, visit),
        **extra,
    }
    return render(request, "desk/visit_detail.html", context, status=status)


@require(VIEW)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require(EDIT)
@require_POST
def visit_transition(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    fallback = reverse("desk:visit_detail", kwargs={"pk": visit.pk})
    back = _next_url(request, fallback)
    if form.is_valid():
        try:
            visit = services.visit_transition(
                visit=visit,
                to_status=form.cleaned_data["to_status"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(number)s: %(status)s.") % {"number": visit.number, "status": visit.get_status_display()},
            )
            return redirect(back)
    if back != fallback:
        for error in form.errors.get("__all__", []) + form.errors.get("reason", []) + form.errors.get("to_status", []):
            messages.error(request, f"{visit.number}: {error}")
        return redirect(back)
    return _detail(request, pk, status=400, transition_form=form)


@require(EDIT)
@require_POST
def visit_room_change(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = RoomChangeForm(request.POST, rooms=selectors.room_list(user=request.user, branch=visit.branch))
    if form.is_valid():
        try:
            services.visit_room_change(
                visit=visit, room=form.cleaned_data["room"], actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Room changed."))
            return redirect("desk:visit_detail", pk=visit.pk)
    return _detail(request, pk, status=400, room_form=form)


@require(EDIT)
@require_POST
def visit_guest_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    raw = request.POST.get("guest", "")
    if not raw.isdigit():
        return _detail(request, pk, status=400, guest_error=_("Choose the guest (and confirm the choice)."))
    guest = client_selectors.client_get(user=request.user, pk=int(raw))
    try:
        services.visit_guest_add(visit=visit, client=guest, actor=request.user)
    except ValidationError as error:
        return _detail(request, pk, status=400, guest_error=" ".join(error.messages), chosen_guest=guest)
    messages.success(request, _("%(name)s added to the stay.") % {"name": guest.display_name})
    return redirect("desk:visit_detail", pk=visit.pk)


@require(EDIT)
@require_POST
def visit_guest_remove(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    guest = visit.guests.filter(pk=guest_pk).select_related("client").first()
    if guest is None:
        raise Http404
    try:
        services.visit_guest_remove(guest=guest, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s removed from the stay.") % {"name": guest.client.display_name})
    return redirect("desk:visit_detail", pk=visit.pk)


@require(EDIT)
@require_POST
def visit_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = LineForm(request.POST)
    if form.is_valid():
        try:
            services.visit_line_add(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Line added."))
            return redirect("desk:visit_detail", pk=visit.pk)
    return _detail(request, pk, status=400, line_form=form)


@require(EDIT)
@require_POST
def visit_line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    line = visit.lines.filter(pk=line_pk).first()
    if line is None:
        raise Http404
    try:
        services.visit_line_remove(line=line, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Line removed."))
    return redirect("desk:visit_detail", pk=visit.pk)


urlpatterns = [
    path("", day, name="day"),
    path("visits/", visit_list, name="visit_list"),
    path("visits/new/", visit_create, name="visit_create"),
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("visits/<int:pk>/transition/", visit_transition, name="visit_transition"),
    path("visits/<int:pk>/room/", visit_room_change, name="visit_room_change"),
    path("visits/<int:pk>/guests/", visit_guest_add, name="visit_guest_add"),
    path("visits/<int:pk>/guests/<int:guest_pk>/remove/", visit_guest_remove, name="visit_guest_remove"),
    path("visits/<int:pk>/lines/", visit_line_add, name="visit_line_add"),
    path("visits/<int:pk>/lines/<int:line_pk>/remove/", visit_line_remove, name="visit_line_remove"),
]
