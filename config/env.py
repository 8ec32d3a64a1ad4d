"""Strict parsers for environment variables.

Every setting that comes from the environment goes through one of these
functions, so a bad value stops start-up with a message that names the
variable and says what was expected, instead of failing later in a request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class EnvError(Exception):
    """A variable in the environment has a value we cannot use."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(f"{name}: {problem}")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise EnvError(name, "is required but not set")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(name, f"expected one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise EnvError(name, f"expected a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise EnvError(name, f"must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise EnvError(name, f"must be at most {maximum}; got {value}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise EnvError(name, f"expected one of {', '.join(choices)}; got {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict[str, str] | None = None


def parse_database_url(name: str, url: str, *, base_dir: Path) -> DatabaseConfig:
    """Accept ``sqlite:///relative/path``, ``sqlite:////absolute/path`` and
    ``postgres://user:password@host:port/database``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise EnvError(name, "an sqlite URL needs a file path, e.g. sqlite:///var/db.sqlite3")
        file = Path(path)
        if not file.is_absolute():
            file = base_dir / file
        return DatabaseConfig(engine="sqlite", name=str(file))
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise EnvError(name, "a postgres URL needs a database name, e.g. postgres://user@host:5432/frontoffice")
        try:
            port = str(parts.port or "")
        except ValueError:
            raise EnvError(name, f"the port in {url!r} is not a number") from None
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return DatabaseConfig(
            engine="postgresql",
            name=database,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=port,
            options=options,
        )
    raise EnvError(name, f"expected a URL starting with sqlite:// or postgres://; got {url!r}")


def parse_redis_url(name: str, url: str) -> str:
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise EnvError(name, f"expected a URL starting with redis://, rediss:// or unix://; got {url!r}")
    return url


def parse_public_url(name: str, url: str) -> str:
    """The address clients reach the site at, for links in e-mail and SMS: scheme and host, no trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise EnvError(name, f"expected an address like https://frontoffice.example.org; got {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    options: dict[str, object]


def parse_email_url(name: str, url: str, *, base_dir: Path) -> EmailConfig:
    """``smtp://user:pass@host:587?tls=1``, ``smtps://…`` (implicit TLS),
    ``console://``, ``file:///var/mail`` (one file per message) or ``memory://``."""
    parts = urlsplit(url)
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise EnvError(name, "an smtp URL needs a host, e.g. smtp://mail.example.com:587?tls=1")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise EnvError(name, f"the port in {url!r} is not a number") from None
        query = parse_qs(parts.query)
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            options={
                "host": parts.hostname,
                "port": port,
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": query.get("tls", ["0"])[-1].lower() in _TRUE,
                "use_ssl": parts.scheme == "smtps",
                "timeout": 20,
            },
        )
    if parts.scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend", options={})
    if parts.scheme == "file":
        path = Path(parts.path or "var/mail")
        if not path.is_absolute():
            path = base_dir / path
        return EmailConfig(backend="django.core.mail.backends.filebased.EmailBackend", options={"file_path": str(path)})
    if parts.scheme == "memory":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend", options={})
    raise EnvError(name, f"expected smtp://, smtps://, console://, file:// or memory://; got {url!r}")
