"""The phone line's set-up pages (managers): a branch's phone settings and its blocked numbers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.core import selectors as core_selectors
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error

from ..permissions import InteractionPermission
from . import selectors_setup, services_setup
from .forms_setup import BlockedNumberForm, PhoneSettingsForm

MANAGE = InteractionPermission.MANAGE_CHANNELS.perm
LIST_LIMIT = 200


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def phone_settings_branch(request: HttpRequest, pk: int) -> HttpResponse:
    """One branch's phone settings: callback due time, repeat calls, outgoing caller ID."""
    branch = selectors_setup.phone_settings_branch(user=request.user, pk=pk)
    current = selectors_setup.branch_phone_settings(branch_id=branch.pk)
    if request.method == "POST":
        form = PhoneSettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_setup.phone_settings_update(
                    branch=branch,
                    actor=request.user,
                    expected_version=data["version"],
                    callback_due_minutes=data["callback_due_minutes"],
                    repeat_calls_join_callback=data["repeat_calls_join_callback"],
                    outgoing_caller_id=data["outgoing_caller_id"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Phone settings of %(branch)s saved.") % {"branch": branch.name})
                return redirect("interactions:phone_settings")
    else:
        form = PhoneSettingsForm(
            initial={
                "callback_due_minutes": current.callback_due_minutes,
                "repeat_calls_join_callback": current.repeat_calls_join_callback,
                "outgoing_caller_id": current.outgoing_caller_id,
                "version": current.version if current.pk else 0,  # 0: nobody had saved them; a save since is stale
            }
        )
    context = {"branch": branch, "form": form}
    return render(request, "interactions/phone/settings_branch.html", context, status=400 if form.errors else 200)


def _blocked_page(request: HttpRequest, *, form: Any = None, status: int = 200) -> HttpResponse:
    history = request.GET.get("show") == "all"
    branches = core_selectors.branch_list(user=request.user).order_by("name")
    context = {
        "numbers": list(selectors_setup.blocked_number_list(user=request.user, include_removed=history)[:LIST_LIMIT]),
        "history": history,
        "form": form or BlockedNumberForm(branches=branches),
    }
    return render(request, "interactions/phone/blocked_numbers.html", context, status=status)


@require(MANAGE)
def blocked_number_list(request: HttpRequest) -> HttpResponse:
    """The blocked numbers of the manager's branches (``?show=all``: with the removed ones), and the add form."""
    return _blocked_page(request)


@require(MANAGE)
@require_POST
def blocked_number_add(request: HttpRequest) -> HttpResponse:
    form = BlockedNumberForm(request.POST, branches=core_selectors.branch_list(user=request.user))
    if form.is_valid():
        try:
            blocked = services_setup.blocked_number_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("%(number)s is blocked: its calls are rejected from now on.") % {"number": blocked.number}
            )
            return redirect("interactions:blocked_number_list")
    return _blocked_page(request, form=form, status=400)


@require(MANAGE)
@require_POST
def blocked_number_remove(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = selectors_setup.blocked_number_get(user=request.user, pk=pk)
    services_setup.blocked_number_remove(blocked=blocked, actor=request.user)
    messages.success(request, _("%(number)s is no longer blocked.") % {"number": blocked.number})
    return redirect("interactions:blocked_number_list")
