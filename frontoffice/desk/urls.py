"""The desk app's URLs: each area module under ``views/`` declares its own ``urlpatterns``."""

from .views import coverage, registration, setup, visits

app_name = "desk"

urlpatterns = [*visits.urlpatterns, *setup.urlpatterns]
urlpatterns += [*coverage.urlpatterns, *registration.urlpatterns]
