"""The desk app's models; each area in its own module, all importable from here."""

from .calendar import (
    Appointment,
    AppointmentSeries,
    BranchClosure,
    Resource,
    ResourceAbsence,
    WorkingHours,
)
from .coverage import Coverage, CoverageCopay, EligibilityCheck, Payer, VisitBilling
from .documents import Document
from .handover import Handover, HandoverItem
from .intake import IntakeAttachment, IntakeField, IntakeForm, IntakeFormVersion, IntakeSubmission
from .money import Charge, DrawerSession, FiscalPrintout, MoneySettings, Payment, Refund, SaleDocument
from .queue import BoardScreen, Counter, QueueService, Ticket
from .registration import GuestExport, RegistrationCard
from .reminders import Reminder, ReminderPolicy
from .visits import Room, Visit, VisitGuest, VisitLine, VisitRoomChange, VisitStatusChange, VisitType

__all__ = ["Room", "Visit", "VisitGuest", "VisitLine", "VisitRoomChange", "VisitStatusChange", "VisitType"]
__all__ += ["IntakeAttachment", "IntakeField", "IntakeForm", "IntakeFormVersion", "IntakeSubmission"]
__all__ += ["Document", "Handover", "HandoverItem"]
__all__ += ["Charge", "DrawerSession", "FiscalPrintout", "MoneySettings", "Payment", "Refund", "SaleDocument"]
__all__ += ["Coverage", "CoverageCopay", "EligibilityCheck", "GuestExport", "Payer", "RegistrationCard"]
__all__ += ["VisitBilling"]
__all__ += ["Appointment", "AppointmentSeries", "BranchClosure", "Resource", "ResourceAbsence", "WorkingHours"]
__all__ += ["BoardScreen", "Counter", "QueueService", "Ticket"]
__all__ += ["Reminder", "ReminderPolicy"]
from .waitlist import FreedSlot, WaitlistEntry, WaitlistOffer, WaitlistPolicy  # noqa: E402 - the waitlist

__all__ += ["FreedSlot", "WaitlistEntry", "WaitlistOffer", "WaitlistPolicy"]
