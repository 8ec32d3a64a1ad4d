from django.utils.translation import gettext_lazy as _

from frontoffice.core.navigation import MenuItem

from .money.permissions import MoneyPermission
from .permissions import CalendarPermission, DeskPermission, QueuePermission

MENU = [
    MenuItem(
        _("Today at the desk"),
        "desk:day",
        (DeskPermission.VIEW_VISITS.perm,),
        section=_("Front desk"),
        order=90,
    ),
    MenuItem(
        _("New visit"),
        "desk:visit_create",
        (DeskPermission.EDIT_VISITS.perm,),
        section=_("Front desk"),
        order=91,
        match_prefix="/desk/visits/new/",
    ),
    MenuItem(
        _("Visits"),
        "desk:visit_list",
        (DeskPermission.VIEW_VISITS.perm,),
        section=_("Front desk"),
        order=92,
        match_prefix="/desk/visits/",
    ),
    MenuItem(
        _("Visit types"),
        "desk:visit_type_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=110,
        match_prefix="/desk/visit-types/",
    ),
    MenuItem(
        _("Rooms"),
        "desk:room_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=111,
        match_prefix="/desk/rooms/",
    ),
    MenuItem(
        _("Intake forms"),
        "desk:intake_form_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=112,
        match_prefix="/desk/intake-forms/",
    ),
    MenuItem(
        _("Shift handovers"),
        "desk:handover_list",
        (DeskPermission.VIEW_VISITS.perm,),
        section=_("Front desk"),
        order=95,
        match_prefix="/desk/handovers/",
    ),
]

MENU += [
    MenuItem(
        _("Cash drawer"),
        "desk:drawer",
        (MoneyPermission.TAKE_PAYMENTS.perm,),
        section=_("Front desk"),
        order=93,
        match_prefix="/desk/money/drawer/",
    ),
    MenuItem(
        _("Refunds to approve"),
        "desk:refund_list",
        (MoneyPermission.APPROVE_REFUNDS.perm,),
        section=_("Front desk"),
        order=94,
        match_prefix="/desk/money/refunds/",
    ),
    MenuItem(
        _("Cash drawer sessions"),
        "desk:drawer_sessions",
        (MoneyPermission.REVIEW_DRAWERS.perm,),
        section=_("Front desk"),
        order=95,
        match_prefix="/desk/money/drawers/",
    ),
    MenuItem(
        _("Money settings"),
        "desk:money_settings",
        (MoneyPermission.MANAGE_MONEY_SETTINGS.perm,),
        section=_("Front desk"),
        order=112,
        match_prefix="/desk/money/settings/",
    ),
    MenuItem(
        _("Payers"),
        "desk:payer_list",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=112,
        match_prefix="/desk/payers/",
    ),
    MenuItem(
        _("Guest reports"),
        "desk:guest_exports",
        (DeskPermission.MANAGE_VISIT_TYPES.perm,),
        section=_("Front desk"),
        order=113,
        match_prefix="/desk/guest-reports/",
    ),
]

MENU += [
    MenuItem(
        _("Calendar"),
        "desk:calendar",
        (CalendarPermission.VIEW_CALENDAR.perm,),
        section=_("Front desk"),
        order=91,
        match_prefix="/desk/calendar/",
    ),
    MenuItem(
        _("Find a slot"),
        "desk:slot_find",
        (CalendarPermission.VIEW_CALENDAR.perm,),
        section=_("Front desk"),
        order=91,
        match_prefix="/desk/calendar/find/",
    ),
    MenuItem(
        _("Resources and hours"),
        "desk:resource_list",
        (CalendarPermission.MANAGE_RESOURCES.perm,),
        section=_("Front desk"),
        order=111,
        match_prefix="/desk/resources/",
    ),
    MenuItem(
        _("Branch closures"),
        "desk:closure_list",
        (CalendarPermission.MANAGE_RESOURCES.perm,),
        section=_("Front desk"),
        order=111,
        match_prefix="/desk/calendar/closures/",
    ),
    MenuItem(
        _("Walk-in queue"),
        "desk:queue",
        (QueuePermission.VIEW_QUEUE.perm,),
        section=_("Front desk"),
        order=96,
        match_prefix="/desk/queue/",
    ),
    MenuItem(
        _("Queue set-up"),
        "desk:queue_setup",
        (QueuePermission.MANAGE_QUEUE.perm,),
        section=_("Front desk"),
        order=114,
        match_prefix="/desk/queue/setup/",
    ),
]

MENU += [
    MenuItem(
        _("Waitlist"),
        "desk:waitlist",
        (CalendarPermission.VIEW_CALENDAR.perm,),
        section=_("Front desk"),
        order=91,
        match_prefix="/desk/waitlist/",
    ),
]
