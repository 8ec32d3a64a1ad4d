"""The supplies app's pages, under ``/supplies/``."""

from django.urls import path

from . import views, views_stocktake

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
]
