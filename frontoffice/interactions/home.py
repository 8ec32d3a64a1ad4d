"""The interactions app's home-page cards (collected by core.dashboard): each area adds its own."""

from .contacts.home import CARDS as CONTACTS_CARDS

CARDS = [*CONTACTS_CARDS]
