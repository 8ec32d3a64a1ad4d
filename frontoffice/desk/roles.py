"""Which roles hold the desk app's permissions (collected by accounts.roles.all_grants)."""

from frontoffice.accounts.choices import Role

from .permissions import CalendarPermission, DeskPermission, DocumentPermission, QueuePermission

# Security staff do not see visits (a clinic's patients are not their business); executives
# read them for oversight but do not work the desk.
GRANTS = {
    DeskPermission.VIEW_VISITS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    DeskPermission.EDIT_VISITS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    DeskPermission.MANAGE_VISIT_TYPES.perm: frozenset({Role.MANAGER, Role.ADMIN}),
    # Identity scans are sensitive: executives oversee visits but do not open them.
    DocumentPermission.VIEW_DOCUMENTS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    DocumentPermission.UPLOAD_DOCUMENTS.perm: frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    # Calendars are read by every colleague of the desk ("working to schedules with other staff"); agents
    # book by phone; resources, hours and closures are the manager's set-up.
    CalendarPermission.VIEW_CALENDAR.perm: frozenset(
        {Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}
    ),
    CalendarPermission.BOOK_APPOINTMENTS.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    CalendarPermission.MANAGE_RESOURCES.perm: frozenset({Role.MANAGER, Role.ADMIN}),
    # The walk-in queue: executives watch the line for oversight but do not serve it.
    QueuePermission.VIEW_QUEUE.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN}),
    QueuePermission.SERVE_QUEUE.perm: frozenset({Role.CLERK, Role.AGENT, Role.MANAGER, Role.ADMIN}),
    QueuePermission.MANAGE_QUEUE.perm: frozenset({Role.MANAGER, Role.ADMIN}),
}

# The money part (charges, payments, refunds, drawers) keeps its grants in its own module.
from .money.roles import GRANTS as _MONEY_GRANTS  # noqa: E402

GRANTS = {**GRANTS, **_MONEY_GRANTS}
