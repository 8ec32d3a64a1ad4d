from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "frontoffice.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from frontoffice.clients.registry import register_client_link

        # Merging two clients moves their survey invitations and answers too.
        register_client_link("feedback.Invitation", "client")
        register_client_link("feedback.Response", "client")

        # Clock-driven jobs register themselves on import: sending due invitations ("feedback.send_due")
        # and the periodic relationship (NPS) survey ("feedback.relationship").
        from . import tasks  # noqa: F401
