"""The feedback app's pages, under ``/feedback/``: staff pages, and the client's pages opened by a signed link."""

from django.urls import path

from . import public, views

app_name = "feedback"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/toggle/", views.survey_toggle, name="survey_toggle"),
    path("surveys/<int:pk>/rules/new/", views.rule_create, name="rule_create"),
    path("surveys/<int:pk>/rules/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("responses/", views.response_list, name="response_list"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("responses/<int:pk>/complaint/", views.response_to_complaint, name="response_to_complaint"),
    path("tablet/visit/<int:pk>/", views.kiosk_visit, name="kiosk_visit"),
    # Opened without signing in.
    path("s/<str:token>/", public.answer, name="answer"),
    path("tablet/s/<str:token>/", public.kiosk, name="kiosk"),
    path("tablet/thanks/", public.kiosk_done, name="kiosk_done"),
    path("sms/inbound/", public.sms_inbound, name="sms_inbound"),
]
