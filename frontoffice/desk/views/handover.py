"""The shift handover log: the branch's log, writing a handover, acknowledging it, marking open items done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.models import Branch

from .. import selectors, selectors_handover, services, services_handover
from ..forms_handover import HandoverForm
from ..handover_summaries import HandoverContext, collect_summaries
from ..permissions import DeskPermission
from .visits import _branch, _next_url

VIEW = DeskPermission.VIEW_VISITS.perm
EDIT = DeskPermission.EDIT_VISITS.perm
LOG_LENGTH = 50


@require(VIEW)
def handover_list(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request)
    context = {
        "branch": branch,
        "branches": branches,
        "waiting": list(selectors_handover.handover_list(user=request.user, branch=branch, unacknowledged=True)),
        "open_items": selectors_handover.open_items(user=request.user, branch=branch),
        "log": list(selectors_handover.handover_list(user=request.user, branch=branch)[:LOG_LENGTH]),
        "can_edit": request.user.has_perm(EDIT),
    }
    return render(request, "desk/handover/handover_list.html", context)


def _today_visits(request: HttpRequest, branch: Branch) -> list[Any]:
    return list(selectors.day_visits(user=request.user, branch=branch, day=services.branch_today(branch)))


def _items(request: HttpRequest, form: HandoverForm, visits: list[Any]) -> tuple[list[Any], dict[int, Any]]:
    """The items typed on the form, with clients and visits loaded through the selectors (scoped)."""
    by_pk = {visit.pk: visit for visit in visits}
    items, chosen = [], {}
    for row in form.rows():
        n = row["n"]
        text = form.cleaned_data.get(f"item{n}_text", "")
        visit_pk = form.cleaned_data.get(f"item{n}_visit")
        raw_client = request.POST.get(row["client_field"], "")
        client = None
        if raw_client:
            if not raw_client.isdigit():
                form.add_error(None, _("Item %(number)s: choose the client again.") % {"number": n})
                continue
            client = client_selectors.client_get(user=request.user, pk=int(raw_client), follow_merges=False)
            chosen[n] = client
        if not text and client is None and visit_pk is None:
            continue  # an empty row
        items.append(services_handover.ItemData(text=text, client=client, visit=by_pk.get(visit_pk or 0)))
    return items, chosen


@require(EDIT)
@require_http_methods(["GET", "POST"])
def handover_create(request: HttpRequest) -> HttpResponse:
    branch, branches = _branch(request, request.POST.get("branch") if request.method == "POST" else None)
    visits = _today_visits(request, branch)
    form = HandoverForm(request.POST if request.method == "POST" else None, visits=visits)
    chosen: dict[int, Any] = {}
    if request.method == "POST" and form.is_valid():
        items, chosen = _items(request, form, visits)
        if not form.errors:
            try:
                handover = services_handover.handover_create(
                    branch=branch,
                    actor=request.user,
                    notes=form.cleaned_data["notes"],
                    items=items,
                    request_key=form.cleaned_data["request_key"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Handover written for the next shift."))
                return redirect("desk:handover_detail", pk=handover.pk)
    rows = [{**row, "chosen": chosen.get(row["n"])} for row in form.rows()]
    context = {
        "form": form,
        "rows": rows,
        "branch": branch,
        "branches": branches,
        "open_items": selectors_handover.open_items(user=request.user, branch=branch),
        "preview": collect_summaries(
            HandoverContext(branch=branch, author=request.user, since=_since(request, branch), until=timezone.now())
        ),
    }
    return render(request, "desk/handover/handover_form.html", context, status=400 if form.errors else 200)


def _since(request: HttpRequest, branch: Branch) -> Any:
    last = selectors_handover.handover_list(user=request.user, branch=branch).first()
    return last.written_at if last else None


@require(VIEW)
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    handover = selectors_handover.handover_get(user=request.user, pk=pk)
    can_edit = request.user.has_perm(EDIT)
    context = {
        "handover": handover,
        "items": list(handover.items.all()),
        "carried": list(handover.carried_items.all()),
        "can_edit": can_edit,
        "can_acknowledge": can_edit and not handover.is_acknowledged and handover.written_by_id != request.user.pk,
    }
    return render(request, "desk/handover/handover_detail.html", context)


@require(EDIT)
@require_POST
def handover_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    handover = selectors_handover.handover_get(user=request.user, pk=pk)
    try:
        services_handover.handover_acknowledge(handover=handover, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Handover acknowledged."))
    return redirect(_next_url(request, reverse("desk:handover_detail", kwargs={"pk": handover.pk})))


@require(EDIT)
@require_POST
def handover_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors_handover.item_get(user=request.user, pk=pk)
    done = request.POST.get("done", "1") != "0"
    services_handover.handover_item_set_done(item=item, actor=request.user, done=done)
    messages.success(request, _("Item marked done.") if done else _("Item opened again."))
    fallback = reverse("desk:handover_list") + f"?branch={item.branch_id}"
    return redirect(_next_url(request, fallback))


urlpatterns = [
    path("handovers/", handover_list, name="handover_list"),
    path("handovers/new/", handover_create, name="handover_create"),
    path("handovers/<int:pk>/", handover_detail, name="handover_detail"),
    path("handovers/<int:pk>/acknowledge/", handover_acknowledge, name="handover_acknowledge"),
    path("handovers/items/<int:pk>/done/", handover_item_done, name="handover_item_done"),
]
