"""Which roles hold the interactions app's permissions (collected by accounts.roles.all_grants)."""

from frontoffice.accounts.choices import Role

from .permissions import CasePermission, InteractionPermission

# Clerks take calls and log counter contacts; agents live here. Security staff do not read the
# public's correspondence. Executives oversee but do not answer.
GRANTS = {
    InteractionPermission.VIEW_INTERACTIONS.perm: frozenset(
        {Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}
    ),
    InteractionPermission.LOG_INTERACTIONS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    InteractionPermission.MANAGE_CHANNELS.perm: frozenset({Role.MANAGER, Role.ADMIN}),
    CasePermission.VIEW_CASES.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    CasePermission.WORK_CASES.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    CasePermission.SUPERVISE_CASES.perm: frozenset({Role.MANAGER, Role.ADMIN}),
}
