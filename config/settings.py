"""Front Office settings: one module, driven by the environment.

Every value that differs between machines comes from an environment variable
read through ``config.env``; a bad value stops start-up with a message naming
the variable. ``docs/operations.md`` lists every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import (
    EnvError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    parse_email_url,
    parse_public_url,
    parse_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FRONTOFFICE_VAR_DIR", str(BASE_DIR / "var")))
# The default SQLite database, uploaded files and SMS files live here.
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = env_choice("FRONTOFFICE_ENV", "development", ("development", "production", "test"))
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"

DEBUG = env_bool("FRONTOFFICE_DEBUG", ENVIRONMENT == "development")
if PRODUCTION and DEBUG:
    raise EnvError("FRONTOFFICE_DEBUG", "must be off when FRONTOFFICE_ENV=production")

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105 - refused in production below
SECRET_KEY = env_str("FRONTOFFICE_SECRET_KEY", required=PRODUCTION) or _DEV_SECRET
# Earlier keys, still accepted for signatures and sealed secrets (core.sealing) while a new key takes over.
SECRET_KEY_FALLBACKS = env_list("FRONTOFFICE_SECRET_KEY_FALLBACKS", [])
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == _DEV_SECRET):
    raise EnvError("FRONTOFFICE_SECRET_KEY", "must be a random string of at least 50 characters in production")

ALLOWED_HOSTS = env_list(
    "FRONTOFFICE_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise EnvError("FRONTOFFICE_ALLOWED_HOSTS", "is required in production (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("FRONTOFFICE_CSRF_TRUSTED_ORIGINS", [])
# Links in messages sent by the worker (reminders, waitlist offers) have no request to take a host from.
# In production the first allowed host over https is the default.
PUBLIC_URL = parse_public_url(
    "FRONTOFFICE_PUBLIC_URL",
    env_str(
        "FRONTOFFICE_PUBLIC_URL",
        f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION else "http://127.0.0.1:8000",
    ),
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "django_tasks_db",
    "frontoffice.core",
    "frontoffice.accounts",
    "frontoffice.clients",
    "frontoffice.feedback",
    "frontoffice.desk",
    "frontoffice.interactions",
    "frontoffice.supplies",
    "frontoffice.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "frontoffice.accounts.middleware.UserPreferencesMiddleware",
    "frontoffice.accounts.middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes goes last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontoffice.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
_db = parse_database_url(
    "DATABASE_URL", env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'frontoffice.sqlite3'}"), base_dir=BASE_DIR
)
if _db.engine == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _db.name,
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two
                # writers queue on busy_timeout instead of failing with
                # "database is locked" when a reader tries to upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;PRAGMA cache_size=-20000"
                ),
            },
            # Tests use a file, as production does: an in-memory database has
            # table-level locks that a busy timeout does not cover. One file per
            # process, so parallel test runs never share a database.
            "TEST": {"NAME": env_str("FRONTOFFICE_TEST_SQLITE_NAME", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "CONN_MAX_AGE": env_int("FRONTOFFICE_DB_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(_db.options or {}),
        }
    }
    if env_bool("FRONTOFFICE_DB_PREPARED_STATEMENTS", False):
        # Server-side binding lets psycopg prepare a query once it has run PREPARE_THRESHOLD times on a
        # connection: PostgreSQL then parses it once and can keep a generic plan, instead of parsing and
        # planning every request's joined selects again (docs/benchmarks.md, the desk's sixth round).
        # Off by default: the generic plan PostgreSQL keeps after five runs made the KPI drill-down of survey
        # answers four times slower (~55 -> ~220 ms); and it needs a pooler that keeps prepared statements.
        DATABASES["default"]["OPTIONS"].update(
            server_side_binding=True,
            prepare_threshold=env_int("FRONTOFFICE_DB_PREPARE_THRESHOLD", 5, minimum=0),
        )
    if TESTING:
        # Test runs commit often (browser tests, transactional tests' flush) and never need a commit to
        # survive a crash: not waiting for the WAL flush on each commit saves the fsync.
        _options = DATABASES["default"]["OPTIONS"]
        _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
DATABASE_ENGINE = _db.engine

# --- Redis: cache, sessions and live events when several processes run ----
REDIS_URL = parse_redis_url("REDIS_URL", env_str("REDIS_URL", ""))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # One pool per process: otherwise every page request opens its own connection (core/redis_pool.py).
            "OPTIONS": {"pool_class": "frontoffice.core.redis_pool.SharedConnectionPool"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # How long a signed-in user's roles, permissions and branches may be answered from the cache
    # (every change to them replaces the cached copy at once; accounts/principal.py).
    PRINCIPAL_CACHE_SECONDS = env_int("FRONTOFFICE_PRINCIPAL_CACHE_SECONDS", 300, minimum=0, maximum=86400)
else:
    PRINCIPAL_CACHE_SECONDS = 0  # a per-process cache would not hear of changes made in another process
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Authentication --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, answering get_user from the shared cache (accounts/principal.py).
    "frontoffice.accounts.principal.CachedModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
if TESTING:
    # Hashing is the slowest part of a login-heavy test suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AXES_FAILURE_LIMIT = env_int("FRONTOFFICE_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FRONTOFFICE_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "frontoffice.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env_int("FRONTOFFICE_PROXY_COUNT", 0, minimum=0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Front Office"
# Roles that must pass a second factor when the organisation requires it.
MFA_ROLES = ("manager", "executive", "admin")

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English with European dates and a 24-hour clock (Django's "en" formats are American).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "frontoffice_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = env_str("FRONTOFFICE_TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- Private uploads (documents, scans, intake answers): outside the web root, no URL; served only by
# permission-checked, access-logged views through frontoffice.core.files ---
PRIVATE_MEDIA_ROOT = Path(env_str("FRONTOFFICE_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
UPLOAD_MAX_BYTES = env_int("FRONTOFFICE_UPLOAD_MAX_MB", 10, minimum=1, maximum=100) * 1024 * 1024
# E-mail read from mailboxes (docs/interactions-mail.md): a larger attachment is listed but not kept.
MAIL_ATTACHMENT_MAX_BYTES = env_int("FRONTOFFICE_MAIL_ATTACHMENT_MAX_MB", 20, minimum=1, maximum=200) * 1024 * 1024
# Seconds to wait for an IMAP or SMTP server before giving up on this attempt.
MAIL_TIMEOUT_SECONDS = env_int("FRONTOFFICE_MAIL_TIMEOUT_SECONDS", 30, minimum=1, maximum=300)
# The CTI webhook stores each event and answers at once; one applier thread applies them in order moments
# later (docs/interactions-phone.md "Queued mode"). Off: each event is applied before the answer.
CTI_QUEUE = env_bool("FRONTOFFICE_CTI_QUEUE", False)
CTI_APPLIERS = env_int("FRONTOFFICE_CTI_APPLIERS", 4, minimum=1, maximum=64)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Under test every test client builds the middleware again, and WhiteNoise would list every static file
# each time (about 30 ms a client); found per request instead, as in development.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# --- E-mail and SMS ----------------------------------------------------------
_email = parse_email_url(
    "FRONTOFFICE_EMAIL_URL",
    # Production must name a real mail server: console and memory would silently drop mail.
    env_str("FRONTOFFICE_EMAIL_URL", "memory://" if TESTING else "console://", required=PRODUCTION),
    base_dir=BASE_DIR,
)
MAILERS = {"default": {"BACKEND": _email.backend, "OPTIONS": _email.options}}
DEFAULT_FROM_EMAIL = env_str("FRONTOFFICE_FROM_EMAIL", "Front Office <no-reply@frontoffice.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env_choice("FRONTOFFICE_SMS_BACKEND", "file", ("file", "console", "http"))
SMS_FILE_DIR = Path(env_str("FRONTOFFICE_SMS_FILE_DIR", str(VAR_DIR / "sms")))
SMS_HTTP_URL = env_str("FRONTOFFICE_SMS_HTTP_URL", "", required=SMS_BACKEND == "http")
if SMS_HTTP_URL and not SMS_HTTP_URL.startswith(("https://", "http://")):
    raise EnvError("FRONTOFFICE_SMS_HTTP_URL", f"expected an http:// or https:// URL; got {SMS_HTTP_URL!r}")
SMS_HTTP_TOKEN = env_str("FRONTOFFICE_SMS_HTTP_TOKEN", "")
SMS_SENDER = env_str("FRONTOFFICE_SMS_SENDER", "FrontOffice")
# Replies to survey SMS: the gateway posts them to /feedback/sms/inbound/ with this bearer token (empty: off).
FEEDBACK_SMS_INBOUND_TOKEN = env_str("FRONTOFFICE_SMS_INBOUND_TOKEN", "")
FEEDBACK_SMS_INBOUND_ADAPTER = env_str(
    "FRONTOFFICE_SMS_INBOUND_ADAPTER", "frontoffice.feedback.inbound.LocalJsonAdapter"
)

# How often reminders, offer time-outs and other clock-driven work are looked for (core/periodic.py);
# 0 turns the sweep thread off (then run `frontoffice sweep` from cron).
SWEEP_SECONDS = env_int("FRONTOFFICE_SWEEP_SECONDS", 0 if TESTING else 60, minimum=0, maximum=3600)

# --- Desk: eligibility service, guest reports (docs/desk-coverage.md); uploads use PRIVATE_MEDIA_ROOT ---
DESK_ELIGIBILITY_ADAPTER = env_str(
    "FRONTOFFICE_DESK_ELIGIBILITY_ADAPTER", "frontoffice.desk.eligibility.SimulatedEligibility"
)
DESK_ELIGIBILITY_OUTAGE = env_str("FRONTOFFICE_DESK_ELIGIBILITY_OUTAGE", "")
DESK_GUEST_EXPORT_ADAPTER = env_str(
    "FRONTOFFICE_DESK_GUEST_EXPORT_ADAPTER", "frontoffice.desk.guest_export.LocalFileExporter"
)

# --- Background work ----------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_choice("FRONTOFFICE_TASKS", "immediate" if TESTING else "database", ("database", "immediate"))
            == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("FRONTOFFICE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("FRONTOFFICE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- Misc -----------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Messages ride in a signed cookie (in the session only when too many for one): kept in the session, each
# message cost two session writes, a database transaction each, on the request that made it and on the one
# that showed it (three of every eight requests of the desk's load mix). The cookie is signed, and HttpOnly,
# Secure and SameSite as the session cookie is; it carries only the text shown next to the same user.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
API_TOKEN_PREFIX = "fo_"  # noqa: S105 - a visible prefix, not a secret
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
DEMO_PASSWORD = env_str("FRONTOFFICE_DEMO_PASSWORD", "demo-front-office")
# The desk's fiscal printer: "local" records what would be printed; or a dotted path to a printer class.
DESK_FISCAL_PRINTER = env_str("FRONTOFFICE_FISCAL_PRINTER", "local")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("FRONTOFFICE_LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
    },
    # Django's own console handler would print every request error a second time.
    "loggers": {"axes": {"level": "WARNING"}, "django": {"handlers": [], "propagate": True}},
}
