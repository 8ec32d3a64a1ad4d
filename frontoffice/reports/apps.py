from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "frontoffice.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The clock-driven roll-up ("reports.rollup") registers itself on import.
        from . import tasks  # noqa: F401
