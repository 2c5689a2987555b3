"""Settings shared by every mode. Configuration comes from environment variables only (see README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("FACTURIER_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("FACTURIER_DEBUG", False)
SECRET_KEY = env_str("FACTURIER_SECRET_KEY") or ""
ALLOWED_HOSTS = env_list("FACTURIER_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("FACTURIER_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_url("FACTURIER_SITE_URL", "http://127.0.0.1:8000")

# The demo seller is created only when this is on (the embedded `make run` mode), never in production.
FACTURIER_DEMO = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "anymail",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "facturier.core",
    "facturier.accounts",
    "facturier.sales",
    "facturier.invoicing",
    "facturier.outbox",
    "facturier.billing",
    "facturier.ereporting",
    "facturier.jobs",
    "facturier.ops",
    "facturier.portal",
    "facturier.api",
    "facturier.simulator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "facturier.core.security_headers.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "facturier.portal.context.support",
            ]
        },
    }
]


def database_config(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("FACTURIER_DB_CONN_MAX_AGE", 0, minimum=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN: the web process and a worker never deadlock
        # on a lock upgrade, and writers are serialised (select_for_update is a no-op on SQLite).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'facturier.sqlite3'}"
DATABASES = {"default": database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "facturier" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# One date format per language for the whole portal (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]


def caches_config(url: str | None) -> dict:
    """One cache shared by every process (login and password-reset throttling count across all of them):
    Redis when a URL is given, else a table of the database (`facturier createcachetable`)."""
    if url:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "facturier_cache"}}


CACHES = caches_config(env_url("FACTURIER_CACHE_URL", schemes=("redis", "rediss")))
# Failed log-ins (and password-reset requests) counted per account, per IP, and per both, over a fixed window.
FACTURIER_THROTTLE_WINDOW_SECONDS = env_int("FACTURIER_THROTTLE_WINDOW_SECONDS", 15 * 60, minimum=1)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"


def storages_config() -> dict:
    backend = env_str("FACTURIER_STORAGE", "local")
    if backend == "local":
        default = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}}
    elif backend == "s3":
        default = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("FACTURIER_S3_BUCKET", "facturier"),
                "endpoint_url": env_str("FACTURIER_S3_ENDPOINT_URL"),
                "region_name": env_str("FACTURIER_S3_REGION", "eu-west-3"),
                "access_key": env_str("FACTURIER_S3_ACCESS_KEY"),
                "secret_key": env_str("FACTURIER_S3_SECRET_KEY"),
                "default_acl": None,
                "file_overwrite": False,
            },
        }
    else:
        raise ImproperlyConfigured(f"FACTURIER_STORAGE={backend!r}: use 'local' or 's3'")
    return {
        "default": default,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


STORAGES = storages_config()


def email_config(url: str) -> dict:
    if url.startswith("eml://"):
        # One .eml file per message (Django's file backend appends every message of a connection to one .log).
        return {"EMAIL_BACKEND": "facturier.outbox.backends.EmlFileBackend", "EMAIL_FILE_PATH": url[6:]}
    parsed = dj_email_url.parse(url)
    if url.startswith(("submission", "submit")):
        parsed["EMAIL_USE_TLS"] = True
    return parsed


EMAIL_URL = env_str("EMAIL_URL") or f"eml://{VAR_DIR / 'mail'}"
_email = email_config(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH")
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("FACTURIER_EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("FACTURIER_MAIL_FROM", "factures@facturier.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# One connector backend per marketplace kind (facturier.marketplace.connectors); the key is stored on each
# connection, so a kind is never renamed.
FACTURIER_MARKETPLACE_BACKENDS = {
    "octopia": "facturier.marketplace.octopia_connector.OctopiaConnector",
    "mirakl": "facturier.marketplace.mirakl_connector.MiraklConnector",
}
OCTOPIA_API_URL = env_url("OCTOPIA_API_URL", "https://api.octopia-io.net/seller/v2")
OCTOPIA_AUTH_URL = env_url(
    "OCTOPIA_AUTH_URL", "https://auth.octopia-io.net/auth/realms/maas/protocol/openid-connect/token"
)

# The bearer token Prometheus presents on /metrics (totals across every seller); unset = staff sessions only.
FACTURIER_METRICS_TOKEN = env_str("FACTURIER_METRICS_TOKEN") or ""

# Fernet keys for secrets at rest, newest first; older keys stay listed while data is rotated.
FACTURIER_FERNET_KEYS = env_list("FACTURIER_FERNET_KEYS", "")

FACTURIER_SYNC_TIMES = env_list("FACTURIER_SYNC_TIMES", "07:00,19:00")
# Between the full passes above, a light pass per seller (the orders changed since the last one, one call per refund
# list) every this many seconds, so an invoice leaves minutes after its order shipped; 0 turns it off.
FACTURIER_INCREMENTAL_SYNC_EVERY = env_int("FACTURIER_INCREMENTAL_SYNC_EVERY", 900, minimum=0)
# The cache (an alias of CACHES) holding the marketplace tokens: one token per API client for every process and
# every pass (Octopia reportedly caps token issuance at 500 per hour).
FACTURIER_TOKEN_CACHE = env_str("FACTURIER_TOKEN_CACHE", "default") or "default"
FACTURIER_BACKFILL_DAYS = env_int("FACTURIER_BACKFILL_DAYS", 7, minimum=0)
FACTURIER_DOWNLOAD_WINDOW_DAYS = env_int("FACTURIER_DOWNLOAD_WINDOW_DAYS", 31, minimum=1)

# Sweepers finish what a killed worker left half done (config/celery.py schedules them); all in seconds.
# An e-mail left `sending` this long is sent again (it may have reached the server just before the crash).
# A sync run whose pass renewed nothing for this long is presumed dead; the recovery sweeper resumes it.
FACTURIER_SYNC_LEASE = env_int("FACTURIER_SYNC_LEASE", 300, minimum=1)
FACTURIER_RECOVERY_SWEEP_EVERY = env_int("FACTURIER_RECOVERY_SWEEP_EVERY", 60, minimum=1)
FACTURIER_OUTBOX_STUCK_AFTER = env_int("FACTURIER_OUTBOX_STUCK_AFTER", 600, minimum=1)
FACTURIER_OUTBOX_SWEEP_EVERY = env_int("FACTURIER_OUTBOX_SWEEP_EVERY", 30, minimum=1)
FACTURIER_RENDER_SWEEP_EVERY = env_int("FACTURIER_RENDER_SWEEP_EVERY", 120, minimum=1)
# A document file whose row never committed (core.stored_files) is deleted after the grace period, which
# outlasts every task's time limit so no live write is touched.
FACTURIER_STORAGE_SWEEP_EVERY = env_int("FACTURIER_STORAGE_SWEEP_EVERY", 600, minimum=1)
FACTURIER_ORPHAN_FILE_GRACE = env_int("FACTURIER_ORPHAN_FILE_GRACE", 3600, minimum=1)

# Facturier's own identity, printed on its monthly fee invoices.
FACTURIER_OPERATOR = {
    "name": env_str("FACTURIER_OPERATOR_NAME", "Facturier SAS"),
    "legal_form": env_str("FACTURIER_OPERATOR_LEGAL_FORM", "SAS"),
    "share_capital": env_str("FACTURIER_OPERATOR_SHARE_CAPITAL", "10 000 €"),
    "address_line1": env_str("FACTURIER_OPERATOR_ADDRESS", "10 rue de la Paix"),
    "postal_code": env_str("FACTURIER_OPERATOR_POSTAL_CODE", "75002"),
    "city": env_str("FACTURIER_OPERATOR_CITY", "Paris"),
    "country": "FR",
    "siren": env_str("FACTURIER_OPERATOR_SIREN", "100000009"),
    "vat_number": env_str("FACTURIER_OPERATOR_VAT", "FR88100000009"),
    "rcs_city": env_str("FACTURIER_OPERATOR_RCS_CITY", "Paris"),
    "email": env_str("FACTURIER_OPERATOR_EMAIL", "facturation@facturier.example"),
    # Facturier opted to pay VAT on its services on debits (CGI 269-2-c): printed on fee invoices bearing VAT.
    "vat_on_debits": env_bool("FACTURIER_OPERATOR_VAT_ON_DEBITS", False),
}

# Where a seller gets help: shown at the foot of every portal page (issue #18).
FACTURIER_SUPPORT = {
    "email": env_str("FACTURIER_SUPPORT_EMAIL", "support@facturier.example"),
    "help_url": env_str("FACTURIER_HELP_URL", ""),
}

# Celery: with no broker URL the embedded default uses kombu's filesystem transport (no server to run).
# Redis hands a message not acknowledged within the visibility timeout to another worker. Tasks acknowledge
# late (a task killed with its worker is run again), so the timeout must outlast the longest task's hard time
# limit (monthly billing and the purge: 3600 s), with a margin, and the longest retry delay (600 s): shorter, a
# task still running or waiting for its retry would be started a second time. Recovery after a crash does not
# wait for this redelivery: the sweepers of config/celery.py resume interrupted syncs, render documents and
# release held emails within minutes; every task is idempotent, so the late redelivery finds its work done.
LONGEST_TASK_SECONDS = 3600
BROKER_VISIBILITY = {"visibility_timeout": LONGEST_TASK_SECONDS + 300}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
CELERY_EMBEDDED = CELERY_BROKER_URL == "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_EMBEDDED
    else BROKER_VISIBILITY
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("FACTURIER_TASKS_EAGER", False)
# Celery's Django fix-up closes every database connection around every task unless this is set (then only every
# 2 × N tasks). Connections are closed the Django way instead, around each task (config/celery.py), honouring
# CONN_MAX_AGE: a worker on PostgreSQL no longer opens a connection (a server process) per task.
CELERY_DB_REUSE_MAX = 10_000
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["facturier.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    # Content is negotiated by the Accept header only: a `?format=` override answered an unknown value with 404.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Facturier API",
    "DESCRIPTION": "Invoices issued by Facturier for a marketplace seller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages are never framed; the one framed response (an invoice's PDF in its detail page) says SAMEORIGIN itself.
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "facturier.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("FACTURIER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # kombu warns that filesystem:// has no host name; that is the embedded transport working as designed.
        "kombu.connection": {"level": "ERROR"},
    },
}
