"""Routes of this area, included by interactions/urls.py (pages) and interactions/urls_events.py (streams)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.interaction_list, name="interaction_list"),
    path("new/", views.interaction_create, name="interaction_create"),
    path("<int:pk>/", views.interaction_detail, name="interaction_detail"),
    path("<int:pk>/edit/", views.interaction_edit, name="interaction_edit"),
    path("<int:pk>/client/", views.interaction_confirm_client, name="interaction_confirm_client"),
    path("<int:pk>/follow-ups/", views.interaction_follow_up_add, name="interaction_follow_up_add"),
    path("<int:pk>/case/", views.interaction_open_case, name="interaction_open_case"),
    path("<int:pk>/join-case/", views.interaction_join_case, name="interaction_join_case"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<int:pk>/", views.topic_edit, name="topic_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
]
event_urlpatterns: list = []
