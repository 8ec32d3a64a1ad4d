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

        # Cases: the SLA escalation job (registers the periodic job "interactions.sla_escalations").
        from .cases import escalation  # noqa: F401
