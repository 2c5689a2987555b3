"""Secrets at rest: Fernet with key rotation (MultiFernet, newest key first in FACTURIER_FERNET_KEYS)."""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FACTURIER_FERNET_KEYS must hold at least one Fernet key")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FACTURIER_FERNET_KEYS holds an invalid Fernet key: {exc}") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FACTURIER_FERNET_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("a stored secret cannot be decrypted with FACTURIER_FERNET_KEYS") from exc


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (after a key was added at the front of the list)."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token: a database dump never shows the secret."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A JSON object of text values (a connection's credentials) stored as one Fernet token."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else {}

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value):
        if isinstance(value, str):  # already serialized (a fixture, a form)
            value = self.to_python(value)
        return encrypt(json.dumps(value, sort_keys=True)) if value else ""

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), sort_keys=True)
