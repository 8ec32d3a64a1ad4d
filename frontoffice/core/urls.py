from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("organisation/", views.organisation_detail, name="organisation_detail"),
    path("branches/", views.branch_list, name="branch_list"),
    path("branches/new/", views.branch_create, name="branch_create"),
    path("branches/<int:pk>/", views.branch_detail, name="branch_detail"),
    path("branches/<int:pk>/edit/", views.branch_edit, name="branch_edit"),
    path("branches/<int:pk>/hours/", views.branch_hours, name="branch_hours"),
    path("branches/<int:pk>/departments/new/", views.department_create, name="department_create"),
    path("audit/", views.audit_list, name="audit_list"),
    path("messages/", views.message_list, name="message_list"),
    path("history/<str:model>/<str:pk>/", views.record_history, name="record_history"),
]
