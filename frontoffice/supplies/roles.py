"""Which roles hold the supplies app's permissions (collected by accounts.roles.all_grants)."""

from frontoffice.accounts.choices import Role

from .permissions import SuppliesPermission as P

# Clerks run the storeroom day to day: they take, request, receive and count. Managers also
# approve (within the ladder), keep the catalogue and read the reports; executives read and
# approve the large amounts. Security staff and contact-centre agents do not handle supplies.
GRANTS = {
    P.VIEW_SUPPLIES.perm: frozenset({Role.CLERK, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    P.TAKE_STOCK.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    P.REQUEST_SUPPLIES.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    P.APPROVE_REQUESTS.perm: frozenset({Role.CLERK, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    P.MANAGE_ORDERS.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    P.COUNT_STOCK.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    P.MANAGE_CATALOGUE.perm: frozenset({Role.MANAGER, Role.ADMIN}),
    P.VIEW_SUPPLY_REPORTS.perm: frozenset({Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
}
