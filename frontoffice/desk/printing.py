"""Ticket printing through a printer adapter.

``TicketPrinter`` is the interface; ``LocalPdfPrinter``, the default, lays the ticket out on
a small (80 mm receipt-roll) page with WeasyPrint, keeps a copy in the private files folder
(``queue-tickets/``) and returns the PDF for the desk to print from the browser. A kiosk
thermal printer or a print server would be another class named in
``settings.QUEUE_TICKET_PRINTER`` (a dotted path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.module_loading import import_string

from frontoffice.core.files import private_storage, random_name
from frontoffice.core.pdf import render_pdf

from .models.queue import Ticket

DEFAULT_PRINTER = "frontoffice.desk.printing.LocalPdfPrinter"


@dataclass(frozen=True)
class PrintedTicket:
    pdf: bytes
    stored_as: str  # the name in the private storage ("" when the printer keeps no copy)


class TicketPrinter(Protocol):
    def print_ticket(self, ticket: Ticket, *, position: Any = None) -> PrintedTicket: ...


class LocalPdfPrinter:
    """Writes the ticket as a PDF into the private files folder and hands the PDF back."""

    folder = "queue-tickets"

    def print_ticket(self, ticket: Ticket, *, position: Any = None) -> PrintedTicket:
        context = {
            "ticket": ticket,
            "position": position,
            "organisation": ticket.organisation,
            "printed_at": timezone.localtime(),
        }
        pdf = render_pdf("desk/queue/ticket_pdf.html", context)
        name = private_storage().save(random_name(self.folder, "pdf"), ContentFile(pdf))
        return PrintedTicket(pdf=pdf, stored_as=name)


def get_printer() -> TicketPrinter:
    printer: TicketPrinter = import_string(getattr(settings, "QUEUE_TICKET_PRINTER", DEFAULT_PRINTER))()
    return printer
