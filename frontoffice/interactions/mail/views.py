"""Pages of the e-mail channel: the managers' mailboxes, an e-mail's page with a reply, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontoffice.core import selectors as core_selectors
from frontoffice.core.audit import log_access
from frontoffice.core.decorators import require
from frontoffice.core.files import serve_private
from frontoffice.core.forms import add_service_error

from ..permissions import CasePermission, InteractionPermission
from . import selectors, services
from .forms import MailboxForm, ReplyForm

MANAGE = InteractionPermission.MANAGE_CHANNELS.perm
VIEW = InteractionPermission.VIEW_INTERACTIONS.perm
WORK = CasePermission.WORK_CASES.perm


def _branches(request: HttpRequest):  # type: ignore[no-untyped-def]
    return core_selectors.branch_list(user=request.user)


@require(MANAGE)
def mailbox_list(request: HttpRequest) -> HttpResponse:
    """Every mailbox with its reading status: a mailbox that is down shows its last error."""
    mailboxes = list(selectors.mailbox_list(user=request.user))
    return render(request, "interactions/mail/mailbox_list.html", {"mailboxes": mailboxes})


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def mailbox_create(request: HttpRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None, branches=_branches(request))
    if request.method == "POST" and form.is_valid():
        try:
            mailbox = services.mailbox_create(
                branch=form.cleaned_data["branch"], actor=request.user, data=form.service_data()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Mailbox set up; it is read at the next check."))
            return redirect("interactions:mailbox_edit", pk=mailbox.pk)
    return render(request, "interactions/mail/mailbox_form.html", {"form": form}, status=400 if form.errors else 200)


@require(MANAGE)
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = selectors.mailbox_get(user=request.user, pk=pk)
    form = MailboxForm(request.POST or None, instance=mailbox, branches=_branches(request))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("version") not in (None, mailbox.version):
            form.add_error(None, _("Somebody else changed this mailbox meanwhile; reload the page and try again."))
        else:
            try:
                services.mailbox_update(
                    mailbox=mailbox, actor=request.user, data=form.service_data(), branch=form.cleaned_data["branch"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Mailbox saved."))
                return redirect("interactions:mailbox_edit", pk=mailbox.pk)
    return render(
        request,
        "interactions/mail/mailbox_form.html",
        {"form": form, "mailbox": mailbox},
        status=400 if form.errors else 200,
    )


@require(MANAGE)
@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign in to both servers now and say what happened."""
    mailbox = selectors.mailbox_get(user=request.user, pk=pk)
    failures = services.mailbox_test(mailbox=mailbox)
    if not failures:
        messages.success(request, _("Both servers accepted the sign-in."))
    for server, error in failures:
        messages.error(request, _("%(server)s failed: %(error)s") % {"server": server, "error": error})
    return redirect("interactions:mailbox_edit", pk=mailbox.pk)


@require(MANAGE)
@require_POST
def mailbox_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the mailbox now instead of waiting for its next turn."""
    mailbox = selectors.mailbox_get(user=request.user, pk=pk)
    stored = services.mailbox_poll(mailbox=mailbox)
    if mailbox.is_down:
        messages.error(request, _("The mailbox could not be read: %(error)s") % {"error": mailbox.last_error})
    else:
        messages.success(request, _("Mailbox read: %(count)s new messages.") % {"count": stored})
    return redirect("interactions:mailbox_list")


def _email_context(request: HttpRequest, interaction, form: ReplyForm | None = None) -> dict:  # type: ignore[no-untyped-def]
    can_reply = request.user.has_perm(WORK) and interaction.case_id is not None
    return {
        "interaction": interaction,
        "message": interaction.email,
        "attachments": list(interaction.email.attachments.all()),
        "can_reply": can_reply,
        "form": form or ReplyForm(),
    }


@require(VIEW)
def email_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One e-mail: headers, the text (the sanitised HTML in a sandboxed frame), attachments, a reply."""
    interaction = selectors.email_interaction_get(user=request.user, pk=pk)
    return render(request, "interactions/mail/email_detail.html", _email_context(request, interaction))


@require(VIEW, WORK)
@require_POST
def email_reply(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = selectors.email_interaction_get(user=request.user, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if interaction.case is None:
        form.add_error(None, _("This e-mail belongs to no case, so it cannot be answered here."))
    elif form.is_valid():
        try:
            reply = services.email_reply(
                case=interaction.case,
                body=form.cleaned_data["body"],
                actor=request.user,
                to=form.cleaned_data["to"] or None,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Reply sent to %(to)s.") % {"to": reply.to})
            return redirect("interactions:email_detail", pk=reply.interaction_id)
    return render(
        request, "interactions/mail/email_detail.html", _email_context(request, interaction, form), status=400
    )


@require(VIEW)
def email_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment, always downloaded (never shown inline: it is whatever a stranger sent)."""
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    if attachment.skipped or not attachment.file:
        raise Http404
    interaction = attachment.message.interaction
    log_access(
        user=request.user,
        target=interaction,
        organisation=interaction.branch.organisation,
        purpose="e-mail attachment",
        path=request.path,
    )
    return serve_private(
        request,
        attachment.file,
        filename=attachment.filename,
        content_type="application/octet-stream",
        as_attachment=True,
    )
