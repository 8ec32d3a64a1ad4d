"""The staff side of the web chat: the agent's inbox and conversation page, and the widget set-up.

The inbox and the conversation page refresh their live parts over the agent stream (a small script
listens and asks htmx to reload the fragment) and poll as a fallback, so they work without ASGI too.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.core.decorators import require
from frontoffice.core.forms import add_service_error

from ..models.chat import ChatStatus
from ..permissions import InteractionPermission
from . import selectors, services
from .forms import CaseForm, ReplyForm, WidgetForm

LOG = InteractionPermission.LOG_INTERACTIONS.perm
MANAGE = InteractionPermission.MANAGE_CHANNELS.perm


@require(LOG)
def inbox(request: HttpRequest) -> HttpResponse:
    """Chats waiting at my branches (take one) and my chats in progress."""
    offered = selectors.waiting_offered_to_me(user=request.user)
    conversations = list(selectors.inbox(user=request.user, offered=offered))
    context = {
        "conversations": conversations,
        "offered_first_to_others": offered is not True,
        "waiting_count": sum(1 for chat in conversations if chat.status == ChatStatus.WAITING),
        "ended": selectors.recent_ended(user=request.user),
    }
    template = "interactions/chat/inbox.html"
    if request.htmx:
        template += "#queue"
    return render(request, template, context)


def _conversation_context(request: HttpRequest, pk: int) -> dict:
    conversation = selectors.conversation_get(user=request.user, pk=pk)
    return {
        "conversation": conversation,
        "chat_messages": list(conversation.messages.select_related("staff")),
        "is_mine": conversation.agent_id == request.user.pk,
    }


@require(LOG)
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    context = _conversation_context(request, pk)
    template = "interactions/chat/conversation.html"
    if request.htmx:
        template += "#log"
    context.update(reply_form=ReplyForm(), case_form=CaseForm())
    return render(request, template, context)


@require(LOG)
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    chat = selectors.conversation_get(user=request.user, pk=pk)
    try:
        services.chat_take(conversation=chat, agent=request.user)
    except services.AlreadyTaken:
        messages.error(request, _("Another agent has already taken this chat."))
        return redirect("interactions:chat_inbox")
    return redirect("interactions:chat_conversation", pk=chat.pk)


@require(LOG)
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    context = _conversation_context(request, pk)
    form = ReplyForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.chat_reply(
                conversation=context["conversation"], agent=request.user, text=form.cleaned_data["text"]
            )
        except services.ChatClosed:
            form.add_error(None, _("This chat has ended."))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if not request.htmx:
                return redirect("interactions:chat_conversation", pk=pk)
            form = ReplyForm()
            context = _conversation_context(request, pk)
    if form.errors:
        status = 400
    context.update(reply_form=form, case_form=CaseForm())
    template = "interactions/chat/conversation.html"
    if request.htmx:
        template += "#reply"
    response = render(request, template, context, status=status)
    response["HX-Trigger"] = "chat-refresh"
    return response


@require(LOG)
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    chat = selectors.conversation_get(user=request.user, pk=pk)
    services.chat_end(conversation=chat, actor=request.user)
    messages.success(request, _("The chat has ended."))
    return redirect("interactions:chat_conversation", pk=chat.pk)


@require(LOG)
@require_POST
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    chat = selectors.conversation_get(user=request.user, pk=pk)
    form = CaseForm(request.POST)
    form.is_valid()
    try:
        case = services.chat_open_case(
            conversation=chat, actor=request.user, subject=form.cleaned_data.get("subject", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
    return redirect("interactions:chat_conversation", pk=chat.pk)


@require(MANAGE)
def widget_list(request: HttpRequest) -> HttpResponse:
    widgets = list(selectors.widget_queryset(user=request.user))
    return render(request, "interactions/chat/widget_list.html", {"widgets": widgets})


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def widget_create(request: HttpRequest) -> HttpResponse:
    form = WidgetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            widget = services.widget_create(
                branch=form.cleaned_data["branch"], actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Chat widget created. Put the snippet below on your website."))
            return redirect("interactions:chat_widget_edit", pk=widget.pk)
    status = 400 if form.errors else 200
    return render(request, "interactions/chat/widget_form.html", {"form": form, "widget": None}, status=status)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def widget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    widget = selectors.widget_get(user=request.user, pk=pk)
    form = WidgetForm(request.POST or None, instance=widget, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.widget_update(
                widget=widget, branch=form.cleaned_data["branch"], actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Chat widget saved."))
            return redirect("interactions:chat_widget_edit", pk=widget.pk)
    widget.refresh_from_db()
    status = 400 if form.errors else 200
    snippet = embed_snippet(request, widget.token)
    return render(
        request,
        "interactions/chat/widget_form.html",
        {"form": form, "widget": widget, "snippet": snippet},
        status=status,
    )


def embed_snippet(request: HttpRequest, token: str) -> str:
    from django.templatetags.static import static

    src = request.build_absolute_uri(static("interactions/chat-widget.js"))
    return f'<script src="{src}" data-widget="{token}" defer></script>'
