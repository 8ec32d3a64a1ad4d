"""The interactions app's home-page cards: each area lists its cards in ``<area>/home.py``."""

from .cases.home import CARDS as CASES

CARDS = [*CASES]
