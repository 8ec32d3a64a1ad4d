"""Migrated-database templates: an empty database is filled from a copy instead of migrating from nothing.

Building the schema from the migrations costs a minute or more of CPU, most of it Django rendering the
model states between operations, and a test run or a benchmark smoke run builds it many times (once per
test process, per browser-test session, per benchmark). With ``FRONTOFFICE_MIGRATION_TEMPLATES`` naming a
folder (the test settings and ``make test``/``make bench`` set it; it is off otherwise), ``migrate`` on an
empty database looks there for a template made from exactly the same migrations:

- found: the template is copied in (SQLite: the backup API; PostgreSQL: ``pg_restore`` of a ``pg_dump``);
- not found: the database is migrated as usual and then saved as the template for the next time.

Either way ``migrate`` then runs as always: it finds every migration applied and sends ``post_migrate``.
The template's name is a digest of every migration file and the Django version, so a changed, added or
removed migration makes a new template and an old one is never used. A lock file keeps parallel test
processes from building the same template twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import django
from django.db.migrations.loader import MigrationLoader

ENVIRONMENT = "FRONTOFFICE_MIGRATION_TEMPLATES"


def folder() -> Path | None:
    value = os.environ.get(ENVIRONMENT, "").strip()
    return Path(value) if value else None


def fingerprint(connection: Any) -> str:
    """A digest of every migration on disk (name and file content) and the Django version."""
    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    digest = hashlib.sha256(django.get_version().encode())
    for key in sorted(loader.disk_migrations):
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def is_empty(connection: Any) -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def filled_from_template(connection: Any) -> Iterator[None]:
    """Around a full ``migrate`` of ``connection``: fill an empty database from its template first, or save
    it as the template after the migration made it. Does nothing when templates are off or the database is
    not empty."""
    base = folder()
    usable = connection.vendor == "sqlite" or (connection.vendor == "postgresql" and available())
    if base is None or not usable or not is_empty(connection):
        yield
        return
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"
    template = base / f"{connection.vendor}-{fingerprint(connection)}{suffix}"
    with ExitStack() as lock:
        lock.enter_context(_locked(template))
        if template.exists():
            _load(connection, template)
            lock.close()  # the rest of ``migrate`` is quick: let the other processes load theirs meanwhile
            yield
            return
        yield  # the migration builds the schema, holding the lock so that one process builds the template
        _save(connection, template)


def _load(connection: Any, template: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()  # pg_restore works through its own connection
    subprocess.run(
        [
            _program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *_pg_arguments(connection),
            str(template),
        ],
        check=True,
        env=_pg_environment(connection),
        stdout=subprocess.DEVNULL,
    )


def _save(connection: Any, template: Path) -> None:
    handle, partial = tempfile.mkstemp(dir=template.parent, prefix=template.name, suffix=".partial")
    os.close(handle)
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            subprocess.run(
                [_program("pg_dump"), "--format=custom", "--no-owner", "--file", partial, *_pg_arguments(connection)],
                check=True,
                env=_pg_environment(connection),
            )
        os.chmod(partial, 0o644)
        os.replace(partial, template)  # whole or not at all: a reader never sees half a template
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _pg_arguments(connection: Any) -> list[str]:
    settings = connection.settings_dict
    arguments = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        arguments += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        arguments += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        arguments += ["--username", str(settings["USER"])]
    return arguments


def _pg_environment(connection: Any) -> dict[str, str]:
    environment = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(connection.settings_dict["PASSWORD"])
    return environment


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def available() -> bool:
    """Whether PostgreSQL templates can be made here (the client programs are installed)."""
    return shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None
