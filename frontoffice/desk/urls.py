"""The desk app's URLs: each area module under ``views/`` declares its own ``urlpatterns``."""

from .views import (
    board,
    calendar,
    coverage,
    documents,
    handover,
    intake,
    money,
    queue,
    registration,
    reminders,
    setup,
    visits,
    waitlist,
)

app_name = "desk"

urlpatterns = [*visits.urlpatterns, *setup.urlpatterns]
urlpatterns += intake.urlpatterns
urlpatterns += [*handover.urlpatterns, *documents.urlpatterns]
urlpatterns += money.urlpatterns
urlpatterns += [*coverage.urlpatterns, *registration.urlpatterns]
urlpatterns += calendar.urlpatterns
urlpatterns += [*queue.urlpatterns, *board.urlpatterns]
urlpatterns += reminders.urlpatterns
urlpatterns += waitlist.urlpatterns
