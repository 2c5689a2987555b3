"""Test settings: the database comes from DATABASE_URL (SQLite by default), mail stays in memory."""

import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from config.settings.base import *  # noqa: F403
from config.settings.base import database_config

_TMP = Path(tempfile.mkdtemp(prefix="facturier-test-"))
VAR_DIR = _TMP
MEDIA_ROOT = _TMP / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES = {"default": database_config(os.environ.get("DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(_TMP / "test-db.sqlite3")}
SECRET_KEY = "test-only-" + Fernet.generate_key().decode()
# Keys are made per run: no secret lives in the repository.
FACTURIER_FERNET_KEYS = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
OCTOPIA_API_URL = "http://127.0.0.1:1/seller/v2"
OCTOPIA_AUTH_URL = "http://127.0.0.1:1/auth/token"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Marketplace tokens in memory: the default cache is a database table, which the read-ahead thread that fetches a
# token would have to wait for while a test holds SQLite's write lock.
CACHES = {**CACHES, "tokens": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tokens"}}  # noqa: F405
FACTURIER_TOKEN_CACHE = "tokens"
