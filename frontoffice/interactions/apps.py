from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "frontoffice.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from frontoffice.clients.registry import register_client_link

        # Merging two clients moves their contacts and cases too (and unmerging moves them back).
        register_client_link("interactions.Interaction", "client")
        register_client_link("interactions.Case", "client")
        register_client_link("interactions.Callback", "client")

        # Clock-driven jobs register themselves on import: reading mailboxes and sending queued replies
        # ("interactions.mail_*"), ending forgotten wrap-ups ("interactions.phone_wrap_up") and idle chats
        # ("interactions.chat_idle").
        from .chat import tasks as chat_tasks  # noqa: F401
        from .mail import services as mail_services  # noqa: F401
        from .phone import tasks  # noqa: F401
