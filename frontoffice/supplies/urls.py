"""The supplies app's pages, under ``/supplies/``."""

from django.urls import path

from . import views, views_catalogue, views_orders, views_reports, views_stocktake

app_name = "supplies"

urlpatterns = [
    path("take/", views.take, name="take"),
    path("stock/", views.stock_list, name="stock_list"),
    path("stock/<int:pk>/move/", views_stocktake.level_move, name="level_move"),
    path("movements/", views.movement_list, name="movement_list"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("stocktakes/", views_stocktake.stocktake_list, name="stocktake_list"),
    path("stocktakes/start/", views_stocktake.stocktake_start, name="stocktake_start"),
    path("stocktakes/<int:pk>/", views_stocktake.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/count/", views_stocktake.stocktake_count, name="stocktake_count"),
    path("stocktakes/<int:pk>/approve/", views_stocktake.stocktake_approve, name="stocktake_approve"),
    path("stocktakes/<int:pk>/cancel/", views_stocktake.stocktake_cancel, name="stocktake_cancel"),
    # The catalogue (views_catalogue.py)
    path("items/", views_catalogue.item_list, name="item_list"),
    path("items/new/", views_catalogue.item_create, name="item_create"),
    path("items/<int:pk>/", views_catalogue.item_edit, name="item_edit"),
    path("items/<int:pk>/deactivate/", views_catalogue.item_deactivate, name="item_deactivate"),
    path("suppliers/", views_catalogue.supplier_list, name="supplier_list"),
    path("suppliers/new/", views_catalogue.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", views_catalogue.supplier_edit, name="supplier_edit"),
    path("locations/", views_catalogue.location_list, name="location_list"),
    path("locations/new/", views_catalogue.location_create, name="location_create"),
    path("locations/<int:pk>/", views_catalogue.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", views_catalogue.location_edit, name="location_edit"),
    path("locations/<int:pk>/levels/", views_catalogue.level_set, name="level_set"),
    path("ladder/", views_catalogue.ladder, name="ladder"),
    path("visit-rules/", views_catalogue.visit_rule_list, name="visit_rule_list"),
    path("visit-rules/<int:pk>/delete/", views_catalogue.visit_rule_delete, name="visit_rule_delete"),
    # Orders and deliveries (views_orders.py)
    path("orders/", views_orders.order_list, name="order_list"),
    path("orders/from-approved/", views_orders.order_create, name="order_create"),
    path("orders/<int:pk>/", views_orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/pdf/", views_orders.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/send/", views_orders.order_send, name="order_send"),
    path("orders/<int:pk>/cancel/", views_orders.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/receive/", views_orders.receipt_create, name="receipt_create"),
    path("deliveries/<int:pk>/", views_orders.receipt_detail, name="receipt_detail"),
    path("reports/consumption/", views_reports.consumption, name="report_consumption"),
    path("reports/spend/", views_reports.spend, name="report_spend"),
    path("reports/below-reorder-point/", views_reports.low_stock, name="report_low_stock"),
    path("adjustments/", views_reports.adjustments, name="report_adjustments"),
]
