"""The desk app's models; each area in its own module, all importable from here."""

from .documents import Document
from .handover import Handover, HandoverItem
from .visits import Room, Visit, VisitGuest, VisitLine, VisitRoomChange, VisitStatusChange, VisitType

__all__ = ["Room", "Visit", "VisitGuest", "VisitLine", "VisitRoomChange", "VisitStatusChange", "VisitType"]
__all__ += ["Document", "Handover", "HandoverItem"]
