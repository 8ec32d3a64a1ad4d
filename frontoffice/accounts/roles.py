"""Which role holds which permission: the single place where grants are made.

Roles are Django groups. ``sync_roles`` creates the groups and sets their
permissions to exactly what this table says; data migrations call it, so a
new grant ships as a migration that calls it again.
"""

from __future__ import annotations

from typing import Any

from frontoffice.core.permissions import CorePermission

from .choices import Role
from .permissions import AccountsPermission

EVERY_ROLE = frozenset(Role)

GRANTS: dict[str, frozenset[Role]] = {
    CorePermission.VIEW_ORGANISATION.perm: EVERY_ROLE,
    CorePermission.MANAGE_ORGANISATION.perm: frozenset({Role.ADMIN}),
    CorePermission.VIEW_AUDIT.perm: frozenset({Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    CorePermission.VIEW_MESSAGES.perm: frozenset({Role.ADMIN}),
    AccountsPermission.VIEW_STAFF.perm: frozenset({Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    AccountsPermission.MANAGE_STAFF.perm: frozenset({Role.ADMIN}),
    AccountsPermission.USE_API.perm: EVERY_ROLE,
}


def permissions_of(role: str) -> set[str]:
    return {perm for perm, roles in GRANTS.items() if role in roles}


def sync_roles(apps: Any = None) -> None:
    """Create the role groups and set their permissions from ``GRANTS``.

    Works both inside a migration (pass its ``apps``) and at run time.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    registry = apps or global_apps
    for app_config in registry.get_app_configs():
        # Historical app configs in migrations have no models module, and
        # create_permissions skips those; mark them for the call only.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0, apps=registry)
        app_config.models_module = original
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    for role in Role:
        group, _ = group_model.objects.get_or_create(name=role.value)
        wanted = []
        for perm in sorted(permissions_of(role)):
            app_label, codename = perm.split(".", 1)
            wanted.append(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
