"""The reports app's pages, under ``/reports/``."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("metrics/", views.metric_dictionary, name="metric_dictionary"),
]
