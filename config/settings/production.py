"""Production: every secret must come from the environment; no demo data, secure cookies."""

from config.env import env_bool, env_int, env_list, env_required
from config.settings.base import *  # noqa: F403

DEBUG = False
FACTURIER_DEMO = False
SECRET_KEY = env_required("FACTURIER_SECRET_KEY")
FACTURIER_FERNET_KEYS = env_list("FACTURIER_FERNET_KEYS") or [env_required("FACTURIER_FERNET_KEYS")]
SESSION_COOKIE_SECURE = env_bool("FACTURIER_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_HSTS_PRELOAD = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("FACTURIER_SSL_REDIRECT", SESSION_COOKIE_SECURE)
# Probes and the scraper may call the process directly over HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# Persistent connections (checked before reuse): a worker or web process keeps its PostgreSQL connection.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("FACTURIER_DB_CONN_MAX_AGE", 60, minimum=0)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
