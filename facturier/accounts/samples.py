"""Sample sellers built through the ORM: used by the tests, the benchmark and nothing in production paths."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from facturier.accounts.models import BillingMandate, MarketplaceConnection, Seller, User

PASSWORD = "correct-horse-battery"  # noqa: S105 - test persona password


def create_seller(*, index: int, connection: dict | None = None, **overrides) -> Seller:
    email = overrides.pop("email", f"seller{index}@example.com")
    user = User.objects.create_user(email, PASSWORD, email_verified=True)
    fields = {
        "legal_name": f"Vendeur {index} SAS",
        "legal_form": "SAS",
        "share_capital": "10 000 €",
        "address_line1": "1 place de la Bourse",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "siren": "123456782",
        "rcs_city": "Paris",
        "vat_number": "FR11123456782",
        "fr_vat_number": "FR11123456782",
        "support_email": f"support{index}@example.com",
        "default_vat_rate": Decimal("20.00"),
    }
    fields.update(overrides)
    seller = Seller.objects.create(owner=user, **fields)
    BillingMandate.objects.create(
        seller=seller, version="2026-12-07", accepted_by=user, text_sha256=hashlib.sha256(b"mandate").hexdigest()
    )
    if connection is not None:
        MarketplaceConnection.objects.create(seller=seller, **connection)
    return seller


def mirakl_connection_fields(credentials: dict, shop_id: str = "2001") -> dict:
    """MarketplaceConnection fields from a Mirakl simulator's `credentials(shop_id)`."""
    return {"marketplace": "mirakl", "account_id": shop_id, "credentials": dict(credentials)}


def connection_fields(credentials: dict) -> dict:
    """MarketplaceConnection fields from a simulator's `credentials(seller_id)` (an Octopia account)."""
    return {
        "marketplace": MarketplaceConnection.MARKETPLACE_OCTOPIA,
        "account_id": credentials["seller_id"],
        "credentials": {"client_id": credentials["client_id"], "client_secret": credentials["client_secret"]},
    }
