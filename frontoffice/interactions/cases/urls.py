"""Routes of this area, included by interactions/urls.py (pages) and interactions/urls_events.py (streams)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/notes/", views.case_note_add, name="case_note_add"),
    path("cases/<int:pk>/notes/<int:note_pk>/file/", views.case_note_file, name="case_note_file"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:pk>/complaint/", views.case_complaint, name="case_complaint"),
    path("cases/<int:pk>/merge/", views.case_merge, name="case_merge"),
    path("cases/canned/", views.canned_reply_list, name="canned_reply_list"),
    path("cases/canned/<int:pk>/", views.canned_reply_edit, name="canned_reply_edit"),
    path("cases/sla/", views.sla_policy_list, name="sla_policy_list"),
    path("cases/sla/new/", views.sla_policy_edit, name="sla_policy_create"),
    path("cases/sla/<int:pk>/", views.sla_policy_edit, name="sla_policy_edit"),
    path("cases/teams/<int:pk>/routing/", views.team_routing, name="team_routing"),
    path("clients/<int:pk>/timeline/", views.client_timeline, name="client_timeline"),
]
event_urlpatterns: list = [
    path("cases/", views.case_stream, name="case_stream"),
]
