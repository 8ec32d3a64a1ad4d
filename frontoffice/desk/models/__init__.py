"""The desk app's models; each area in its own module, all importable from here."""

from .coverage import Coverage, CoverageCopay, EligibilityCheck, Payer, VisitBilling
from .registration import GuestExport, RegistrationCard
from .visits import Room, Visit, VisitGuest, VisitLine, VisitRoomChange, VisitStatusChange, VisitType

__all__ = ["Room", "Visit", "VisitGuest", "VisitLine", "VisitRoomChange", "VisitStatusChange", "VisitType"]
__all__ += ["Coverage", "CoverageCopay", "EligibilityCheck", "GuestExport", "Payer", "RegistrationCard", "VisitBilling"]
