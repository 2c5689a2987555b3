"""The embedded default run by `make run`: SQLite, .eml outbox, local files, the built-in simulator, demo data.

Variables set in the environment still win (DATABASE_URL, EMAIL_URL, OCTOPIA_API_URL, OCTOPIA_AUTH_URL, ...).
"""

import os

from config.env import env_str, env_url
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR
from facturier.core.local_secrets import local_secret

# Not DEBUG: Django's debug pages would list every URL and show tracebacks to whoever browses the demo; the
# portal's own 404/500 pages are shown instead, and `facturier run` serves the static files itself.
DEBUG = False
FACTURIER_DEMO = True
SIMULATOR_PORT = int(os.environ.get("FACTURIER_SIMULATOR_PORT", "8100"))
# The built-in Mirakl simulator, the demo seller's second marketplace (unless MIRAKL_API_URL names a real one).
MIRAKL_SIMULATOR_PORT = int(os.environ.get("FACTURIER_MIRAKL_SIMULATOR_PORT", "8102"))
SECRET_KEY = env_str("FACTURIER_SECRET_KEY") or local_secret(VAR_DIR / "secret_key", kind="django")
FACTURIER_FERNET_KEYS = [env_str("FACTURIER_FERNET_KEYS") or local_secret(VAR_DIR / "fernet_key", kind="fernet")]
OCTOPIA_API_URL = env_url("OCTOPIA_API_URL", f"http://127.0.0.1:{SIMULATOR_PORT}/seller/v2")
OCTOPIA_AUTH_URL = env_url(
    "OCTOPIA_AUTH_URL", f"http://127.0.0.1:{SIMULATOR_PORT}/auth/realms/maas/protocol/openid-connect/token"
)
