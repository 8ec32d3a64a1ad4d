"""The desk app's models; each area in its own module, all importable from here."""

from .visits import Room, Visit, VisitGuest, VisitLine, VisitRoomChange, VisitStatusChange, VisitType

__all__ = ["Room", "Visit", "VisitGuest", "VisitLine", "VisitRoomChange", "VisitStatusChange", "VisitType"]

from .money import Charge, DrawerSession, FiscalPrintout, MoneySettings, Payment, Refund, SaleDocument

__all__ += ["Charge", "DrawerSession", "FiscalPrintout", "MoneySettings", "Payment", "Refund", "SaleDocument"]
