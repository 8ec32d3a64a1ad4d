"""The desk's live event streams, mounted under ``/events/desk/`` (served by the ASGI side, see config/serve.py)."""

from django.urls import path

from .views import streams

app_name = "desk_events"

urlpatterns = [
    path("board/<str:token>/", streams.board_stream, name="board_stream"),
    path("queue/<int:branch_id>/", streams.queue_stream, name="queue_stream"),
]
