"""Linking a seller to its marketplace account: one active seller per account, refused attempts recorded."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from facturier.accounts.models import MarketplaceConnection, MarketplaceLinkRefusal, Seller, marketplace_account_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    marketplace_seller_id: str


class AccountAlreadyLinked(Exception):
    """Another active seller holds this marketplace account."""


def save_credentials(seller: Seller, credentials: Credentials, *, ip_address: str | None = None) -> None:
    """Store the seller's credentials; the same ones saved again keep their tested status. Raise
    AccountAlreadyLinked (after recording the attempt) when another active seller holds the account."""
    values = {"client_id": credentials.client_id, "client_secret": credentials.client_secret,
              "marketplace_seller_id": credentials.marketplace_seller_id}  # fmt: skip
    try:
        with transaction.atomic():
            current = MarketplaceConnection.objects.select_for_update().filter(seller=seller).first()
            if current is not None and all(getattr(current, name) == value for name, value in values.items()):
                return
            MarketplaceConnection.objects.update_or_create(seller=seller, defaults={
                **values, "status": MarketplaceConnection.STATUS_UNTESTED, "status_message": "",
                "status_changed_at": timezone.now(),
            })  # fmt: skip
    except IntegrityError:
        holder = _holder(seller, credentials.marketplace_seller_id)
        if holder is None:
            raise
        _record_refusal(seller, holder, credentials.marketplace_seller_id, ip_address)
        raise AccountAlreadyLinked from None


def _holder(seller: Seller, marketplace_seller_id: str) -> Seller | None:
    key = marketplace_account_key(MarketplaceConnection.MARKETPLACE_CDISCOUNT, marketplace_seller_id)
    connection = (
        MarketplaceConnection.objects.filter(
            marketplace=MarketplaceConnection.MARKETPLACE_CDISCOUNT, account_key=key, holds_account=True
        )
        .exclude(seller=seller)
        .select_related("seller")
        .first()
    )
    return connection.seller if connection else None


def _record_refusal(seller: Seller, holder: Seller, marketplace_seller_id: str, ip_address: str | None) -> None:
    refusal = MarketplaceLinkRefusal.objects.create(
        seller=seller, holder=holder, marketplace=MarketplaceConnection.MARKETPLACE_CDISCOUNT,
        account_key=marketplace_account_key(MarketplaceConnection.MARKETPLACE_CDISCOUNT, marketplace_seller_id),
        ip_address=ip_address or None,
    )  # fmt: skip
    logger.warning(
        "marketplace account already linked to another active seller: link refused",
        extra={"seller_id": seller.pk, "holder_seller_id": holder.pk, "refusal_id": refusal.pk},
    )
