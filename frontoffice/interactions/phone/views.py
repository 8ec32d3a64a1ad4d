"""The phone's pages: the CTI webhook, callbacks and the agent's state, calls, logging an outbound call,
the screen-pop card and its stream, and the phone-system settings (tokens, extensions)."""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.clients import selectors as client_selectors
from frontoffice.core import selectors as core_selectors
from frontoffice.core.apikit.problems import problem
from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error
from frontoffice.core.scoping import scope_for, scope_queryset
from frontoffice.core.sse import no_stream, served_over_asgi, sse_response

from ..models import Topic
from ..permissions import InteractionPermission
from . import cti, selectors, selectors_setup, services
from . import queue as cti_queue
from .forms import (
    AgentPhoneForm,
    AgentStateForm,
    CallbackAttemptForm,
    CallbackCloseForm,
    CallOutcomeForm,
    CtiTokenForm,
    OutboundCallForm,
)

logger = logging.getLogger(__name__)

VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
LOG = InteractionPermission.LOG_INTERACTIONS.perm
MANAGE = InteractionPermission.MANAGE_CHANNELS.perm
MAX_BODY = 64 * 1024
LIST_LIMIT = 200


def _topics(user: Any) -> Any:
    return scope_queryset(Topic.objects.filter(is_active=True), user, branch_field=None)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# --- the webhook --------------------------------------------------------------------------------


def _event_data(request: HttpRequest) -> Any:
    if request.content_type == "application/json":
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data
    return request.POST


@csrf_exempt
@require_POST
def cti_webhook(request: HttpRequest, token: str) -> HttpResponse:
    """Zammad-compatible CTI events from a PBX; the token in the address is the key (no session, no CSRF)."""
    found = services.cti_token_authenticate(token)
    if found is None:
        return problem(request, 401, detail=_("Unknown or revoked phone system token."))
    if len(request.body) > MAX_BODY:
        return problem(request, 413, detail=_("The event is too large."))
    try:
        data = _event_data(request)
        if settings.CTI_QUEUE:
            result = cti.enqueue(token=found, data=data)
            if cti_queue.web_process_applies():
                cti_queue.ensure_applier()
                cti_queue.wake()
        else:
            result = cti.receive(token=found, data=data)
    except (ValueError, UnicodeDecodeError):
        return problem(request, 400, detail=_("Send a CTI event with at least event and callId."))
    except ValidationError:
        logger.exception("CTI event could not be stored")
        return problem(request, 422, detail=_("The event could not be applied; the server log has the details."))
    return JsonResponse(result.as_json())


# --- callbacks and the agent's state ------------------------------------------------------------


@require(VIEW)
def callback_list(request: HttpRequest) -> HttpResponse:
    """The callback list (mine / unassigned / all of my branches) with the user's phone state."""
    view = request.GET.get("view", "all")
    if view not in selectors.CALLBACK_VIEWS:
        view = "all"
    callbacks = list(selectors.callback_list(user=request.user, view=view)[:LIST_LIMIT])
    state = selectors.agent_state(user=request.user)
    context = {
        "view": view,
        "views": [("mine", _("Mine")), ("unassigned", _("Unassigned")), ("all", _("All of my branches"))],
        "callbacks": callbacks,
        "can_log": request.user.has_perm(LOG),
        "state": state,
        "state_form": AgentStateForm(initial={"state": state.state if state else "offline"}),
        "history": selectors.agent_state_history(user=request.user),
    }
    template = "interactions/phone/callbacks.html"
    if request.htmx and request.GET.get("fragment") == "rows":  # type: ignore[attr-defined]
        template += "#rows"
    return render(request, template, context)


@require(LOG)
@require_POST
def agent_state_set(request: HttpRequest) -> HttpResponse:
    form = AgentStateForm(request.POST)
    if form.is_valid():
        try:
            services.agent_state_set(user=request.user, state=form.cleaned_data["state"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your phone state is saved."))
    else:
        messages.error(request, _("Choose a state."))
    return _back(request, reverse("interactions:callback_list"))


@require(LOG)
@require_POST
def callback_take(request: HttpRequest, pk: int) -> HttpResponse:
    callback = selectors.callback_get(user=request.user, pk=pk)
    try:
        services.callback_take(callback=callback, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The callback is yours."))
    return _back(request, reverse("interactions:callback_list") + "?view=mine")


@require(LOG)
@require_http_methods(["GET", "POST"])
def callback_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """Log one try at calling back (and close it from the same page)."""
    callback = selectors.callback_get(user=request.user, pk=pk)
    form = CallbackAttemptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.callback_attempt(callback=callback, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Attempt logged."))
            return redirect("interactions:callback_list")
    context = {"callback": callback, "form": form, "close_form": CallbackCloseForm()}
    return render(request, "interactions/phone/callback_attempt.html", context, status=400 if form.errors else 200)


@require(LOG)
@require_POST
def callback_close(request: HttpRequest, pk: int) -> HttpResponse:
    callback = selectors.callback_get(user=request.user, pk=pk)
    form = CallbackCloseForm(request.POST)
    if form.is_valid():
        try:
            services.callback_close(callback=callback, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Callback closed."))
            return redirect("interactions:callback_list")
    context = {"callback": callback, "form": CallbackAttemptForm(), "close_form": form}
    return render(request, "interactions/phone/callback_attempt.html", context, status=400)


# --- calls --------------------------------------------------------------------------------------


@require(VIEW)
def call_list(request: HttpRequest) -> HttpResponse:
    calls = list(selectors.call_list(user=request.user)[:LIST_LIMIT])
    return render(request, "interactions/phone/calls.html", {"calls": calls})


def _call_context(request: HttpRequest, interaction: Any, form: Any = None) -> dict[str, Any]:
    return {
        "contact": interaction,
        "call": selectors.call_of(interaction),
        "recent": selectors.recent_contacts(user=request.user, interaction=interaction),
        "candidates": list(interaction.candidates.all()),
        "can_log": request.user.has_perm(LOG),
        "form": form
        or CallOutcomeForm(
            initial={"topic": interaction.topic_id, "outcome": interaction.outcome, "summary": interaction.summary},
            topics=_topics(request.user),
        ),
    }


@require(VIEW)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call's log page: the caller, the call's times and facts, and its outcome form."""
    interaction = selectors.call_get(user=request.user, pk=pk)
    return render(request, "interactions/phone/call_detail.html", _call_context(request, interaction))


@require(LOG)
@require_POST
def call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = selectors.call_get(user=request.user, pk=pk)
    form = CallOutcomeForm(request.POST, topics=_topics(request.user))
    if form.is_valid():
        try:
            services.call_outcome_record(interaction=interaction, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Call outcome saved."))
            return redirect("interactions:call_detail", pk=interaction.pk)
    context = _call_context(request, interaction, form)
    return render(request, "interactions/phone/call_detail.html", context, status=400)


@require(VIEW)
def call_pop(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen-pop card of a ringing call (fetched by screen-pop.js when the stream says so)."""
    interaction = selectors.call_get(user=request.user, pk=pk)
    context = _call_context(request, interaction)
    if not request.headers.get("X-Requested-With"):  # opened as a page: the call's whole page
        return render(request, "interactions/phone/call_detail.html", context)
    context["kind"] = request.GET.get("kind", "call.ringing")
    return render(request, "interactions/phone/pop.html", context)


@require(LOG)
@require_http_methods(["GET", "POST"])
def call_log_outbound(request: HttpRequest) -> HttpResponse:
    """ "Log this call" next to a ``tel:`` link: the number, topic, outcome, summary and a follow-up."""
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    raw_client = source.get("client", "")
    client = client_selectors.client_get(user=request.user, pk=int(raw_client)) if raw_client.isdigit() else None
    branches = list(core_selectors.branch_list(user=request.user).order_by("name"))
    wanted = source.get("branch", "")
    branch = next((b for b in branches if str(b.pk) == wanted), branches[0] if branches else None)
    form = OutboundCallForm(
        request.POST if posted else None,
        initial={"number": request.GET.get("number", "")},
        topics=_topics(request.user),
    )
    if posted and form.is_valid():
        if branch is None:
            form.add_error(None, _("You work at no branch."))
        else:
            data = form.cleaned_data
            try:
                interaction = services.call_log_outbound(branch=branch, actor=request.user, client=client, **data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Call logged."))
                return redirect("interactions:call_detail", pk=interaction.pk)
    context = {"form": form, "client": client, "branch": branch, "branches": branches}
    return render(request, "interactions/phone/call_outbound.html", context, status=400 if form.errors else 200)


# --- the phone system's settings ----------------------------------------------------------------


def _staff_users(user: Any) -> Any:
    scope = scope_for(user)
    return (
        get_user_model()
        .objects.filter(staff__organisation_id=scope.organisation_id, staff__is_active=True)
        .select_related("agent_phone")
        .order_by("last_name", "first_name", "username")
    )


def _settings_page(
    request: HttpRequest, *, token_form: Any = None, phone_form: Any = None, raw: str = "", status: int = 200
) -> HttpResponse:
    branches = core_selectors.branch_list(user=request.user).order_by("name")
    users = _staff_users(request.user)
    context = {
        "tokens": list(selectors.cti_token_list(user=request.user)),
        "token_form": token_form or CtiTokenForm(branches=branches),
        "phone_form": phone_form or AgentPhoneForm(users=users),
        "extensions": [user for user in users if hasattr(user, "agent_phone")],
        "raw_token": raw,
        "branch_settings": selectors_setup.phone_settings_list(user=request.user),
        "webhook_base": request.build_absolute_uri(reverse("interactions:cti_webhook", args=["TOKEN"])),
    }
    return render(request, "interactions/phone/settings.html", context, status=status)


@require(MANAGE)
def phone_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@require(MANAGE)
@require_POST
def cti_token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token and shows it once, on the page that answers the POST."""
    form = CtiTokenForm(request.POST, branches=core_selectors.branch_list(user=request.user))
    if form.is_valid():
        try:
            _token, raw = services.cti_token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _settings_page(request, raw=raw)
    return _settings_page(request, token_form=form, status=400)


@require(MANAGE)
@require_POST
def cti_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.cti_token_get(user=request.user, pk=pk)
    services.cti_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked: the phone system's events are refused from now on."))
    return redirect("interactions:phone_settings")


@require(MANAGE)
@require_POST
def agent_phone_set(request: HttpRequest) -> HttpResponse:
    form = AgentPhoneForm(request.POST, users=_staff_users(request.user))
    if form.is_valid():
        try:
            services.agent_phone_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Extension saved."))
            return redirect("interactions:phone_settings")
    return _settings_page(request, phone_form=form, status=400)


# --- the screen-pop stream ----------------------------------------------------------------------


def _pop_user(user: Any) -> tuple[bool, int | None]:
    return user.has_perm(LOG), scope_for(user).organisation_id


async def pop_stream(request: HttpRequest) -> HttpResponse:
    """The signed-in user's ringing and answered calls, as they happen."""
    user = await request.auser()
    if not user.is_authenticated:
        return problem(request, 401, detail=_("Sign in first."))
    allowed, organisation_id = await sync_to_async(_pop_user)(user)
    if not allowed or organisation_id is None:
        return problem(request, 403, detail=_("You do not take calls."))
    if not served_over_asgi(request):
        return no_stream()

    def transform(event: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        contact = event.get("contact")
        if not isinstance(contact, int):
            return None
        kind = str(event.get("type", "call.ringing"))
        card = reverse("interactions:call_pop", args=[contact]) + "?kind=" + kind
        return ("call", {"type": kind, "contact": contact, "card": card})

    return sse_response([cti.pop_channel(organisation_id, user.pk)], transform=transform)


def log_call_link(*, user: Any, client: Any, number: str) -> tuple[str, str] | None:
    """ "Log a call to …" beside each phone number on the client page (``clients.registry`` phone action)."""
    if not user.has_perm(InteractionPermission.LOG_INTERACTIONS.perm):
        return None
    query = urlencode({"client": client.pk, "number": number})
    label = _("Log a call to %(number)s") % {"number": number}
    return label, f"{reverse('interactions:call_log_outbound')}?{query}"
