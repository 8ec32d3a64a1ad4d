"""The reports app's pages, under ``/reports/``."""

from django.urls import path

from . import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("metrics/", views.metric_dictionary, name="metric_dictionary"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/chart.svg", views_dashboard.chart, name="chart"),
    path("dashboard/records/", views_dashboard.drilldown_list, name="drilldown"),
    path("executive/", views_dashboard.executive, name="executive"),
]
