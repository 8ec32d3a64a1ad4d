"""Which roles hold the feedback app's permissions (collected by accounts.roles.all_grants)."""

from frontoffice.accounts.choices import Role

from .permissions import FeedbackPermission

# Everyone who serves the public reads what clients said about it and may hand a client the tablet;
# managers (and administrators) build the surveys and decide who is asked. Security staff do not.
GRANTS = {
    FeedbackPermission.VIEW_FEEDBACK.perm: frozenset(
        {Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}
    ),
    FeedbackPermission.SEND_SURVEYS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    FeedbackPermission.MANAGE_SURVEYS.perm: frozenset({Role.MANAGER, Role.ADMIN}),
}
