from datetime import timedelta

from django.tasks import default_task_backend, task
from django.utils import timezone

from .choices import MessageStatus
from .models import OutboundMessage
from .notifications import message_deliver


@task()
def deliver_message(*, message_id: int) -> None:
    try:
        message_deliver(message_id=message_id)
    except Exception:
        message = OutboundMessage.objects.get(pk=message_id)
        if message.status == MessageStatus.QUEUED and default_task_backend.supports_defer:
            # Back off 1, 4, 9, 16 minutes before giving up for good.
            delay = timedelta(minutes=message.attempts**2)
            deliver_message.using(run_after=timezone.now() + delay).enqueue(message_id=message_id)
        raise
