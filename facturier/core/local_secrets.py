"""Secrets the embedded demo generates on first start and keeps under var/ (never in the repository)."""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def local_secret(path: Path, *, kind: str) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = Fernet.generate_key().decode() if kind == "fernet" else secrets.token_urlsafe(50)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value
