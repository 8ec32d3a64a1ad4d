"""Which roles hold the clients app's permissions (collected by accounts.roles.all_grants)."""

from frontoffice.accounts.choices import Role

from .permissions import ClientsPermission

# Security staff do not see client records: a clinic's patients are not their business.
FRONT_LINE = frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN})

GRANTS = {
    ClientsPermission.VIEW_CLIENTS.perm: FRONT_LINE,
    ClientsPermission.EDIT_CLIENTS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    ClientsPermission.MERGE_CLIENTS.perm: frozenset({Role.MANAGER, Role.ADMIN}),
    ClientsPermission.IMPORT_CLIENTS.perm: frozenset({Role.MANAGER, Role.ADMIN}),
    ClientsPermission.ERASE_CLIENTS.perm: frozenset({Role.MANAGER, Role.ADMIN}),
}
