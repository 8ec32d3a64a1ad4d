"""The interactions API: each area adds its router from ``<area>/api.py``."""

from ninja import Router

from .cases import api as cases
from .chat import api as chat
from .contacts import api as contacts
from .mail import api as mail
from .phone import api as phone

router = Router()
for area in (contacts, phone, mail, chat, cases):
    router.add_router("", area.router)
