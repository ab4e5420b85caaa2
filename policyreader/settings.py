"""Django settings for policyreader.

Every value that differs between a laptop, CI and production comes from the
environment (or from an optional ``.env`` file beside manage.py; the real
environment wins). ``.env.example`` lists every variable. Bad values stop the
process with ImproperlyConfigured naming the variable.

Without DATABASE_URL the app uses an embedded PostgreSQL server (pgserver)
whose data lives in PGSERVER_DATA_DIR; it is started on the first database
connection, see policyreader/embedded_db.py.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from policyreader import embedded_db
from policyreader.env import (
    env_bool,
    env_hosts,
    env_int,
    env_list,
    env_path,
    env_str,
    load_dotenv,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

load_dotenv(BASE_DIR / ".env")

# True under pytest and `manage.py test`: tests never need collectstatic.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-policyreader-development-key-do-not-use-in-production"

# Host names the site answers to (``make run HOST=0.0.0.0`` serves other machines
# only when the name or address they use is listed here).
ALLOWED_HOSTS = env_hosts("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Largest source file (bytes) that may be imported; the documented upload limit.
MAX_SOURCE_BYTES = env_int("MAX_SOURCE_BYTES", 5 * 1024 * 1024, minimum=1)
# Units of the discrepancy queue shown on one page.
QUEUE_UNITS_PER_PAGE = env_int("QUEUE_UNITS_PER_PAGE", 10, minimum=1)
# Pages of bounded size: documents on one page of the home page, notes of the
# notes list, flags of the flags list, units of one page of the reader.
HOME_DOCUMENTS_PER_PAGE = env_int("HOME_DOCUMENTS_PER_PAGE", 10, minimum=1)
NOTES_PER_PAGE = env_int("NOTES_PER_PAGE", 50, minimum=1)
FLAGS_PER_PAGE = env_int("FLAGS_PER_PAGE", 50, minimum=1)
READER_UNITS_PER_PAGE = env_int("READER_UNITS_PER_PAGE", 200, minimum=1)
# Units of one page of the document page's text; rows (pairs of units) of one
# page of a comparison (新旧对照); characters of one page of a copy's original
# text on its source page.
DOCUMENT_UNITS_PER_PAGE = env_int("DOCUMENT_UNITS_PER_PAGE", 200, minimum=1)
COMPARE_ROWS_PER_PAGE = env_int("COMPARE_ROWS_PER_PAGE", 100, minimum=1)
SOURCE_CHARS_PER_PAGE = env_int("SOURCE_CHARS_PER_PAGE", 40_000, minimum=1000)
# The most unit pairs (units of one document × units of the other) a web
# request compares (新旧对照): the pairing costs about 2.4 µs a pair on two
# cores, so 4,000,000 (2,000 × 2,000 units) is some 10 s; larger documents are
# refused with a message saying so.
COMPARE_MAX_UNIT_PAIRS = env_int("COMPARE_MAX_UNIT_PAIRS", 4_000_000, minimum=1)
# Changes of one page of a document's history of its canonical text.
HISTORY_CHANGES_PER_PAGE = env_int("HISTORY_CHANGES_PER_PAGE", 100, minimum=1)
# A pasted source arrives as a form field, so let request bodies be a little
# larger than the source limit itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MAX_SOURCE_BYTES + 256 * 1024, 2_621_440)

# Whether visitors who are not signed in may read documents.
ANONYMOUS_READ = env_bool("ANONYMOUS_READ", True)

# Longest note (Markdown) or flag comment, in characters; the API answers 400 above it.
ANNOTATION_BODY_MAX_CHARS = env_int("ANNOTATION_BODY_MAX_CHARS", 20_000, minimum=100)
# Annotations per page of the Web Annotation container (/annotations/).
ANNOTATION_PAGE_SIZE = env_int("ANNOTATION_PAGE_SIZE", 200, minimum=1)

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # SearchVectorField, GinIndex: text search (core, no extension)
    "django_htmx",
    "axes",
    "clauses",
    "annotations",
    "studies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (SECURE_CSP below), Django's own.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for a NUL byte or text that is not UTF-8 anywhere in a request, before
    # the session, CSRF or a view reads it; 503 while the database is down.
    "policyreader.middleware.RejectUnreadableInputMiddleware",
    "policyreader.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With ANONYMOUS_READ off, anonymous visitors are sent to the sign-in page.
    "policyreader.middleware.ReadingRequiresSignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sign-in throttling (django-axes): last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

# A strict Content-Security-Policy: scripts, styles, images, fonts and requests
# from this site only; no inline script or style, no eval, no framing, forms
# post here only. Every script is a static file (static/js/), htmx's own
# indicator styles are off (base.html), and its eval is off.
# The app's own 403 page, in the user's language, when the CSRF check fails.
CSRF_FAILURE_VIEW = "policyreader.errors.csrf_failure"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "policyreader.urls"
WSGI_APPLICATION = "policyreader.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
PGSERVER_DATA_DIR = env_path("PGSERVER_DATA_DIR", VAR_DIR / "pgdata")
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 0, minimum=0)

if DATABASE_URL:
    try:
        _database = dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
        )
    except Exception as error:  # dj_database_url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {error}") from None
    if _database.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must point to PostgreSQL (postgres://user:password@host:port/name)."
        )
else:
    _database = embedded_db.database_settings(PGSERVER_DATA_DIR)

if TESTING:
    # One test database per test run, so two runs on one server (two
    # developers, or a run beside a benchmark) never drop each other's.
    _database["TEST"] = {"NAME": f"test_policyreader_{os.getpid()}"}

DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Sign-in throttling with django-axes: after LOGIN_FAILURE_LIMIT failed attempts
# for one username from one client address, that pair is locked out for
# LOGIN_LOCKOUT_MINUTES (each further attempt meanwhile starts the wait again);
# the sign-in page says so in the user's language (429). The pair, not the
# address alone, so users behind one proxy or NAT do not lock each other out,
# and not the username alone, so nobody can lock another person out from
# elsewhere. Attempts are kept in the database (shared by every worker).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AUTHENTICATION_BACKENDS = [
    "policyreader.signin.ThrottledBackend",  # refuses a locked-out pair first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # keep failed attempts only, not every sign-in
AXES_LOCKOUT_CALLABLE = "policyreader.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "policyreader.signin.client_address"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development and tests WhiteNoise serves straight from the app and project
# static folders, so nothing needs collecting first.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security ---------------------------------------------------------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Asking browsers to preload HSTS is a commitment that is hard to undo, so it is
# off unless set, and only with what the preload lists require: a max-age of at
# least a year and includeSubDomains. Off, Django's reminder about it
# (security.W021) is silenced: not preloading is then a decision, not an oversight.
HSTS_PRELOAD_MIN_SECONDS = 31_536_000
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if SECURE_HSTS_PRELOAD and (
    SECURE_HSTS_SECONDS < HSTS_PRELOAD_MIN_SECONDS or not SECURE_HSTS_INCLUDE_SUBDOMAINS
):
    raise ImproperlyConfigured(
        f"SECURE_HSTS_PRELOAD=1 needs SECURE_HSTS_SECONDS of at least {HSTS_PRELOAD_MIN_SECONDS} "
        f"(a year; it is {SECURE_HSTS_SECONDS}) and SECURE_HSTS_INCLUDE_SUBDOMAINS=1 "
        f"(it is {int(SECURE_HSTS_INCLUDE_SUBDOMAINS)})."
    )
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = (env_str("LOG_LEVEL", "INFO") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "policyreader": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "clauses": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "annotations": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Background tasks (imports) ------------------------------------------------
# Django's tasks framework with django-tasks-db's DatabaseBackend: a task is a row
# in this database, run by `manage.py db_worker` (started by `make run` and by the
# worker service of docker-compose.yml). Tests run tasks at once (ImmediateBackend).
INSTALLED_APPS += ["django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
    }
}
# The import form previews a file above this many bytes in the background too
# (every import is saved by the worker).
IMPORT_INLINE_BYTES = env_int("IMPORT_INLINE_BYTES", 256 * 1024, minimum=0)
