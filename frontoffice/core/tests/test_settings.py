"""Settings: strict environment parsing, tuned SQLite, a clean production check."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.env import EnvError, env_bool, env_int, parse_database_url, parse_email_url, parse_redis_url

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTOFFICE_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("raw", ["maybe", "2", "tru"])
def test_a_bad_boolean_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("FRONTOFFICE_DEBUG", raw)
    with pytest.raises(EnvError, match="FRONTOFFICE_DEBUG"):
        env_bool("FRONTOFFICE_DEBUG", False)


def test_a_number_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("FRONTOFFICE_LOCKOUT_FAILURES", "0")
    with pytest.raises(EnvError, match="at least 1"):
        env_int("FRONTOFFICE_LOCKOUT_FAILURES", 5, minimum=1)


def test_database_urls_are_parsed_strictly(tmp_path):
    sqlite = parse_database_url("DATABASE_URL", "sqlite:///var/x.sqlite3", base_dir=tmp_path)
    assert (sqlite.engine, sqlite.name) == ("sqlite", str(tmp_path / "var/x.sqlite3"))
    postgres = parse_database_url("DATABASE_URL", "postgres://fo:s%40cret@db.local:5433/frontoffice", base_dir=tmp_path)
    assert (postgres.user, postgres.password, postgres.host, postgres.port, postgres.name) == (
        "fo",
        "s@cret",
        "db.local",
        "5433",
        "frontoffice",
    )
    for bad in ("mysql://x/y", "postgres://host:port/db", "postgres://host/", "sqlite://"):
        with pytest.raises(EnvError, match="DATABASE_URL"):
            parse_database_url("DATABASE_URL", bad, base_dir=tmp_path)


def test_mail_and_redis_urls_are_parsed_strictly(tmp_path):
    smtp = parse_email_url("FRONTOFFICE_EMAIL_URL", "smtp://u:p@mail.local:587?tls=1", base_dir=tmp_path)
    assert smtp.options["host"] == "mail.local" and smtp.options["use_tls"] is True
    with pytest.raises(EnvError, match="FRONTOFFICE_EMAIL_URL"):
        parse_email_url("FRONTOFFICE_EMAIL_URL", "smtp://", base_dir=tmp_path)
    assert parse_redis_url("REDIS_URL", "redis://127.0.0.1:6379/0")
    with pytest.raises(EnvError, match="REDIS_URL"):
        parse_redis_url("REDIS_URL", "http://127.0.0.1:6379")


def test_start_up_stops_with_a_message_naming_the_bad_variable():
    result = _manage("check", FRONTOFFICE_LOCKOUT_FAILURES="lots")
    assert result.returncode != 0
    assert "FRONTOFFICE_LOCKOUT_FAILURES" in result.stderr


def test_production_requires_a_secret_key():
    result = _manage(
        "check",
        FRONTOFFICE_ENV="production",
        FRONTOFFICE_ALLOWED_HOSTS="example.com",
        FRONTOFFICE_EMAIL_URL="smtp://mail.example.com:587?tls=1",
    )
    assert result.returncode != 0
    assert "FRONTOFFICE_SECRET_KEY" in result.stderr


def test_production_passes_the_deploy_check_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        FRONTOFFICE_ENV="production",
        FRONTOFFICE_SECRET_KEY=secrets.token_urlsafe(60),
        FRONTOFFICE_ALLOWED_HOSTS="frontoffice.example.com",
        FRONTOFFICE_EMAIL_URL="smtp://mail.example.com:587?tls=1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(settings.DATABASE_ENGINE != "sqlite", reason="SQLite tuning")
def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.skipif(settings.DATABASE_ENGINE != "sqlite", reason="SQLite tuning")
def test_a_file_database_uses_write_ahead_logging(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTOFFICE_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite3'}",
        },
    )
    assert result.stdout.strip() == "wal", result.stderr


def test_every_page_carries_a_nonce_based_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert html.count("<script") == html.count(f'nonce="{nonce}"')


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_redis_url_moves_the_cache_and_sessions_to_redis():
    script = (
        "from django.conf import settings; from django.core.cache import cache;"
        "cache.set('frontoffice-settings-test', 'ok', 5);"
        "print(settings.SESSION_ENGINE, cache.get('frontoffice-settings-test'),"
        " settings.CACHES['default']['OPTIONS']['pool_class'])"
    )
    result = _manage("shell", "-v0", "-c", script, REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "ok",
        "frontoffice.core.redis_pool.SharedConnectionPool",
    ]


def test_a_public_url_that_is_not_an_address_is_refused_by_name():
    result = _manage("check", FRONTOFFICE_PUBLIC_URL="frontoffice.example.org")
    assert result.returncode != 0
    assert "FRONTOFFICE_PUBLIC_URL" in result.stderr


def test_links_in_messages_start_with_the_public_url_without_a_trailing_slash():
    from config.env import parse_public_url

    assert parse_public_url("X", "https://recepcja.example.org/") == "https://recepcja.example.org"


def _postgres_options(**env: str) -> dict[str, object]:
    """The database OPTIONS that settings build for a PostgreSQL URL (settings alone: nothing connects)."""
    script = (
        "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    result = _manage("shell", "-v0", "-c", script, DATABASE_URL="postgres://fo@db.invalid:5432/frontoffice", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_prepares_repeated_queries_when_switched_on():
    options = _postgres_options(FRONTOFFICE_DB_PREPARED_STATEMENTS="1")
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)


def test_prepared_statements_are_off_by_default():
    options = _postgres_options()
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
