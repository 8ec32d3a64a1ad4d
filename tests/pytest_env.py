"""Loaded with ``-p tests.pytest_env`` before pytest-django reads the settings."""

import os

# Test mode: immediate tasks, in-memory mail, fast password hashing.
os.environ.setdefault("FRONTOFFICE_ENV", "test")

# Uploaded private files (documents, scans) go to a temporary folder removed when the run ends.
if "FRONTOFFICE_PRIVATE_MEDIA_ROOT" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _private = tempfile.mkdtemp(prefix="frontoffice-private-")
    os.environ["FRONTOFFICE_PRIVATE_MEDIA_ROOT"] = _private
    atexit.register(shutil.rmtree, _private, ignore_errors=True)

# An empty test database is filled from a migrated template (core.migration_templates): migrating from
# nothing costs every test process a minute of CPU.
if "FRONTOFFICE_MIGRATION_TEMPLATES" not in os.environ:
    from pathlib import Path

    _var = Path(os.environ.get("FRONTOFFICE_VAR_DIR") or Path(__file__).resolve().parents[1] / "var")
    os.environ["FRONTOFFICE_MIGRATION_TEMPLATES"] = str(_var / "migration-templates")
