"""Backup and restore: a database backed up, wiped and restored holds exactly what it held.

The round trip runs the real ``frontoffice`` command in child processes against
a database of its own: an SQLite file in ``tmp_path`` always, and a scratch
PostgreSQL database when the suite itself runs on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from frontoffice.core import backup
from tests.factories import OrganisationFactory

Snapshot = dict[str, list[str]]


def frontoffice(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontoffice.cli", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def child_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        FRONTOFFICE_ENV="test",
        FRONTOFFICE_VAR_DIR=str(tmp_path / "var"),
        FRONTOFFICE_PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        FRONTOFFICE_TASKS="immediate",
    )
    return env


# --- Reading a database directly, outside Django -------------------------------------


def sqlite_snapshot(path: Path) -> Snapshot:
    with contextlib.closing(sqlite3.connect(path)) as db:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {name: sorted(repr(row) for row in db.execute(f'SELECT * FROM "{name}"')) for name in names}  # noqa: S608


def postgres_snapshot(conninfo: dict[str, str]) -> Snapshot:
    import psycopg

    with psycopg.connect(**conninfo) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {name: sorted(repr(row) for row in db.execute(f'SELECT * FROM "{name}"')) for name in names}  # noqa: S608


# --- The two databases -------------------------------------------------------------------


class SqliteTarget:
    kind = "sqlite"

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "live.sqlite3"
        self.env = child_env(tmp_path, f"sqlite:///{self.path}")

    def snapshot(self) -> Snapshot:
        return sqlite_snapshot(self.path)

    def wipe(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresTarget:
    kind = "postgresql"

    def __init__(self, tmp_path: Path) -> None:
        db = settings.DATABASES["default"]
        self.name = f"fo_backup_{uuid.uuid4().hex[:12]}"
        self.server = {
            key: str(value)
            for key, value in (
                ("host", db["HOST"]),
                ("port", db["PORT"]),
                ("user", db["USER"]),
                ("password", db["PASSWORD"]),
            )
            if value
        }
        credentials = quote(db["USER"] or "", safe="") + (
            ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
        )
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        self.env = child_env(tmp_path, f"postgres://{credentials}@{host}/{self.name}")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(**self.server, dbname="postgres", autocommit=True) as db:
            db.execute(sql)

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def wipe(self) -> None:
        self.drop()
        self.create()

    def snapshot(self) -> Snapshot:
        return postgres_snapshot({**self.server, "dbname": self.name})


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path) -> Iterator[SqliteTarget | PostgresTarget]:
    if request.param == "sqlite":
        yield SqliteTarget(tmp_path)
        return
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL round trip runs when DATABASE_URL points at PostgreSQL")
    postgres = PostgresTarget(tmp_path)
    postgres.create()
    try:
        yield postgres
    finally:
        postgres.drop()


# --- The round trip ------------------------------------------------------------------------


def test_a_backup_restored_into_a_fresh_database_gives_back_every_row(target, tmp_path):
    # given a database with the demo in it
    loaded = frontoffice(target.env, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "manager.zdrowie" in loaded.stdout
    before = target.snapshot()
    assert before["accounts_user"], "the demo should have created users"
    # and a scanned document in the private folder
    private = tmp_path / "private"
    scan = private / "documents" / "2026" / "11" / "0a1b2c.pdf"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(b"%PDF-1.7\nthe scan of an ID card\n")
    stored = sorted(path.relative_to(private) for path in private.rglob("*") if path.is_file())
    assert len(stored) > 1, "the demo's signed intake forms are private files too"

    # when it is backed up
    file = tmp_path / f"front-office.{target.kind}.backup"
    made = frontoffice(target.env, "backup", str(file))

    # then the file exists and the summary counts every row
    assert made.returncode == 0, made.stderr
    assert file.is_file()
    assert backup.detect_format(file) == target.kind
    assert "Backup complete" in made.stdout
    assert f"{len(before)} tables" in made.stdout
    assert f"{sum(len(rows) for rows in before.values()):,} rows." in made.stdout
    # and the private files are archived next to it
    assert backup.files_archive(file).is_file()
    assert f"Private files: {len(stored):,} files" in made.stdout

    # and a restore over the live data is refused without --yes, leaving it untouched
    refused = frontoffice(target.env, "restore", str(file))
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert target.snapshot() == before

    # when the database and the private folder are lost, and a fresh database is migrated
    target.wipe()
    shutil.rmtree(private)
    migrated = frontoffice(target.env, "manage", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    assert not target.snapshot()["accounts_user"]

    # and the backup is restored (an empty database needs no --yes)
    restored = frontoffice(target.env, "restore", str(file))

    # then every table holds exactly the rows it held before
    assert restored.returncode == 0, restored.stderr
    assert "Restore complete" in restored.stdout
    after = target.snapshot()
    # and the scan is back where it was, byte for byte
    assert scan.read_bytes() == b"%PDF-1.7\nthe scan of an ID card\n"
    assert sorted(path.relative_to(private) for path in private.rglob("*") if path.is_file()) == stored
    assert f"Private files: {len(stored):,} files restored" in restored.stdout
    assert sorted(after) == sorted(before)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    for table in ("accounts_user", "core_organisation", "core_branch", "accounts_staffmember", "django_migrations"):
        assert after[table] == before[table], f"{table} differs after the restore"
    assert after == before

    # and the restored demo still works: a demo account's two-factor code can be read
    code = frontoffice(target.env, "demo-code", "manager.zdrowie")
    assert code.returncode == 0, code.stderr
    assert code.stdout.strip().isdigit()


# --- Refusals, checked in this process: each stops before touching the database -----------


def _sqlite_file_with_tables(path: Path, *tables: str) -> Path:
    with contextlib.closing(sqlite3.connect(path)) as db:
        for table in tables:
            db.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY)')
        db.commit()
    return path


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("not a database")

    with pytest.raises(backup.BackupError, match="not a Front Office backup") as error:
        backup.restore(file)

    assert error.value.exit_code == 2


@pytest.mark.django_db
def test_restore_refuses_a_backup_made_for_the_other_database_engine(tmp_path):
    if backup.engine() == "sqlite":
        file = tmp_path / "dump.pgdump"
        file.write_bytes(backup.PG_CUSTOM_MAGIC + b"\x01\x0e\x00" + bytes(64))
        expected = "PostgreSQL backup, but this installation uses SQLite"
    else:
        file = _sqlite_file_with_tables(tmp_path / "db.sqlite3", "django_migrations")
        expected = "SQLite backup, but this installation uses PostgreSQL"

    with pytest.raises(backup.BackupError, match=expected) as error:
        backup.restore(file)

    assert error.value.exit_code == 2


@pytest.mark.django_db
def test_restore_refuses_an_sqlite_database_of_another_application(tmp_path):
    if backup.engine() != "sqlite":
        pytest.skip("SQLite files are checked on SQLite")
    file = _sqlite_file_with_tables(tmp_path / "other.sqlite3", "invoices")

    with pytest.raises(backup.BackupError, match="not one of this application") as error:
        backup.restore(file)

    assert error.value.exit_code == 2


@pytest.mark.django_db
def test_restore_refuses_to_replace_data_without_yes(tmp_path):
    if backup.engine() != "sqlite":
        pytest.skip("the PostgreSQL refusal is part of the round trip above")
    OrganisationFactory()
    file = _sqlite_file_with_tables(tmp_path / "backup.sqlite3", "django_migrations")

    with pytest.raises(backup.BackupError, match=r"already holds data.*--yes") as error:
        backup.restore(file)

    assert error.value.exit_code == 2


def test_a_restore_keeps_the_private_files_it_replaces_and_refuses_a_tampered_archive(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    archive = tmp_path / "source"
    (archive / "intake").mkdir(parents=True)
    (archive / "intake" / "signature.png").write_bytes(b"\x89PNG from the backup")
    files = tmp_path / "b.sqlite3.private.tar"
    import tarfile

    with tarfile.open(files, "w") as tar:
        tar.add(archive / "intake" / "signature.png", arcname="intake/signature.png")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "later.pdf").write_bytes(b"%PDF uploaded after the backup")

    notes = backup._files_restore(files)

    assert (tmp_path / "private" / "intake" / "signature.png").read_bytes() == b"\x89PNG from the backup"
    assert not (tmp_path / "private" / "later.pdf").exists()
    assert (tmp_path / "private" / ".before-restore" / "later.pdf").is_file()
    assert not (tmp_path / "private" / ".restoring").exists()
    assert any("before-restore" in note for note in notes)
    # a member outside the folder (or a link) means the archive was not made by backup
    with tarfile.open(files, "w") as tar:
        tar.add(archive / "intake" / "signature.png", arcname="../outside.png")
    with pytest.raises(backup.BackupError, match="not a private file") as error:
        backup._check_files_archive(files)
    assert error.value.exit_code == 2


def test_backup_does_not_overwrite_an_existing_file_unless_forced(tmp_path):
    file = tmp_path / "backup.sqlite3"
    file.write_text("yesterday's backup")

    with pytest.raises(backup.BackupError, match="already exists") as error:
        backup.backup(file)

    assert error.value.exit_code == 2
    assert file.read_text() == "yesterday's backup"


def test_the_summary_fits_one_screen_and_names_the_largest_tables(tmp_path):
    file = tmp_path / "backup.sqlite3"
    file.write_bytes(b"x" * 2048)
    tables = [(f"table_{index:02d}", index * 10) for index in range(40)]

    text = backup.Summary("Backup", "sqlite", file, 1.25, tables).render()

    lines = text.splitlines()
    assert len(lines) <= 20
    assert lines[0] == f"Backup complete: {file} (SQLite, 2.0 KB, 1.2 s)"
    assert lines[1] == "40 tables (1 empty), 7,800 rows."
    assert "table_39" in lines[3]
    assert "… and 27 more tables" in lines[-1]
