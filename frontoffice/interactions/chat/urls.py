"""Routes of this area, included by interactions/urls.py (pages) and interactions/urls_events.py (streams)."""

from django.urls import path

from . import public, streams, views

urlpatterns: list = [
    path("chat/", views.inbox, name="chat_inbox"),
    path("chat/conversations/<int:pk>/", views.conversation, name="chat_conversation"),
    path("chat/conversations/<int:pk>/take/", views.take, name="chat_take"),
    path("chat/conversations/<int:pk>/reply/", views.reply, name="chat_reply"),
    path("chat/conversations/<int:pk>/end/", views.end, name="chat_end"),
    path("chat/conversations/<int:pk>/case/", views.open_case, name="chat_open_case"),
    path("chat/widgets/", views.widget_list, name="chat_widget_list"),
    path("chat/widgets/new/", views.widget_create, name="chat_widget_create"),
    path("chat/widgets/<int:pk>/", views.widget_edit, name="chat_widget_edit"),
    # The visitor's side (public, CORS, JSON): see public.py.
    path("chat/<str:token>/", public.widget_config, name="chat_widget_config"),
    path("chat/<str:token>/start/", public.chat_start, name="chat_visitor_start"),
    path("chat/<str:token>/send/", public.chat_send, name="chat_visitor_send"),
    path("chat/<str:token>/messages/", public.chat_messages, name="chat_visitor_messages"),
    path("chat/<str:token>/end/", public.chat_end, name="chat_visitor_end"),
    path("chat/<str:token>/offline/", public.offline_message, name="chat_visitor_offline"),
]
event_urlpatterns: list = [
    path("chat/agent/", streams.agent_stream, name="chat_agent_stream"),
    path("chat/visitor/<str:token>/", streams.visitor_stream, name="chat_visitor_stream"),
]
