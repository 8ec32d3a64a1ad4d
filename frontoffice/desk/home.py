"""The desk's home-page cards (collected by core.dashboard)."""

from .home_handover import CARDS as HANDOVER_CARDS

CARDS = [*HANDOVER_CARDS]
