"""The clients app's pages, one module per area (registration and search, duplicates and merge,
import and export, privacy). ``urls.py`` joins their ``urlpatterns``."""
