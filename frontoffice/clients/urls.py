"""The clients app's URLs: each area module under ``views/`` declares its own ``urlpatterns``."""

from .views import duplicates, merge, privacy, register, relationships, search, transfer

app_name = "clients"

urlpatterns = [
    *search.urlpatterns,
    *register.urlpatterns,
    *relationships.urlpatterns,
    *duplicates.urlpatterns,
    *merge.urlpatterns,
    *transfer.urlpatterns,
    *privacy.urlpatterns,
]
