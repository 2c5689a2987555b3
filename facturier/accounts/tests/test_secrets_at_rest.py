"""Marketplace credentials are encrypted at rest: a database dump never shows them; keys can be rotated."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from facturier.accounts.models import MarketplaceConnection
from facturier.core import crypto

SECRET = "s3cr3t-client-secret-value"


def octopia(client_id: str, account_id: str) -> dict:
    return {"marketplace": "octopia", "account_id": account_id,
            "credentials": {"client_id": client_id, "client_secret": SECRET}}  # fmt: skip


def raw_row(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, credentials FROM accounts_marketplaceconnection WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_database_dump_never_shows_a_credential(make_seller):
    seller = make_seller(connection=octopia("client-42", "98979"))
    connection_pk = seller.connections.get().pk
    stored = raw_row(connection_pk)

    assert all(value.startswith("gAAAA") for value in stored)
    assert not any(text in value for value in stored for text in ("client-42", SECRET, "98979", "client_secret"))
    reloaded = MarketplaceConnection.objects.get(pk=connection_pk)
    assert (reloaded.account_id, reloaded.credentials) == ("98979", {"client_id": "client-42", "client_secret": SECRET})


@pytest.mark.django_db
def test_a_new_key_reads_old_tokens_and_rotation_re_encrypts_them(make_seller, settings):
    seller = make_seller(connection=octopia("c", "1"))
    connection_pk = seller.connections.get().pk
    old_token = raw_row(connection_pk)[1]
    new_key = Fernet.generate_key().decode()
    settings.FACTURIER_FERNET_KEYS = [new_key, *settings.FACTURIER_FERNET_KEYS]

    assert MarketplaceConnection.objects.get(pk=connection_pk).credentials["client_secret"] == SECRET
    rotated = crypto.rotate(old_token)
    assert json.loads(Fernet(new_key.encode()).decrypt(rotated.encode()))["client_secret"] == SECRET
    settings.FACTURIER_FERNET_KEYS = [new_key]
    assert json.loads(crypto.decrypt(rotated))["client_secret"] == SECRET


@pytest.mark.django_db
def test_the_rotation_command_re_encrypts_every_connection_with_the_newest_key(make_seller, settings):
    from django.core.management import call_command

    seller = make_seller(connection=octopia("c", "1"))
    new_key = Fernet.generate_key().decode()
    settings.FACTURIER_FERNET_KEYS = [new_key, *settings.FACTURIER_FERNET_KEYS]

    output = io.StringIO()
    call_command("rotate_secrets", stdout=output)

    assert output.getvalue() == "1 connections re-encrypted with the newest key\n"

    account_token, credentials_token = raw_row(seller.connections.get().pk)
    assert Fernet(new_key.encode()).decrypt(account_token.encode()).decode() == "1"
    assert json.loads(Fernet(new_key.encode()).decrypt(credentials_token.encode()))["client_secret"] == SECRET
