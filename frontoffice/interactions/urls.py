"""The interactions app's pages, under ``/interactions/``: each area keeps its routes in ``<area>/urls.py``."""

from .cases import urls as cases
from .chat import urls as chat
from .contacts import urls as contacts
from .mail import urls as mail
from .phone import urls as phone

app_name = "interactions"

AREAS = (contacts, phone, mail, chat, cases)

urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
