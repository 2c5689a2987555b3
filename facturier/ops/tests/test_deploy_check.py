"""`check --deploy` under the production settings, in a fresh process with only the required variables: no issue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_reports_nothing_under_production_settings(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "FACTURIER_SECRET_KEY": Fernet.generate_key().decode() + Fernet.generate_key().decode(),
        "FACTURIER_FERNET_KEYS": Fernet.generate_key().decode(),
        "FACTURIER_VAR_DIR": str(tmp_path),
        "FACTURIER_ALLOWED_HOSTS": "factures.example.com",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "DEBUG"],
        env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (result.returncode, result.stderr.strip(), result.stdout.strip()) == (
        0, "", "System check identified no issues (0 silenced).")
