"""Configuration comes from the environment through typed readers that fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from config.settings.base import email_config

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "_case, reader, value, expected",
    [
        ("true", lambda: env.env_bool("X_TEST"), "yes", True),
        ("false", lambda: env.env_bool("X_TEST"), "0", False),
        ("int", lambda: env.env_int("X_TEST", 1), "42", 42),
        ("list", lambda: env.env_list("X_TEST"), "a, b,,c", ["a", "b", "c"]),
        ("url", lambda: env.env_url("X_TEST"), "https://api.example/v2/", "https://api.example/v2"),
    ],
)
def test_readers_parse_good_values(monkeypatch, _case, reader, value, expected):
    monkeypatch.setenv("X_TEST", value)
    assert reader() == expected


@pytest.mark.parametrize(
    "_case, reader, value, message",
    [
        ("bool", lambda: env.env_bool("X_TEST"), "maybe", "X_TEST='maybe' is not a boolean"),
        ("int", lambda: env.env_int("X_TEST", 1), "ten", "X_TEST='ten' is not an integer"),
        ("minimum", lambda: env.env_int("X_TEST", 1, minimum=1), "0", "X_TEST=0 must be at least 1"),
        ("url", lambda: env.env_url("X_TEST"), "ftp://x", "is not a URL with scheme http/https"),
    ],
)
def test_readers_fail_loudly_on_bad_values(monkeypatch, _case, reader, value, message):
    monkeypatch.setenv("X_TEST", value)
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        reader()


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_TEST_FILE", str(secret))
    assert env.env_str("X_TEST") == "from-a-file"


def test_email_urls_select_the_backend():
    assert email_config("eml:///srv/mail") == {
        "EMAIL_BACKEND": "facturier.outbox.backends.EmlFileBackend",
        "EMAIL_FILE_PATH": "/srv/mail",
    }
    submission = email_config("submission://user:pass@smtp.example:587")
    assert (submission["EMAIL_HOST"], submission["EMAIL_PORT"], submission["EMAIL_USE_TLS"]) == (
        "smtp.example",
        587,
        True,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FACTURIER_")}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "FACTURIER_SECRET_KEY must be set" in result.stderr
