"""The marketplace client for one seller, built from its encrypted credentials."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches

from facturier.accounts.models import MarketplaceConnection
from facturier.marketplace.auth import SharedTokenCache
from facturier.marketplace.octopia import OctopiaClient


def shared_token_cache() -> SharedTokenCache:
    """Tokens shared by every process through Django's cache FACTURIER_TOKEN_CACHE (see marketplace/auth.py)."""
    return SharedTokenCache(caches[settings.FACTURIER_TOKEN_CACHE])


def client_for(connection: MarketplaceConnection, **options) -> OctopiaClient:
    options.setdefault("token_cache", shared_token_cache())
    return OctopiaClient(
        settings.OCTOPIA_API_URL,
        settings.OCTOPIA_AUTH_URL,
        connection.client_id,
        connection.client_secret,
        connection.marketplace_seller_id,
        **options,
    )
