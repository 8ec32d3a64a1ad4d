from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "frontoffice.desk"
    label = "desk"
    verbose_name = _("Front desk")

    def ready(self) -> None:
        from frontoffice.clients.registry import register_client_link, register_erasure_hook

        from . import hooks_handover, rules
        from .money import rules as money_rules

        # Merging two clients moves their visits and stays too (and unmerging moves them back).
        register_client_link("desk.Visit", "client")
        register_client_link("desk.VisitGuest", "client")
        register_client_link("desk.Document", "client")
        register_client_link("desk.HandoverItem", "client")
        # Appointments follow a merge too (which also retires their self-service links, see appointment_links).
        register_client_link("desk.Appointment", "client")
        rules.register_builtin_rules()
        hooks_handover.register()

        from .intake import rules as intake_rules

        intake_rules.register()
        money_rules.register()

        # Coverage and registration cards (docs/desk-coverage.md).
        from . import actions_coverage, services_coverage, services_registration

        for label, field in (
            ("desk.Coverage", "client"),
            ("desk.Coverage", "subscriber"),
            ("desk.EligibilityCheck", "client"),
        ):
            register_client_link(label, field)
        services_coverage.register_rules()
        # Erasing a client removes the desk's files and free text about the person (docs/clients.md).
        from .services_erasure import erase_client_desk_data

        register_erasure_hook("desk", erase_client_desk_data)
        services_registration.register_rules()
        actions_coverage.register()

        # Clock-driven: appointment reminders (registers the periodic job "desk.reminders"), and the
        # waitlist: freed slots are offered to waiting clients; offers run out with the clock.
        from . import (
            services_calendar,
            services_reminders,  # noqa: F401 - registers its periodic job
            services_waitlist,
        )

        services_calendar.register_slot_freed(services_waitlist.slot_freed)
        register_client_link("desk.WaitlistEntry", "client")
        register_erasure_hook("desk_waitlist", services_waitlist.erase_client_waitlist)

        # Client feedback: finished visits, check-outs and paid purchases may invite a survey (docs/feedback.md).
        from . import hooks_feedback

        hooks_feedback.register()
