"""Which roles hold the reports app's permissions (collected by accounts.roles.all_grants)."""

from frontoffice.accounts.choices import Role

from .permissions import ReportsPermission

# Managers and executives read every figure of their branches (executives: of the organisation);
# everyone who serves the public sees their own figures and their team's median; only the first see a
# colleague's. The executive dashboard (every branch side by side) is for executives and administrators.
GRANTS = {
    ReportsPermission.VIEW_EXECUTIVE_REPORTS.perm: frozenset({Role.EXECUTIVE, Role.ADMIN}),
    ReportsPermission.VIEW_REPORTS.perm: frozenset({Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    ReportsPermission.VIEW_OWN_REPORTS.perm: frozenset(
        {Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}
    ),
}
