"""The marketplace client for one seller, built from its encrypted credentials."""

from __future__ import annotations

from django.conf import settings

from facturier.accounts.models import MarketplaceConnection
from facturier.marketplace.octopia import OctopiaClient


def client_for(connection: MarketplaceConnection, **options) -> OctopiaClient:
    return OctopiaClient(
        settings.OCTOPIA_API_URL,
        settings.OCTOPIA_AUTH_URL,
        connection.client_id,
        connection.client_secret,
        connection.marketplace_seller_id,
        **options,
    )
