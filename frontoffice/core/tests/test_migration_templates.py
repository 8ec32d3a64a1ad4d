"""An empty database is filled from the migrated template of the same migrations, and nothing else is touched."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from frontoffice.core import migration_templates

ROOT = Path(__file__).resolve().parents[3]


def migrate_in_a_new_process(database_url: str, templates: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url, "FRONTOFFICE_MIGRATION_TEMPLATES": str(templates)}
    environment.pop("FRONTOFFICE_ENV", None)
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "1"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )


def administer(statement: str) -> None:
    """A statement PostgreSQL runs only outside a transaction (the test's own connection is inside one)."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        dbname="postgres", user=settings["USER"], host=settings["HOST"], port=settings["PORT"], autocommit=True
    ) as admin:
        admin.execute(statement)


@pytest.mark.django_db
def test_a_new_database_is_filled_from_this_runs_template_and_every_migration_counts_as_applied(tmp_path):
    templates = migration_templates.folder()
    assert templates is not None, "the test settings turn templates on"
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"
    template = templates / f"{connection.vendor}-{migration_templates.fingerprint(connection)}{suffix}"
    assert template.exists(), "this run's own test database was migrated into the template"
    if connection.vendor == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'fresh.sqlite3'}", None
    else:
        name = f"frontoffice_template_check_{uuid.uuid4().hex[:8]}"
        settings = connection.settings_dict
        administer(f'CREATE DATABASE "{name}"')
        url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
        drop = name
    try:
        result = migrate_in_a_new_process(url, templates)
    finally:
        if drop:
            administer(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')

    assert "No migrations to apply." in result.stdout  # the template had them all: none ran here
    assert sorted(path.name for path in templates.iterdir() if path.suffix == suffix).count(template.name) == 1


@pytest.mark.django_db
def test_a_database_that_is_not_empty_is_neither_filled_nor_saved(tmp_path, monkeypatch):
    monkeypatch.setenv(migration_templates.ENVIRONMENT, str(tmp_path))

    with migration_templates.filled_from_template(connection):
        pass

    assert list(tmp_path.iterdir()) == []


def test_templates_are_off_unless_a_folder_is_named(monkeypatch):
    monkeypatch.delenv(migration_templates.ENVIRONMENT, raising=False)

    assert migration_templates.folder() is None
