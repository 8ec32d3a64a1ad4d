from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("frontoffice.accounts.urls")),
    path("", include("frontoffice.core.urls")),
    path("clients/", include("frontoffice.clients.urls")),
    path("feedback/", include("frontoffice.feedback.urls")),
    path("desk/", include("frontoffice.desk.urls")),
    path("interactions/", include("frontoffice.interactions.urls")),
    path("supplies/", include("frontoffice.supplies.urls")),
    path("reports/", include("frontoffice.reports.urls")),
    # Long-lived Server-Sent Event streams: config.serve routes /events/ to the ASGI handler.
    path("events/desk/", include("frontoffice.desk.urls_events")),
    path("events/interactions/", include("frontoffice.interactions.urls_events")),
    path("api/v1/", api.urls),
]

handler403 = "frontoffice.core.errors.permission_denied"
handler404 = "frontoffice.core.errors.page_not_found"
handler500 = "frontoffice.core.errors.server_error"
