"""Django's ``migrate``, filling an empty database from a migrated template when templates are on.

See ``core.migration_templates``: with ``FRONTOFFICE_MIGRATION_TEMPLATES`` unset this is Django's command.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from frontoffice.core import migration_templates


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("app_label") or options.get("plan") or options.get("check_unapplied") or options.get("prune"):
            return super().handle(*args, **options)  # anything but "migrate everything" runs as Django's
        connection = connections[options["database"]]
        with migration_templates.filled_from_template(connection):
            super().handle(*args, **options)
