"""The supplies app's pages, under ``/supplies/``."""

from django.urls import path

from . import views, views_reports

app_name = "supplies"

urlpatterns = [
    path("take/", views.take, name="take"),
    path("stock/", views.stock_list, name="stock_list"),
    path("movements/", views.movement_list, name="movement_list"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("reports/consumption/", views_reports.consumption, name="report_consumption"),
    path("reports/spend/", views_reports.spend, name="report_spend"),
    path("reports/below-reorder-point/", views_reports.low_stock, name="report_low_stock"),
    path("adjustments/", views_reports.adjustments, name="report_adjustments"),
]
