"""Routes of this area, included by interactions/urls.py (pages) and interactions/urls_events.py (streams)."""

from django.urls import path

from . import views, views_setup

urlpatterns = [
    path("cti/<str:token>/", views.cti_webhook, name="cti_webhook"),
    path("phone/callbacks/", views.callback_list, name="callback_list"),
    path("phone/callbacks/<int:pk>/take/", views.callback_take, name="callback_take"),
    path("phone/callbacks/<int:pk>/attempt/", views.callback_attempt, name="callback_attempt"),
    path("phone/callbacks/<int:pk>/close/", views.callback_close, name="callback_close"),
    path("phone/state/", views.agent_state_set, name="agent_state_set"),
    path("phone/calls/", views.call_list, name="call_list"),
    path("phone/calls/new/", views.call_log_outbound, name="call_log_outbound"),
    path("phone/calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("phone/calls/<int:pk>/outcome/", views.call_outcome, name="call_outcome"),
    path("phone/calls/<int:pk>/pop/", views.call_pop, name="call_pop"),
    path("phone/settings/", views.phone_settings, name="phone_settings"),
    path("phone/settings/tokens/", views.cti_token_create, name="cti_token_create"),
    path("phone/settings/tokens/<int:pk>/revoke/", views.cti_token_revoke, name="cti_token_revoke"),
    path("phone/settings/extensions/", views.agent_phone_set, name="agent_phone_set"),
    path("phone/settings/branches/<int:pk>/", views_setup.phone_settings_branch, name="phone_settings_branch"),
    path("phone/blocked/", views_setup.blocked_number_list, name="blocked_number_list"),
    path("phone/blocked/add/", views_setup.blocked_number_add, name="blocked_number_add"),
    path("phone/blocked/<int:pk>/remove/", views_setup.blocked_number_remove, name="blocked_number_remove"),
]
event_urlpatterns = [
    path("pop/", views.pop_stream, name="pop_stream"),
]
