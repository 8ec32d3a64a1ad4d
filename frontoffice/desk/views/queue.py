"""The walk-in queue at the desk: issue tickets, work a counter, and the manager's set-up.

The clerk's page (``queue``) holds everything a counter needs: issue (one click per
service), call next, and the ticket at my counter with recall / start / finish / no-show /
hold / transfer. The list refreshes itself (htmx, the ``line`` partial). Set-up pages list
and edit services, counters and board/kiosk screens (revoke, new URL).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.clients.permissions import ClientsPermission
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.htmx import render_page
from frontoffice.core.models import Branch
from frontoffice.core.pdf import pdf_response

from .. import selectors, selectors_queue, services_queue
from ..forms_queue import CounterForm, IssueForm, QueueReportForm, QueueServiceForm, ScreenForm
from ..models.queue import Counter, Ticket
from ..permissions import QueuePermission
from ..printing import get_printer
from ..queue_position import make_token
from ..selectors_queue_report import queue_report
from ..services import branch_today
from .visits import _branch, _next_url

VIEW = QueuePermission.VIEW_QUEUE.perm
SERVE = QueuePermission.SERVE_QUEUE.perm
MANAGE = QueuePermission.MANAGE_QUEUE.perm
COUNTER_SESSION_KEY = "desk_queue_counter"

TICKET_ACTIONS = {
    "recall": services_queue.ticket_recall,
    "start": services_queue.ticket_start,
    "finish": services_queue.ticket_finish,
    "hold": services_queue.ticket_hold,
    "resume": services_queue.ticket_resume,
    "no_show": services_queue.ticket_no_show,
    "cancel": services_queue.ticket_cancel,
}


def _queue_url(branch: Branch | Any, counter: Counter | None = None) -> str:
    url = reverse("desk:queue") + f"?branch={branch.pk}"
    return url + f"&counter={counter.pk}" if counter is not None else url


def _my_counter(request: HttpRequest, counters: list[Counter]) -> Counter | None:
    """The counter asked for, else the one this browser worked last, else none (the clerk picks one)."""
    wanted = request.GET.get("counter") or request.session.get(COUNTER_SESSION_KEY)
    counter = next((counter for counter in counters if str(counter.pk) == str(wanted)), None)
    if counter is not None:
        request.session[COUNTER_SESSION_KEY] = counter.pk
    return counter


def _queue_context(request: HttpRequest, branch: Branch, branches: list[Branch]) -> dict[str, Any]:
    counters = list(selectors_queue.counter_list(user=request.user, branch=branch, active_only=True))
    counter = _my_counter(request, counters)
    line = selectors_queue.branch_queue(user=request.user, branch=branch)
    return {
        "branch": branch,
        "branches": branches,
        "counters": counters,
        "counter": counter,
        "current": selectors_queue.counter_current(counter=counter) if counter else None,
        "line": line,
        "services_with_counts": [(service, line.waiting_by_service.get(service.pk, 0)) for service in line.services],
        "can_serve": request.user.has_perm(SERVE),
        "can_manage": request.user.has_perm(MANAGE),
        "can_pick_client": request.user.has_perm(ClientsPermission.VIEW_CLIENTS.perm),
    }


@require(VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request)
    context = _queue_context(request, branch, branches)
    context["issue_form"] = IssueForm()
    issued = request.GET.get("issued", "")
    # Just issued here: offer its print-out (only a ticket the user may see).
    context["issued"] = (
        selectors_queue.ticket_list(user=request.user).filter(pk=issued).first() if issued.isdigit() else None
    )
    return render_page(request, "desk/queue/queue.html", context, partial="line")


@require(SERVE)
@require_POST
def queue_issue(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("service", "")
    if not raw.isdigit():
        raise Http404
    service = selectors_queue.service_get(user=request.user, pk=int(raw))
    form = IssueForm(request.POST)
    client = _picked_client(request, form)
    if form.is_valid():
        try:
            ticket = services_queue.ticket_issue(
                service=service, actor=request.user, category=form.cleaned_data["category"], client=client
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _issued_message(ticket))
            return redirect(_queue_url(service.branch) + f"&issued={ticket.pk}")
    branch, branches = _branch(request, service.branch_id)
    context = _queue_context(request, branch, branches)
    context["issue_form"] = form
    return render(request, "desk/queue/queue.html", context, status=400)


def _picked_client(request: HttpRequest, form: IssueForm) -> Any:
    """The optional client chosen with the read-back picker (only one the user may see)."""
    raw = request.POST.get("client", "")
    if not raw or not request.user.has_perm(ClientsPermission.VIEW_CLIENTS.perm):
        return None
    try:
        return client_selectors.client_get(user=request.user, pk=int(raw), follow_merges=False)
    except (Http404, ValueError):
        form.add_error(None, _("Choose the client again."))
        return None


def _issued_message(ticket: Ticket) -> str:
    return _("Ticket %(code)s issued for %(service)s.") % {"code": ticket.code, "service": ticket.service.name}


def _counter_from_post(request: HttpRequest) -> Counter:
    raw = request.POST.get("counter", "")
    if not raw.isdigit():
        raise Http404
    return selectors_queue.counter_get(user=request.user, pk=int(raw))


@require(SERVE)
@require_POST
def queue_call_next(request: HttpRequest) -> HttpResponse:
    counter = _counter_from_post(request)
    try:
        ticket = services_queue.ticket_call_next(counter=counter, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if ticket is None:
            messages.info(request, _("Nobody is waiting for this counter's services."))
        else:
            messages.success(
                request, _("Ticket %(code)s called to %(counter)s.") % {"code": ticket.code, "counter": counter.name}
            )
    return redirect(_queue_url(counter.branch, counter))


@require(SERVE)
@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    ticket = selectors_queue.ticket_get(user=request.user, pk=pk)
    counter = None
    try:
        if action == "call":
            counter = _counter_from_post(request)
            services_queue.ticket_call(ticket=ticket, counter=counter, actor=request.user)
        elif action == "transfer":
            raw = request.POST.get("service", "")
            if not raw.isdigit():
                raise ValidationError(_("Choose the service to transfer the ticket to."))
            service = selectors_queue.service_get(user=request.user, pk=int(raw))
            services_queue.ticket_transfer(ticket=ticket, service=service, actor=request.user)
        elif action in TICKET_ACTIONS:
            TICKET_ACTIONS[action](ticket=ticket, actor=request.user)
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Ticket %(code)s updated.") % {"code": ticket.code})
    fallback = _queue_url(ticket.branch, counter or ticket.counter)
    return redirect(_next_url(request, fallback))


@require(VIEW)
def ticket_print(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors_queue.ticket_get(user=request.user, pk=pk)
    printed = get_printer().print_ticket(ticket, position=selectors_queue.ticket_position(ticket=ticket))
    return pdf_response(printed.pdf, filename=f"{ticket.code}.pdf", inline=True)


@require(SERVE)
@require_POST
def ticket_position_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors_queue.ticket_get(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("desk:queue_position", kwargs={"token": make_token(ticket_id=ticket.pk)}))
    try:
        recipient = services_queue.ticket_position_link_send(
            ticket=ticket, actor=request.user, url=url, channel=request.POST.get("channel", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Link sent to %(recipient)s.") % {"recipient": recipient})
    return redirect(_next_url(request, _queue_url(ticket.branch)))


# --- Set-up ------------------------------------------------------------------------------


@require(MANAGE)
def queue_setup(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request)
    screens = list(selectors_queue.screen_list(user=request.user, branch=branch))
    context = {
        "branch": branch,
        "branches": branches,
        "services": list(selectors_queue.service_list(user=request.user, branch=branch)),
        "counters": list(selectors_queue.counter_list(user=request.user, branch=branch)),
        "screens": [
            (
                screen,
                request.build_absolute_uri(
                    reverse("desk:board" if screen.kind == "board" else "desk:kiosk", kwargs={"token": screen.token})
                ),
            )
            for screen in screens
        ],
    }
    return render(request, "desk/queue/setup.html", context)


@require(MANAGE)
def queue_report_page(request: HttpRequest) -> HttpResponse:
    """Waits and counter times of a branch over a period (today by default), per service and per hour."""
    branch, branches = _branch(request)
    today = branch_today(branch)
    query = request.GET if "first_day" in request.GET else {"first_day": today, "last_day": today}
    form = QueueReportForm(query)
    report = None
    if form.is_valid():
        report = queue_report(
            user=request.user,
            branch=branch,
            first_day=form.cleaned_data["first_day"],
            last_day=form.cleaned_data["last_day"],
        )
    context = {"branch": branch, "branches": branches, "form": form, "report": report}
    return render(request, "desk/queue/report.html", context, status=200 if report is not None else 400)


def _setup_url(branch: Branch | Any) -> str:
    return reverse("desk:queue_setup") + f"?branch={branch.pk}"


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def queue_service_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    service = selectors_queue.service_get(user=request.user, pk=pk) if pk is not None else None
    branch, _branches = (
        (service.branch, []) if service else _branch(request, request.POST.get("branch") or request.GET.get("branch"))
    )
    form = QueueServiceForm(
        request.POST or None, instance=service, visit_types=selectors.visit_type_list(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_queue.queue_service_save(branch=branch, actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(_setup_url(branch))
    context = {"form": form, "branch": branch, "service": service}
    return render(request, "desk/queue/service_form.html", context, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def counter_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    counter = selectors_queue.counter_get(user=request.user, pk=pk) if pk is not None else None
    branch, _branches = (
        (counter.branch, []) if counter else _branch(request, request.POST.get("branch") or request.GET.get("branch"))
    )
    services = selectors_queue.service_list(user=request.user, branch=branch)
    form = CounterForm(request.POST or None, instance=counter, services=services)
    if request.method == "POST" and form.is_valid():
        try:
            services_queue.counter_save(branch=branch, actor=request.user, counter=counter, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(_setup_url(branch))
    context = {"form": form, "branch": branch, "counter": counter}
    return render(request, "desk/queue/counter_form.html", context, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def screen_create(request: HttpRequest) -> HttpResponse:
    branch, _branches = _branch(request, request.POST.get("branch") or request.GET.get("branch"))
    services = selectors_queue.service_list(user=request.user, branch=branch)
    form = ScreenForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        try:
            services_queue.board_screen_create(branch=branch, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(_setup_url(branch))
    return render(
        request, "desk/queue/screen_form.html", {"form": form, "branch": branch}, status=400 if form.errors else 200
    )


@require(MANAGE)
@require_POST
def screen_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    screen = selectors_queue.screen_get(user=request.user, pk=pk)
    services_queue.board_screen_revoke(screen=screen, actor=request.user)
    messages.success(request, _("The screen's address no longer works."))
    return redirect(_setup_url(screen.branch))


@require(MANAGE)
@require_POST
def screen_renew(request: HttpRequest, pk: int) -> HttpResponse:
    screen = selectors_queue.screen_get(user=request.user, pk=pk)
    services_queue.board_screen_renew(screen=screen, actor=request.user)
    messages.success(request, _("The screen has a new address; open it on the screen."))
    return redirect(_setup_url(screen.branch))


urlpatterns = [
    path("queue/", queue, name="queue"),
    path("queue/issue/", queue_issue, name="queue_issue"),
    path("queue/call-next/", queue_call_next, name="queue_call_next"),
    path("queue/tickets/<int:pk>/print/", ticket_print, name="ticket_print"),
    path("queue/tickets/<int:pk>/position-link/", ticket_position_link, name="ticket_position_link"),
    path("queue/tickets/<int:pk>/<slug:action>/", ticket_action, name="ticket_action"),
    path("queue/setup/", queue_setup, name="queue_setup"),
    path("queue/report/", queue_report_page, name="queue_report"),
    path("queue/services/new/", queue_service_edit, name="queue_service_create"),
    path("queue/services/<int:pk>/", queue_service_edit, name="queue_service_edit"),
    path("queue/counters/new/", counter_edit, name="counter_create"),
    path("queue/counters/<int:pk>/", counter_edit, name="counter_edit"),
    path("queue/screens/new/", screen_create, name="screen_create"),
    path("queue/screens/<int:pk>/revoke/", screen_revoke, name="screen_revoke"),
    path("queue/screens/<int:pk>/renew/", screen_renew, name="screen_renew"),
]
