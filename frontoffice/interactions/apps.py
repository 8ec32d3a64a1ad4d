from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "frontoffice.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from frontoffice.clients.registry import register_client_link, register_phone_action

        # Merging two clients moves their contacts and cases too (and unmerging moves them back).
        register_client_link("interactions.Interaction", "client")
        register_client_link("interactions.Case", "client")
        register_client_link("interactions.Callback", "client")

        # Clock-driven jobs register themselves on import: reading mailboxes and sending queued replies
        # ("interactions.mail_*"), ending forgotten wrap-ups ("interactions.phone_wrap_up") and idle chats
        # ("interactions.chat_idle"), SLA escalations ("interactions.sla_escalations").
        from .cases import escalation  # noqa: F401

        # A reply written on an e-mail case goes out by e-mail (other channels record it to send by hand).
        from .cases.replies import register_reply_channel
        from .chat import tasks as chat_tasks  # noqa: F401
        from .choices import Channel
        from .mail import services as mail_services
        from .phone import queue as cti_queue  # noqa: F401  (the periodic job interactions.cti_apply)
        from .phone import tasks  # noqa: F401

        register_reply_channel(Channel.EMAIL, mail_services.case_reply_by_email)

        # "Log a call to …" beside each phone number on the client page.
        from .phone.views import log_call_link

        register_phone_action("interactions.log_call", log_call_link)

        # Client feedback: a low survey score opens a follow-up for the team lead (docs/feedback.md).
        from frontoffice.feedback.hooks import register_low_score_handler

        from .feedback import low_score_follow_up

        register_low_score_handler(low_score_follow_up)
