from django.db import models
from django.utils.translation import gettext_lazy as _


class DeskPermission(models.TextChoices):
    VIEW_VISITS = "view_visits", _("Can see visits, stays and transactions")
    EDIT_VISITS = "edit_visits", _("Can open visits, change them and move them through their statuses")
    MANAGE_VISIT_TYPES = "manage_visit_types", _("Can set up visit types and rooms")

    @property
    def perm(self) -> str:
        return f"desk.{self.value}"


class DocumentPermission(models.TextChoices):
    """Documents (ID scans, insurance cards, signed consents): declared on ``Document`` (models/documents.py)."""

    VIEW_DOCUMENTS = "view_documents", _("Can see and download clients' and visits' documents")
    UPLOAD_DOCUMENTS = "upload_documents", _("Can upload documents and remove them")

    @property
    def perm(self) -> str:
        return f"desk.{self.value}"


class CalendarPermission(models.TextChoices):
    """Resources, calendars and appointments: declared on ``Resource`` (models/calendar.py)."""

    VIEW_CALENDAR = "view_calendar", _("Can see the branch's calendars and appointments")
    BOOK_APPOINTMENTS = "book_appointments", _("Can book, move, cancel appointments and check clients in")
    MANAGE_RESOURCES = "manage_resources", _("Can set up resources, their working hours, absences and closures")

    @property
    def perm(self) -> str:
        return f"desk.{self.value}"


class QueuePermission(models.TextChoices):
    """The walk-in queue: declared on ``QueueService`` (models/queue.py)."""

    VIEW_QUEUE = "view_queue", _("Can see the walk-in queue and its tickets")
    SERVE_QUEUE = "serve_queue", _("Can issue tickets and call, serve, transfer and close them at a counter")
    MANAGE_QUEUE = "manage_queue", _("Can set up queue services, counters, board screens and kiosks")

    @property
    def perm(self) -> str:
        return f"desk.{self.value}"
