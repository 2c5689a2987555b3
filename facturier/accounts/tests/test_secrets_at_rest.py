"""Marketplace credentials are encrypted at rest: a database dump never shows them; keys can be rotated."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from facturier.accounts.models import MarketplaceConnection
from facturier.core import crypto

SECRET = "s3cr3t-client-secret-value"


def raw_row(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id, client_secret, marketplace_seller_id FROM accounts_marketplaceconnection WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_database_dump_never_shows_a_credential(make_seller):
    seller = make_seller(
        connection={"client_id": "client-42", "client_secret": SECRET, "marketplace_seller_id": "98979"}
    )
    stored = raw_row(seller.connection.pk)

    assert all(value.startswith("gAAAA") for value in stored)
    assert not any(text in value for value in stored for text in ("client-42", SECRET, "98979"))
    reloaded = MarketplaceConnection.objects.get(pk=seller.connection.pk)
    assert (reloaded.client_id, reloaded.client_secret, reloaded.marketplace_seller_id) == (
        "client-42",
        SECRET,
        "98979",
    )


@pytest.mark.django_db
def test_a_new_key_reads_old_tokens_and_rotation_re_encrypts_them(make_seller, settings):
    seller = make_seller(connection={"client_id": "c", "client_secret": SECRET, "marketplace_seller_id": "1"})
    old_token = raw_row(seller.connection.pk)[1]
    new_key = Fernet.generate_key().decode()
    settings.FACTURIER_FERNET_KEYS = [new_key, *settings.FACTURIER_FERNET_KEYS]

    assert MarketplaceConnection.objects.get(pk=seller.connection.pk).client_secret == SECRET
    rotated = crypto.rotate(old_token)
    assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == SECRET
    settings.FACTURIER_FERNET_KEYS = [new_key]
    assert crypto.decrypt(rotated) == SECRET


@pytest.mark.django_db
def test_the_rotation_command_re_encrypts_every_connection_with_the_newest_key(make_seller, settings):
    from django.core.management import call_command

    seller = make_seller(connection={"client_id": "c", "client_secret": SECRET, "marketplace_seller_id": "1"})
    new_key = Fernet.generate_key().decode()
    settings.FACTURIER_FERNET_KEYS = [new_key, *settings.FACTURIER_FERNET_KEYS]

    output = io.StringIO()
    call_command("rotate_secrets", stdout=output)

    assert output.getvalue() == "1 connections re-encrypted with the newest key\n"

    token = raw_row(seller.connection.pk)[1]
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == SECRET
