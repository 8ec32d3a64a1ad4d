"""Which role holds which permission: the single place where grants are made.

Roles are Django groups. ``sync_roles`` creates the groups and sets their
permissions to exactly what this table says; data migrations call it, so a
new grant ships as a migration that calls it again.
"""

from __future__ import annotations

from importlib import import_module
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


def all_grants() -> dict[str, frozenset[Role]]:
    """``GRANTS`` above plus the ``GRANTS`` of every other app's ``roles.py``.

    Apps above accounts declare their grants in their own ``roles.py`` (they
    may import ``Role`` from here); this collects them the way menus and home
    cards are collected, so the layer rule holds.
    """
    from django.apps import apps as global_apps

    grants = dict(GRANTS)
    for app_config in global_apps.get_app_configs():
        if not app_config.name.startswith("frontoffice.") or app_config.name == __package__:
            continue
        try:
            module = import_module(f"{app_config.name}.roles")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.roles":
                raise
            continue
        grants.update(module.GRANTS)
    return grants


def permissions_of(role: str) -> set[str]:
    return {perm for perm, roles in all_grants().items() if role in roles}


def sync_roles(apps: Any = None) -> None:
    """Create the role groups and set their permissions from every app's ``GRANTS``.

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
            # A later app's permission does not exist yet while an earlier app's
            # migration runs; that app's own migration calls sync_roles again.
            found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
