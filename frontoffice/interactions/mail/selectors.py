"""Reads of the e-mail channel, scoped to the user's organisation and branches."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frontoffice.core.scoping import scope_queryset

from ..choices import Channel
from ..models import EmailAttachment, EmailMessage, Interaction, Mailbox
from ..selectors import interaction_queryset


def mailbox_list(*, user: Any) -> QuerySet[Mailbox]:
    """The mailboxes landing in the user's branches, with their reading status."""
    return scope_queryset(Mailbox.objects.all(), user).select_related("branch").order_by("address", "pk")


def mailbox_get(*, user: Any, pk: int) -> Mailbox:
    try:
        return mailbox_list(user=user).get(pk=pk)
    except Mailbox.DoesNotExist:
        raise Http404 from None


def email_interaction_get(*, user: Any, pk: int) -> Interaction:
    """An e-mail contact the user may see, with its message (404 for any other contact)."""
    try:
        return (
            interaction_queryset(user=user)
            .filter(channel=Channel.EMAIL, email__isnull=False)
            .select_related("branch", "client", "case", "staff", "email", "email__mailbox")
            .get(pk=pk)
        )
    except Interaction.DoesNotExist:
        raise Http404 from None


def email_messages_of(*, interaction: Interaction) -> QuerySet[EmailMessage]:
    return EmailMessage.objects.filter(interaction=interaction).prefetch_related("attachments")


def case_emails(*, user: Any, case_id: int) -> QuerySet[EmailMessage]:
    """Every e-mail of a case the user may see, oldest first (for the case page's thread)."""
    visible = interaction_queryset(user=user).filter(case_id=case_id, channel=Channel.EMAIL)
    return (
        EmailMessage.objects.filter(interaction__in=visible)
        .select_related("interaction")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def attachment_get(*, user: Any, pk: int) -> EmailAttachment:
    """An attachment of an e-mail the user may see."""
    visible = interaction_queryset(user=user).filter(channel=Channel.EMAIL)
    try:
        return EmailAttachment.objects.select_related("message__interaction__branch").get(
            pk=pk, message__interaction__in=visible
        )
    except EmailAttachment.DoesNotExist:
        raise Http404 from None
