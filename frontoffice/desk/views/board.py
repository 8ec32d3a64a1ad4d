"""Pages opened without signing in: the waiting-room board, the lobby kiosk, and the client's place in line.

A board or kiosk is opened by its screen's secret URL (``BoardScreen.token``); a revoked or
unknown one gets a friendly page with no data. The place-in-line page is opened by a signed
link (``queue_position``); a tampered or expired one gets the same kind of page. Each page
is shown in the organisation's language (the client's, for the place in line).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frontoffice.core.htmx import render_page

from .. import selectors_queue, services_queue
from ..models.queue import ScreenKind, Ticket, TicketCategory, TicketSource
from ..queue_position import LinkInvalid, make_token, read_token
from ..services import branch_today


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "desk/queue/public_problem.html", {"title": title, "text": text}, status=status)


def _screen(request: HttpRequest, token: str, kind: str) -> Any:
    try:
        return selectors_queue.screen_by_token(token, kind=kind)
    except selectors_queue.ScreenRevoked:
        return None


def _revoked(request: HttpRequest) -> HttpResponse:
    return _problem(
        request,
        _("This screen is switched off"),
        _("Its address was changed by the office. Ask the manager for the new one."),
        status=410,
    )


def board(request: HttpRequest, token: str) -> HttpResponse:
    try:
        screen = _screen(request, token, ScreenKind.BOARD)
    except Http404:
        return _problem(request, _("Unknown screen"), _("Check the address, or ask the manager for it."), 404)
    if screen is None:
        return _revoked(request)
    with translation.override(screen.organisation.default_language):
        context = {
            "screen": screen,
            "state": selectors_queue.board_state(screen=screen),
            "stream_url": reverse("desk_events:board_stream", kwargs={"token": screen.token}),
        }
        response = render(request, "desk/queue/board.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """Large buttons, one per service; a ticket is issued with one touch and its number shown, then back."""
    try:
        screen = _screen(request, token, ScreenKind.KIOSK)
    except Http404:
        return _problem(request, _("Unknown screen"), _("Check the address, or ask the manager for it."), 404)
    if screen is None:
        return _revoked(request)
    with translation.override(screen.organisation.default_language):
        services = selectors_queue.screen_services(screen)
        issued: Ticket | None = None
        error = ""
        if request.method == "POST":
            service = next((item for item in services if str(item.pk) == request.POST.get("service")), None)
            category = request.POST.get("category") or TicketCategory.NORMAL
            if service is None:
                error = _("Choose a service.")
            else:
                try:
                    ticket = services_queue.ticket_issue(
                        service=service, actor=None, category=category, source=TicketSource.KIOSK
                    )
                except ValidationError as problem:
                    error = " ".join(problem.messages)
                else:
                    # Post/redirect/get: a reload shows the number again instead of issuing another.
                    return redirect(
                        reverse("desk:kiosk", kwargs={"token": token}) + "?t=" + make_token(ticket_id=ticket.pk)
                    )
        else:
            issued = _kiosk_ticket(screen, request.GET.get("t", ""))
        context = {
            "screen": screen,
            "services": services,
            "issued": issued,
            "error": error,
            "categories": [choice for choice in TicketCategory.choices if choice[0] != TicketCategory.NORMAL],
        }
        response = render(request, "desk/queue/kiosk.html", context, status=400 if error else 200)
    return response


def _kiosk_ticket(screen: Any, token: str) -> Ticket | None:
    """The ticket just issued at this kiosk (named by a signed id), only if it is today's and of its branch."""
    if not token:
        return None
    try:
        ticket_id = read_token(token)
    except LinkInvalid:
        return None
    return (
        Ticket.objects.select_related("service")
        .filter(pk=ticket_id, branch_id=screen.branch_id, day=branch_today(screen.branch))
        .first()
    )


def queue_position(request: HttpRequest, token: str) -> HttpResponse:
    """ "You are 3rd, about 12 minutes": refreshes itself every 20 seconds."""
    try:
        ticket_id = read_token(token)
        ticket = Ticket.objects.select_related("service", "organisation", "client", "counter").get(pk=ticket_id)
    except (LinkInvalid, Ticket.DoesNotExist):
        return _problem(
            request,
            _("This link does not work"),
            _("It may have expired or been mistyped. Ask at the desk for your place in line."),
            404,
        )
    language = (ticket.client.preferred_language if ticket.client else "") or ticket.organisation.default_language
    with translation.override(language):
        context = {"ticket": ticket, "position": selectors_queue.ticket_position(ticket=ticket)}
        return render_page(request, "desk/queue/position.html", context, partial="status")


urlpatterns = [
    path("board/<str:token>/", board, name="board"),
    path("kiosk/<str:token>/", kiosk, name="kiosk"),
    path("q/<str:token>/", queue_position, name="queue_position"),
]
