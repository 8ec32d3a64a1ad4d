"""The interactions app's home-page cards (collected by core.dashboard): each area lists its own."""

from .cases.home import CARDS as CASES
from .contacts.home import CARDS as CONTACTS

CARDS = [*CONTACTS, *CASES]
