"""The ``frontoffice`` command: serve, work, demo, back up, and reach every Django command.

Exit codes: 0 done, 1 failed, 2 bad usage (including a bad setting in the
environment, reported as one line naming the variable).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from config.env import EnvError

DEMO_EMAIL_DOMAIN = "@demo.frontoffice.invalid"


class CommandFailed(Exception):
    """Stop the command with a message on stderr and ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _usage(message: str) -> NoReturn:
    raise CommandFailed(message, exit_code=2)


# --- run ---------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if args.migrate:
        _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()

    workers = args.workers or ((os.cpu_count() or 1) if settings.REDIS_URL else 1)
    if workers > 1 and not settings.REDIS_URL:
        print(
            "Warning: several web processes without REDIS_URL: live updates reach only the clients "
            "of the process where the change was made. Set REDIS_URL, or use --workers 1.",
            file=sys.stderr,
        )
    # Read by config.serve in every worker process.
    os.environ["FRONTOFFICE_WEB_THREADS"] = str(args.threads)
    print(
        f"Front Office on http://{_url_host(args.host)}:{args.port}/ — {workers} process(es) × "
        f"{args.threads} threads for pages, async event streams under /events/. Ctrl+C stops.",
        flush=True,
    )
    uvicorn.run(
        "config.serve:application",
        host=args.host,
        port=args.port,
        workers=workers,
        lifespan="on",
        proxy_headers=True,
        server_header=False,
        # Event streams never end by themselves; do not wait for them on shutdown.
        timeout_graceful_shutdown=5,
        log_level=args.log_level,
    )
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _migrate() -> None:
    from django.core.management import call_command

    from frontoffice.core.backup import pending_migrations

    pending = pending_migrations()
    if pending:
        print(f"Applying {pending} database migration(s)…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)


# --- worker ------------------------------------------------------------------------


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):
        _usage(
            "Background tasks run inside the web process here (FRONTOFFICE_TASKS=immediate); "
            "set FRONTOFFICE_TASKS=database to use a worker."
        )
    if args.sweep and settings.SWEEP_SECONDS > 0:
        from frontoffice.core.periodic import start_sweeping

        start_sweeping()
    if settings.CTI_QUEUE:
        # Queued phone-system events are applied here (or by a web process, whichever holds the lock first).
        from frontoffice.interactions.phone.queue import ensure_applier

        ensure_applier()
    if args.mail_watch:
        # New mail is read as it arrives from servers that offer IMAP IDLE; the poll stays underneath.
        from frontoffice.interactions.mail.watch import start_watching

        start_watching()
    options = ["--queue-name", args.queue, "--interval", str(args.interval), "--no-reload"]
    if args.batch:
        options.append("--batch")
    if args.max_tasks:
        options += ["--max-tasks", str(args.max_tasks)]
    call_command("db_worker", *options)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from frontoffice.core.periodic import run_due

    failed = []
    for name, count in run_due().items():
        print(f"{name}: {'failed (see the log)' if count < 0 else count}")
        if count < 0:
            failed.append(name)
    return 1 if failed else 0


# --- demo --------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from frontoffice.core.demo import load_demo
    from frontoffice.core.models import Organisation

    _migrate()
    if args.if_empty and Organisation.objects.exists():
        print("The database already has organisations; the demo was not loaded again.")
    else:
        print("Loading the demo…", flush=True)
        organisations = load_demo()
        print(f"Demo ready: {', '.join(o.name for o in organisations)}.")
    print()
    print(demo_logins_table())
    return 0


def demo_logins_table() -> str:
    """The demo sign-ins: one row per role, one column per demo organisation."""
    from django.conf import settings

    from frontoffice.accounts.demo import PEOPLE
    from frontoffice.accounts.models import User
    from frontoffice.core.demo import DEMO_ORGANISATIONS

    existing = set(User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN).values_list("username", flat=True))
    if not existing:
        return "There are no demo accounts in this database."
    organisations = [spec for spec in DEMO_ORGANISATIONS if spec.slug in PEOPLE]
    logins: list[str] = []
    with_mfa: set[str] = set()
    for spec in organisations:
        for person in PEOPLE[spec.slug]:
            if person.login not in logins:
                logins.append(person.login)
            if set(person.roles) & set(settings.MFA_ROLES):
                with_mfa.add(person.login)
    header = ["Role", *(spec.name for spec in organisations)]
    rows = [header]
    for login in logins:
        cells = [f"{login} *" if login in with_mfa else login]
        for spec in organisations:
            username = f"{login}.{spec.slug}"
            cells.append(username if username in existing else "—")
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"Demo sign-in — every account's password: {settings.DEMO_PASSWORD}", ""]
    for index, row in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    # The command may not be on PATH (make run uses .venv/bin/frontoffice): name the one running.
    command = shutil.which("frontoffice") or sys.argv[0]
    lines += ["", f"* two-factor sign-in: `{command} demo-code USERNAME` prints the current 6-digit code."]
    return "\n".join(lines)


def cmd_demo_code(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from frontoffice.accounts.models import User

    if settings.PRODUCTION:
        _usage("demo-code is not available when FRONTOFFICE_ENV=production.")
    user = User.objects.filter(username=args.username).first()
    if user is None:
        _usage(f"There is no user {args.username!r}.")
    if not (user.email or "").lower().endswith(DEMO_EMAIL_DOMAIN):
        _usage(f"{args.username} is not a demo account; demo-code only works for demo accounts.")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise CommandFailed(f"{args.username} has no two-factor device; sign in with the password alone.")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    print(f"{code:0{device.digits}d}")
    return 0


# --- backup / restore --------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    from frontoffice.core import backup

    try:
        summary = backup.backup(Path(args.file), overwrite=args.force, progress=backup.Progress("Backing up"))
    except backup.BackupError as error:
        raise CommandFailed(str(error), error.exit_code) from error
    print(summary.render())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from frontoffice.core import backup

    try:
        summary = backup.restore(Path(args.file), yes=args.yes, progress=backup.Progress("Restoring"))
    except backup.BackupError as error:
        raise CommandFailed(str(error), error.exit_code) from error
    print(summary.render())
    return 0


# --- manage ------------------------------------------------------------------------


def run_manage(argv: Sequence[str]) -> int:
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["frontoffice manage", *argv])
    except SystemExit as stop:
        return _exit_code(stop)
    return 0


def _exit_code(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


# --- the parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontoffice",
        description="Front Office: serve the application, run the background worker, load the demo, "
        "back up and restore, and reach every Django command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    run = add("run", cmd_run, "Migrate, collect static files and serve the application.")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    run.add_argument("--port", type=_port, default=8000, help="port to listen on (default: %(default)s)")
    run.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="web processes (default: 1, or one per CPU when REDIS_URL is set)",
    )
    run.add_argument(
        "--threads", type=_positive, default=2, help="threads per process for page requests (default: %(default)s)"
    )
    run.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="do not apply migrations first (when a release step runs `manage migrate` once for many servers)",
    )
    run.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="server log level (default: %(default)s)",
    )

    worker = add("worker", cmd_worker, "Run the background task worker (stop with Ctrl+C or SIGTERM).")
    worker.add_argument(
        "--queue", default="default", help="queues to process, comma-separated, or '*' for all (default: %(default)s)"
    )
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds to wait when the queue is empty (default: %(default)s)"
    )
    worker.add_argument("--batch", action="store_true", help="process what is queued, then exit")
    worker.add_argument("--max-tasks", type=_positive, default=None, help="exit after this many tasks")
    worker.add_argument(
        "--no-sweep",
        dest="sweep",
        action="store_false",
        help="do not look for clock-driven work (reminders, offers that run out) every FRONTOFFICE_SWEEP_SECONDS",
    )
    worker.add_argument(
        "--no-mail-watch",
        dest="mail_watch",
        action="store_false",
        help="do not hold IMAP IDLE connections to the mailboxes (with several workers, let one of them watch)",
    )

    add(
        "sweep",
        cmd_sweep,
        "Do the clock-driven work that is due now (reminders, offers that run out) once, and print what was done.",
    )

    demo = add("demo", cmd_demo, "Load the demo organisations and people (safe to repeat) and print the sign-ins.")
    demo.add_argument(
        "--if-empty", action="store_true", help="load the demo only when the database has no organisation yet"
    )

    code = add("demo-code", cmd_demo_code, "Print the current two-factor code of a demo account.")
    code.add_argument("username", help="e.g. manager.zdrowie")

    backup = add("backup", cmd_backup, "Back up the whole database to FILE and the private files to FILE.private.tar.")
    backup.add_argument("file", metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")

    restore = add("restore", cmd_restore, "Replace the whole database (and the private files) with the backup in FILE.")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="replace a database that already holds data")

    commands.add_parser("manage", help="Run a Django command: frontoffice manage COMMAND [OPTIONS]", add_help=False)
    for group, help_text in APP_COMMAND_GROUPS.items():
        commands.add_parser(group, help=help_text, add_help=False)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be at most 65535, got {value}")
    return value


# Command groups of the domain apps: `frontoffice GROUP SUB …` runs the management command `GROUP_SUB`.
APP_COMMAND_GROUPS = {
    "clients": "Client commands: frontoffice clients import|duplicates … (see --help of each)",
    "cti": "Phone system commands: frontoffice cti replay FILE.jsonl --url URL (see --help)",
}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        if args_list and args_list[0] == "manage":
            # Django parses its own commands' options.
            return run_manage(args_list[1:])
        if args_list and args_list[0] in APP_COMMAND_GROUPS:
            if len(args_list) < 2:
                print(f"Usage: frontoffice {args_list[0]} SUBCOMMAND [OPTIONS]", file=sys.stderr)
                return 2
            # `frontoffice clients import FILE` is the management command `clients_import FILE`.
            return run_manage([f"{args_list[0]}_{args_list[1]}", *args_list[2:]])
        try:
            args = build_parser().parse_args(args_list)
        except SystemExit as stop:
            return _exit_code(stop)
        _setup_django()
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except EnvError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except CommandFailed as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`frontoffice demo | head`): not worth a traceback.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 1


def _setup_django() -> None:
    import django

    django.setup()


if __name__ == "__main__":
    sys.exit(main())
