"""The interactions app's pages, under ``/interactions/``. Each area (contacts, phone, e-mail, chat,
cases) keeps its views in its own module under ``views/`` and its routes in its own block here."""

from django.urls import path  # noqa: F401 - used as the areas add their routes

app_name = "interactions"

urlpatterns: list = []
