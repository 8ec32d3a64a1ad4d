"""The interactions app's menu: each area lists its items in ``<area>/menu.py``."""

from .cases.menu import MENU as CASES
from .chat.menu import MENU as CHAT
from .contacts.menu import MENU as CONTACTS
from .mail.menu import MENU as MAIL
from .phone.menu import MENU as PHONE

MENU = [*CONTACTS, *PHONE, *MAIL, *CHAT, *CASES]
