"""The ``frontoffice`` command: exit codes, configuration errors, demo codes, and serving."""

from __future__ import annotations

import ast
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontoffice.cli import demo_logins_table, main


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    return subprocess.run(
        [sys.executable, "-m", "frontoffice.cli", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- Configuration errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("FRONTOFFICE_LOCKOUT_FAILURES", "many", ("manage", "check")),
        ("FRONTOFFICE_DEBUG", "perhaps", ("demo",)),
        ("DATABASE_URL", "mysql://db.example/frontoffice", ("backup", "/nonexistent/backup.sqlite3")),
        ("FRONTOFFICE_ENV", "staging", ("run",)),
    ],
)
def test_a_bad_environment_variable_stops_with_one_line_naming_it(variable, value, command):
    result = run_cli(*command, **{variable: value})

    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {variable}: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# --- Usage ---------------------------------------------------------------------------------


def test_no_command_is_bad_usage(capsys):
    assert main([]) == 2
    assert "usage: frontoffice" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["bogus"], ["run", "--port", "0"], ["run", "--workers", "none"], ["backup"]])
def test_wrong_arguments_are_bad_usage(args, capsys):
    assert main(args) == 2
    assert "error:" in capsys.readouterr().err


def test_help_exits_cleanly(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "worker", "demo", "demo-code", "backup", "restore", "manage"):
        assert command in out


@pytest.mark.django_db  # the JSON field check asks SQLite what it supports, which opens the database
def test_manage_reaches_django_commands(capsys):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_an_unknown_django_command_fails(capsys):
    assert main(["manage", "no_such_command"]) == 1
    assert "Unknown command" in capsys.readouterr().err


def test_worker_refuses_when_tasks_run_immediately(capsys):
    # Tests run tasks immediately, so there is no queue for a worker.
    assert main(["worker"]) == 2
    assert "FRONTOFFICE_TASKS" in capsys.readouterr().err


# --- demo-code --------------------------------------------------------------------------------


def _demo_account(user):
    user.email = f"{user.username}@demo.frontoffice.invalid"
    user.save(update_fields=["email"])
    return TOTPDevice.objects.create(user=user, name="Demo", key="3132333435363738393031323334353637383930")


def test_demo_code_prints_the_current_code_of_a_demo_account(manager, capsys):
    device = _demo_account(manager)

    assert main(["demo-code", manager.username]) == 0

    printed = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", printed)
    now = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert int(printed) in {now, totp(device.bin_key, step=device.step, t0=device.t0 + device.step)}


def test_demo_code_refuses_an_account_that_is_not_a_demo_account(manager, capsys):
    TOTPDevice.objects.create(user=manager, name="Phone")
    assert not manager.email.endswith("@demo.frontoffice.invalid")

    assert main(["demo-code", manager.username]) == 2

    captured = capsys.readouterr()
    assert "not a demo account" in captured.err
    assert captured.out == ""


def test_demo_code_refuses_in_production(manager, settings, capsys):
    _demo_account(manager)
    settings.PRODUCTION = True

    assert main(["demo-code", manager.username]) == 2

    captured = capsys.readouterr()
    assert "production" in captured.err
    assert captured.out == ""


def test_demo_code_refuses_an_unknown_user(db, capsys):
    assert main(["demo-code", "nobody.zdrowie"]) == 2
    assert "no user" in capsys.readouterr().err


def test_demo_code_fails_for_a_demo_account_without_a_second_factor(clerk, capsys):
    clerk.email = "clerk@demo.frontoffice.invalid"
    clerk.save(update_fields=["email"])

    assert main(["demo-code", clerk.username]) == 1
    assert "no two-factor device" in capsys.readouterr().err


def test_the_logins_table_says_so_when_there_is_no_demo(clerk):
    assert demo_logins_table() == "There are no demo accounts in this database."


# --- run ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local test server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_run_migrates_collects_static_files_and_serves_pages_and_events(tmp_path: Path):
    port = _free_port()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env = {
        **clean,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "FRONTOFFICE_VAR_DIR": str(tmp_path / "var"),
        "FRONTOFFICE_ENV": "test",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "frontoffice.cli", "run", "--port", str(port), "--threads", "4"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/health/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, (tmp_path / "server.log").read_text()
        assert b'"ok"' in body

        static_status, css = _get(f"http://127.0.0.1:{port}/static/css/app.css")
        assert static_status == 200
        assert css
        # Paths under /events/ reach Django's ASGI handler, which answers like any Django view.
        assert _get(f"http://127.0.0.1:{port}/events/no-such-stream/")[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert server.returncode in (0, -15)


# --- Documentation --------------------------------------------------------------------------


def _variables_read_in(path: Path) -> set[str]:
    """Names passed to config.env's readers (env_str, env_int, …) in a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_every_environment_variable_is_in_the_readme_table():
    base = Path(settings.BASE_DIR)
    variables = _variables_read_in(base / "config" / "settings.py") | _variables_read_in(base / "config" / "serve.py")
    readme = (base / "README.md").read_text()
    table_rows = {line.split("|")[1].strip().strip("`") for line in readme.splitlines() if line.startswith("| `")}

    assert "DATABASE_URL" in variables
    assert variables - table_rows == set(), "add these to the configuration table in README.md"
