"""Loaded with ``-p tests.pytest_env`` before pytest-django reads the settings."""

import os

# Test mode: immediate tasks, in-memory mail, fast password hashing.
os.environ.setdefault("FRONTOFFICE_ENV", "test")
