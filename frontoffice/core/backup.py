"""Back up and restore the whole database and the private files: ``frontoffice backup FILE`` /
``frontoffice restore FILE``.

- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies a
  consistent snapshot while the application keeps running; the file it writes
  is itself an SQLite database.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists``,
  with the connection parameters of ``settings.DATABASES`` passed through libpq's
  environment variables (``PGPASSWORD`` and friends), so no password appears
  on a command line.

- Private files (``settings.PRIVATE_MEDIA_ROOT``: scans, card images, intake files): a tar
  archive next to the database backup, ``FILE.private.tar``, written with it (the database
  file itself stays a plain SQLite database or pg_dump archive that the usual tools open).
  A restore puts the folder's contents back from it and keeps what it replaces in
  ``<folder>/.before-restore`` (the folder itself may be a mount point); a backup without
  the archive (made by an older version) restores the database and leaves the folder alone.

A restore replaces everything, so it refuses to overwrite a database that
holds data unless told ``yes=True``, and it checks first that the file is a
backup of this application for the database engine in use.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"

# Filled in by ``migrate`` itself, so they say nothing about whether anyone used the database.
MIGRATE_FILLS = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "auth_group",
        "auth_group_permissions",
    }
)
# Past this size an SQLite copy is made in steps, so that a progress bar can move.
SQLITE_ONE_STEP_PAGES = 16_384


class BackupError(Exception):
    """The backup or restore could not be done; ``exit_code`` 2 means the request itself was wrong."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def usage_error(message: str) -> BackupError:
    return BackupError(message, exit_code=2)


# --- Progress and summary -----------------------------------------------------------


class Progress:
    """A one-line progress bar, drawn only when ``stream`` is a terminal."""

    def __init__(self, label: str, *, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._shown = -1

    def update(self, done: int, total: int, detail: str = "") -> None:
        if not self.enabled or total <= 0:
            return
        percent = min(100, int(done * 100 / total))
        if percent == self._shown and not detail:
            return
        self._shown = percent
        filled = percent * 30 // 100
        bar = "#" * filled + "." * (30 - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {detail[:30]:<30}")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self._shown >= 0:
            self.stream.write("\r" + " " * (len(self.label) + 72) + "\r")
            self.stream.flush()


@dataclass
class Summary:
    """What a backup or restore did, in one screen."""

    action: str
    engine: str
    path: Path
    seconds: float
    tables: list[tuple[str, int]]
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(rows for _name, rows in self.tables)

    def render(self, *, largest: int = 12) -> str:
        size = self.path.stat().st_size if self.path.exists() else 0
        lines = [
            f"{self.action} complete: {self.path} ({_ENGINE_NAMES[self.engine]}, {_human_size(size)}, "
            f"{self.seconds:.1f} s)",
            f"{len(self.tables)} tables ({sum(1 for _name, rows in self.tables if rows == 0)} empty), "
            f"{self.rows:,} rows.",
        ]
        busiest = sorted((item for item in self.tables if item[1]), key=lambda item: (-item[1], item[0]))
        if busiest:
            width = max(len(name) for name, _rows in busiest[:largest])
            lines.append("Largest tables:")
            lines += [f"  {name:<{width}}  {rows:>12,}" for name, rows in busiest[:largest]]
            rest = busiest[largest:]
            if rest:
                lines.append(f"  … and {len(rest)} more tables with {sum(rows for _n, rows in rest):,} rows")
        lines += self.notes
        return "\n".join(lines)


_ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


# --- Entry points --------------------------------------------------------------------


def engine(alias: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in _ENGINE_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def backup(
    path: Path, *, overwrite: bool = False, progress: Progress | None = None, alias: str = DEFAULT_DB_ALIAS
) -> Summary:
    """Write a backup of the whole database to ``path`` (atomically: a failed run leaves no file)."""
    path = Path(path)
    if path.is_dir():
        raise usage_error(f"{path} is a folder; give the name of the backup file to write.")
    if path.exists() and not overwrite:
        raise usage_error(f"{path} already exists; choose another name or pass --force to replace it.")
    if not path.parent.is_dir():
        raise usage_error(f"The folder {path.parent} does not exist.")
    kind = engine(alias)
    progress = progress or Progress("Backing up", enabled=False)
    partial = path.with_name(path.name + ".partial")
    files = files_archive(path)
    files_partial = files.with_name(files.name + ".partial")
    partial.unlink(missing_ok=True)
    files_partial.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        if kind == "sqlite":
            notes = _sqlite_backup(connections[alias].settings_dict["NAME"], partial, progress)
            tables = _sqlite_file_counts(partial)
        else:
            tables = table_counts(alias)
            notes = _pg_dump(alias, partial, progress, total=len(tables))
        notes += _files_backup(files_partial)
        os.replace(files_partial, files)
        os.replace(partial, path)
    finally:
        progress.done()
        partial.unlink(missing_ok=True)
        files_partial.unlink(missing_ok=True)
    return Summary("Backup", kind, path, time.monotonic() - started, tables, notes)


def restore(
    path: Path, *, yes: bool = False, progress: Progress | None = None, alias: str = DEFAULT_DB_ALIAS
) -> Summary:
    """Replace the whole database with the backup in ``path``."""
    path = Path(path)
    if not path.is_file():
        raise usage_error(f"{path} is not a file.")
    kind = engine(alias)
    found = detect_format(path)
    if found is None:
        raise usage_error(f"{path} is not a Front Office backup: neither an SQLite database nor a pg_dump archive.")
    if found != kind:
        raise usage_error(
            f"{path} is a {_ENGINE_NAMES[found]} backup, but this installation uses {_ENGINE_NAMES[kind]}: "
            "restore it into a database of the same kind."
        )
    if kind == "sqlite":
        _check_sqlite_backup(path)
        total = None
    else:
        total = _check_pg_archive(path)
    occupied = tables_with_data(alias)
    if occupied and not yes:
        listed = ", ".join(occupied[:5]) + (" …" if len(occupied) > 5 else "")
        raise usage_error(
            f"The database already holds data ({listed}). A restore replaces all of it; "
            "stop the web server and workers, then run again with --yes."
        )
    files = files_archive(path)
    if files.exists():
        _check_files_archive(files)
    progress = progress or Progress("Restoring", enabled=False)
    started = time.monotonic()
    connections.close_all()
    try:
        if kind == "sqlite":
            notes = _sqlite_restore(path, connections[alias].settings_dict["NAME"], progress)
        else:
            notes = _pg_restore(alias, path, progress, total=total or 0)
    finally:
        progress.done()
        connections.close_all()
    notes += _files_restore(files)
    notes += migration_notes(alias)
    return Summary("Restore", kind, path, time.monotonic() - started, table_counts(alias), notes)


def detect_format(path: Path) -> str | None:
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    return None


# --- Reading the live database ---------------------------------------------------------


def _quote(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


def _table_names(alias: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return sorted(info.name for info in connection.introspection.get_table_list(cursor) if info.type == "t")


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> list[tuple[str, int]]:
    counts = []
    with connections[alias].cursor() as cursor:
        for name in _table_names(alias):
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(alias, name)}")  # noqa: S608 (names come from the catalogue)
            counts.append((name, cursor.fetchone()[0]))
    return counts


def tables_with_data(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Tables holding rows that ``migrate`` did not put there."""
    occupied = []
    # Only the models' tables: search indexes (an FTS5 table's shadow tables) hold
    # bookkeeping rows from the moment migrate creates them.
    model_tables = set(connections[alias].introspection.django_table_names(only_existing=True))
    with connections[alias].cursor() as cursor:
        for name in _table_names(alias):
            if name in MIGRATE_FILLS or name.startswith("sqlite_") or name not in model_tables:
                continue
            cursor.execute(f"SELECT 1 FROM {_quote(alias, name)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                occupied.append(name)
    return occupied


def _migration_state(alias: str) -> tuple[int, int]:
    """How many migrations the code has that the database lacks, and the other way round."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.disk_migrations)
    return len(plan), len(unknown)


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    return _migration_state(alias)[0]


def migration_notes(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Say whether the database and the code agree on migrations."""
    pending, unknown = _migration_state(alias)
    notes = []
    if pending:
        notes.append(
            f"The backup predates {pending} migration(s) of this version: run "
            "`frontoffice manage migrate` (`frontoffice run` does it on start)."
        )
    if unknown:
        notes.append(
            f"Warning: the backup comes from a newer version ({unknown} migration(s) this code "
            "does not know); install that version or newer before using it."
        )
    return notes


# --- Private files ---------------------------------------------------------------------


# Inside the private folder, left out of backups: a restore's working folder and what it replaced.
RESTORING, BEFORE_RESTORE = ".restoring", ".before-restore"


def files_archive(path: Path) -> Path:
    """Where the private files of the backup ``path`` go: ``<path>.private.tar``, next to it."""
    return path.with_name(path.name + ".private.tar")


def private_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def _files_backup(target: Path) -> list[str]:
    """Archive the private folder (an empty archive when it has nothing yet); a note for the summary."""
    root = private_root()
    count = size = 0
    with tarfile.open(target, "w") as archive:
        if root.is_dir():
            for item in sorted(root.rglob("*")):
                inside = item.relative_to(root).parts
                if inside[0] in (RESTORING, BEFORE_RESTORE):
                    continue
                if item.is_file() and not item.is_symlink():
                    archive.add(item, arcname=item.relative_to(root).as_posix(), recursive=False)
                    count += 1
                    size += item.stat().st_size
    notes = [f"Private files: {count:,} files ({_human_size(size)}) from {root} in {files_archive_name(target)}."]
    if "private" in settings.STORAGES:
        notes.append(
            'Note: STORAGES["private"] is configured, so uploads live there, not in the folder: '
            "back that storage up with its own tools."
        )
    return notes


def files_archive_name(partial_or_final: Path) -> str:
    return partial_or_final.name.removesuffix(".partial")


def _check_files_archive(path: Path) -> None:
    try:
        with tarfile.open(path, "r") as archive:
            for member in archive.getmembers():
                name = member.name
                if not (member.isfile() or member.isdir()) or name.startswith("/") or ".." in Path(name).parts:
                    raise usage_error(f"{path} holds {name!r}, which is not a private file; it was not made by backup.")
    except tarfile.TarError as error:
        raise usage_error(f"{path} cannot be read as the private files of a backup: {error}") from error


def _files_restore(archive_path: Path) -> list[str]:
    """Put the private folder back from the archive, keeping what it replaces in ``.before-restore``.

    Everything is moved within the folder itself, never the folder: it may be a mount point (a
    shared network folder), which cannot be renamed.
    """
    root = private_root()
    if not archive_path.exists():
        return [
            f"No private files next to the backup ({archive_path.name}): the folder {root} was left as it is "
            "(a backup made before files were included)."
        ]
    root.mkdir(parents=True, exist_ok=True)
    incoming, previous = root / RESTORING, root / BEFORE_RESTORE
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    with tarfile.open(archive_path, "r") as archive:
        archive.extractall(incoming, filter="data")
        count = sum(1 for member in archive.getmembers() if member.isfile())
    notes = [f"Private files: {count:,} files restored into {root}."]
    current = [item for item in root.iterdir() if item.name not in (RESTORING, BEFORE_RESTORE)]
    if current:
        shutil.rmtree(previous, ignore_errors=True)
        previous.mkdir()
        for item in current:
            os.replace(item, previous / item.name)
        notes.append(f"The files that were there are kept in {previous}; delete it once the restore is checked.")
    for item in incoming.iterdir():
        os.replace(item, root / item.name)
    incoming.rmdir()
    return notes


# --- SQLite --------------------------------------------------------------------------


class _Restarted(Exception):
    """Another process wrote to the source while it was being copied page by page."""


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress) -> list[str]:
    total = source.execute("PRAGMA page_count").fetchone()[0]
    if total <= SQLITE_ONE_STEP_PAGES or not progress.enabled:
        source.backup(target)
        return []
    lowest = [total]

    def report(_status: int, remaining: int, pages: int) -> None:
        if remaining > lowest[0]:
            raise _Restarted
        lowest[0] = remaining
        progress.update(pages - remaining, pages)

    try:
        source.backup(target, pages=max(256, total // 100), progress=report)
    except _Restarted:
        # Copying in steps starts over whenever someone writes; one step holds a
        # read snapshot instead, which writers in WAL mode do not disturb.
        source.backup(target)
        return ["The database was being written to, so it was copied in one step."]
    return []


def _sqlite_backup(database: str, target: Path, progress: Progress) -> list[str]:
    if not Path(database).is_file():
        raise BackupError(f"There is no database at {database} yet (run `frontoffice manage migrate`).")
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        notes = _copy_sqlite(source, copy, progress)
        # A self-contained file: rollback journal, not WAL with its side files.
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("The copy failed its integrity check; the database may be damaged.")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from error
    finally:
        copy.close()
        source.close()
    return notes


def _open_sqlite_backup(path: Path) -> sqlite3.Connection:
    # immutable: read the file as it is, without locks or side files, whatever journal mode it was left in.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _check_sqlite_backup(path: Path) -> None:
    try:
        backup_db = _open_sqlite_backup(path)
        try:
            if backup_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise usage_error(f"{path} is a damaged SQLite file (it fails SQLite's integrity check).")
            found = backup_db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            backup_db.close()
    except sqlite3.DatabaseError as error:
        raise usage_error(f"{path} cannot be read as an SQLite database: {error}") from error
    if not found:
        raise usage_error(f"{path} is an SQLite database, but not one of this application (no django_migrations).")


def _sqlite_file_counts(path: Path) -> list[tuple[str, int]]:
    backup_db = _open_sqlite_backup(path)
    try:
        names = [
            row[0]
            for row in backup_db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return [
            (name, backup_db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])  # noqa: S608
            for name in names
        ]
    finally:
        backup_db.close()


def _sqlite_restore(path: Path, database: str, progress: Progress) -> list[str]:
    source = _open_sqlite_backup(path)
    target = sqlite3.connect(database, timeout=30)
    try:
        # The copy takes the backup's page size, which a database in WAL mode cannot
        # change: leave WAL for the copy when no one else has the database open.
        with contextlib.suppress(sqlite3.OperationalError):
            target.execute("PRAGMA journal_mode=DELETE")
        _copy_sqlite(source, target, progress)
        target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(
            f"SQLite could not restore the database: {error}. Is the web server or a worker "
            "still running? Stop them and try again."
        ) from error
    finally:
        target.close()
        source.close()
    return []


# --- PostgreSQL ---------------------------------------------------------------------

# libpq reads these; OPTIONS keys that libpq also knows are passed the same way.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def libpq_environment(alias: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The environment for pg_dump / pg_restore / psql: connection parameters, password included."""
    db = connections[alias].settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    env["PGAPPNAME"] = "frontoffice-backup"
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools (Debian: apt-get install postgresql-client)."
        )
    return found


def _run_pg_tool(
    command: list[str], env: dict[str, str], progress: Progress, total: int, step: re.Pattern[str]
) -> list[str]:
    """Run pg_dump or pg_restore with --verbose, moving the bar on each table it reports."""
    done = 0
    tail: deque[str] = deque(maxlen=15)
    warnings: list[str] = []
    with subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            match = step.search(line)
            if match:
                done += 1
                progress.update(done, max(total, done), match.group(1))
            else:
                tail.append(line.rstrip())
                if "warning:" in line.lower():
                    warnings.append(line.strip())
        code = process.wait()
    if code != 0:
        details = "\n".join(tail) or "(no message)"
        raise BackupError(f"{Path(command[0]).name} failed with exit code {code}:\n{details}")
    return warnings[:5]


def _pg_dump(alias: str, target: Path, progress: Progress, *, total: int) -> list[str]:
    command = [_tool("pg_dump"), "--format=custom", "--verbose", "--no-owner", "--no-privileges", f"--file={target}"]
    return _run_pg_tool(
        command, libpq_environment(alias), progress, total, re.compile(r'dumping contents of table "?([^"\s]+)"?')
    )


def _pg_list(path: Path) -> list[str]:
    result = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    if result.returncode != 0:
        raise usage_error(f"{path} cannot be read by pg_restore: {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line and not line.startswith(";")]


def _check_pg_archive(path: Path) -> int:
    """Check that the archive is one of ours; return how many tables of data it holds."""
    entries = _pg_list(path)
    if not any(re.search(r"\bTABLE \S+ django_migrations\b", entry) for entry in entries):
        raise usage_error(f"{path} is a PostgreSQL archive, but not one of this application (no django_migrations).")
    return sum(1 for entry in entries if " TABLE DATA " in entry)


def _pg_restore(alias: str, path: Path, progress: Progress, *, total: int) -> list[str]:
    env = libpq_environment(alias)
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--verbose",
        f"--dbname={env['PGDATABASE']}",
        str(path),
    ]
    return _run_pg_tool(command, env, progress, total, re.compile(r'processing data for table "?([^"\s]+)"?'))
