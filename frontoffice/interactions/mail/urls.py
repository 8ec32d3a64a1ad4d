"""Routes of this area, included by interactions/urls.py (pages) and interactions/urls_events.py (streams)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("mail/mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("mail/mailboxes/new/", views.mailbox_create, name="mailbox_create"),
    path("mail/mailboxes/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("mail/mailboxes/<int:pk>/test/", views.mailbox_test, name="mailbox_test"),
    path("mail/mailboxes/<int:pk>/check/", views.mailbox_check, name="mailbox_check"),
    path("mail/<int:pk>/", views.email_detail, name="email_detail"),
    path("mail/<int:pk>/reply/", views.email_reply, name="email_reply"),
    path("mail/attachments/<int:pk>/", views.email_attachment, name="email_attachment"),
]
event_urlpatterns: list = []
