from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "frontoffice.supplies"
    label = "supplies"
    verbose_name = _("Supplies")

    def ready(self) -> None:
        # A finished visit books the supplies its visit type uses (docs/supplies.md): the desk runs the
        # hooks registered in its workflow, and never imports this app.
        from . import hooks_desk

        hooks_desk.register()

        # Clock-driven: the daily low-stock digest registers itself on import ("supplies.low_stock_digest").
        from . import tasks  # noqa: F401
