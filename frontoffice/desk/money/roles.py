"""Which roles hold the money permissions (merged into ``desk.roles.GRANTS``)."""

from frontoffice.accounts.choices import Role

from .permissions import MoneyPermission

# Agents answer the phone and security staff guard the door: neither works the till. Executives
# review drawers for oversight.
GRANTS = {
    MoneyPermission.TAKE_PAYMENTS.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    # Whoever posts charges may take a wrong one back; a void above the organisation's limit also needs a
    # manager's rank (MoneySettings.void_limit). Whoever issues invoices may correct them: a correction moves
    # no money by itself, and the refund that follows it goes up the approval ladder as any refund does.
    MoneyPermission.VOID_CHARGES.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    MoneyPermission.CORRECT_INVOICES.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    MoneyPermission.APPROVE_REFUNDS.perm: frozenset({Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    MoneyPermission.REVIEW_DRAWERS.perm: frozenset({Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    MoneyPermission.MANAGE_MONEY_SETTINGS.perm: frozenset({Role.ADMIN}),
}

# Who outranks whom on the refund approval ladder: a step naming a role is satisfied by that role or one
# ranked higher. Clerks and agents never approve.
ROLE_RANK: dict[str, int] = {Role.CLERK: 1, Role.AGENT: 1, Role.MANAGER: 2, Role.EXECUTIVE: 3, Role.ADMIN: 3}
APPROVER_ROLES: tuple[str, ...] = (Role.MANAGER, Role.EXECUTIVE, Role.ADMIN)
