"""Periodic work of the web chat: chats nobody wrote in for an hour are ended (registered at start-up)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q

from frontoffice.core.periodic import periodic

from ..models import ChatConversation
from ..models.chat import ChatStatus
from . import services

IDLE_MINUTES = 60
BATCH = 200


@periodic("interactions.chat_idle")
def end_idle_chats(now: datetime) -> int:
    """End chats with no message for ``IDLE_MINUTES`` (a waiting one as abandoned); returns how many."""
    cutoff = now - timedelta(minutes=IDLE_MINUTES)
    stale = (
        ChatConversation.objects.exclude(status=ChatStatus.ENDED)
        .annotate(last=Max("messages__at"))
        .filter(Q(last__lt=cutoff) | Q(last__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)[:BATCH]
    )
    ended = 0
    for pk in list(stale):
        with transaction.atomic():
            # Locked and read again: another process sweeping at the same moment skips it.
            chat = (
                ChatConversation.objects.select_for_update(skip_locked=True)
                .select_related("interaction", "interaction__branch__organisation")
                .filter(pk=pk)
                .exclude(status=ChatStatus.ENDED)
                .first()
            )
            if chat is not None:
                services.chat_end(conversation=chat)
                ended += 1
    return ended
