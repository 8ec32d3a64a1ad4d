"""The interactions app's live event streams, under ``/events/interactions/`` (served by the ASGI side)."""

from .urls import AREAS

app_name = "interactions_events"

urlpatterns = [pattern for area in AREAS for pattern in area.event_urlpatterns]
