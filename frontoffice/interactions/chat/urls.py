"""Routes of this area, included by interactions/urls.py (pages) and interactions/urls_events.py (streams)."""

urlpatterns: list = []
event_urlpatterns: list = []
