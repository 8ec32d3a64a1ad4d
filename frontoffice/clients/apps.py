from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "frontoffice.clients"
    label = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="clients-sqlite-functions")
