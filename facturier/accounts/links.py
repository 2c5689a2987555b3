"""Linking a seller to its marketplace accounts: one active seller per account, refused attempts recorded."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from facturier.accounts.models import MarketplaceConnection, MarketplaceLinkRefusal, Seller, marketplace_account_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """What a seller typed to connect one marketplace account: the backend kind, the account id and the
    backend's credential fields by name (a secret left empty keeps the stored one)."""

    marketplace: str
    account_id: str
    values: Mapping[str, str] = field(default_factory=dict)

    def account_key(self) -> str:
        scope = self.values.get(MarketplaceConnection.INSTANCE_CREDENTIAL, "")
        return marketplace_account_key(self.marketplace, self.account_id, scope)


class AccountAlreadyLinked(Exception):
    """Another active seller holds this marketplace account."""


class AccountLinkedTwice(Exception):
    """The seller already holds this marketplace account through another of its connections."""


def save_credentials(
    seller: Seller,
    credentials: Credentials,
    *,
    connection: MarketplaceConnection | None = None,
    ip_address: str | None = None,
) -> MarketplaceConnection:
    """Store a connection of the seller: `connection` updated, else the seller's connection to that account, else a
    new one. The same values saved again keep their tested status; empty values keep the stored ones. Raise
    AccountAlreadyLinked (after recording the attempt) when another active seller holds the account."""
    try:
        with transaction.atomic():
            current = _current(seller, credentials, connection)
            values = {**(current.credentials if current else {}), **{k: v for k, v in credentials.values.items() if v}}
            if current is not None and (current.account_id, current.credentials) == (credentials.account_id, values):
                return current
            current = current or MarketplaceConnection(seller=seller, marketplace=credentials.marketplace)
            current.account_id, current.credentials = credentials.account_id, values
            current.status, current.status_message = MarketplaceConnection.STATUS_UNTESTED, ""
            current.status_changed_at = timezone.now()
            current.save()
            return current
    except IntegrityError:
        holder = _holder(seller, credentials)
        if holder is None and _linked_already(seller, credentials, connection):
            raise AccountLinkedTwice from None
        if holder is None:
            raise
        _record_refusal(seller, holder, credentials, ip_address)
        raise AccountAlreadyLinked from None


def _current(
    seller: Seller, credentials: Credentials, connection: MarketplaceConnection | None
) -> MarketplaceConnection | None:
    mine = MarketplaceConnection.objects.select_for_update().filter(seller=seller)
    if connection is not None:
        return mine.get(pk=connection.pk)
    return mine.filter(marketplace=credentials.marketplace, account_key=credentials.account_key()).first()


def _linked_already(seller: Seller, credentials: Credentials, connection: MarketplaceConnection | None) -> bool:
    mine = MarketplaceConnection.objects.filter(
        seller=seller, marketplace=credentials.marketplace, account_key=credentials.account_key()
    )
    return mine.exclude(pk=connection.pk if connection else None).exists()


def _holder(seller: Seller, credentials: Credentials) -> Seller | None:
    connection = (
        MarketplaceConnection.objects.filter(
            marketplace=credentials.marketplace, account_key=credentials.account_key(), holds_account=True
        )
        .exclude(seller=seller)
        .select_related("seller")
        .first()
    )
    return connection.seller if connection else None


def _record_refusal(seller: Seller, holder: Seller, credentials: Credentials, ip_address: str | None) -> None:
    refusal = MarketplaceLinkRefusal.objects.create(
        seller=seller, holder=holder, marketplace=credentials.marketplace, account_key=credentials.account_key(),
        ip_address=ip_address or None,
    )  # fmt: skip
    logger.warning(
        "marketplace account already linked to another active seller: link refused",
        extra={"seller_id": seller.pk, "holder_seller_id": holder.pk, "refusal_id": refusal.pk},
    )
