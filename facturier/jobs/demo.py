"""The demo seller of the embedded mode. It never exists when the product runs with production settings."""

from __future__ import annotations

import hashlib
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from facturier.accounts.models import BillingMandate, MarketplaceConnection, Seller, User

DEMO_EMAIL = "demo@facturier.example"
DEMO_PASSWORD = "facturier-demo"  # noqa: S105 - public demo credentials, embedded mode only
DEMO_MARKETPLACE_SELLER_ID = "98979"
DEMO_CLIENT_ID = "demo-client"
MIRAKL_KIND = "mirakl"
DEMO_MIRAKL_SHOP_ID = "2001"  # the shop of the built-in Mirakl simulator (simulator/mirakl/server.py)
DEMO_MIRAKL_API_KEY = "mirakl-key-2001"
DEMO_MIRAKL_NAME = "Mirakl Démo"
MANDATE_VERSION = "2026-12-07"  # portal.terms.MANDATE_VERSION (the portal sits above jobs)


def ensure_demo_seller() -> Seller:
    if not settings.FACTURIER_DEMO:
        raise ImproperlyConfigured("The demo seller only exists in the embedded mode (config.settings.embedded).")
    with transaction.atomic():
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, email_verified=True)
        seller = Seller.objects.filter(owner=user).first() or _create_seller(user)
        _apply_credentials_from_environment(seller)
    return seller


def _apply_credentials_from_environment(seller: Seller) -> None:
    """Pointed at a real Octopia API (OCTOPIA_API_URL), the demo seller uses the credentials given in the
    environment; against the built-in simulator the simulator's demo credentials do."""
    credentials = {
        "client_id": os.environ.get("FACTURIER_DEMO_CLIENT_ID"),
        "client_secret": os.environ.get("FACTURIER_DEMO_CLIENT_SECRET"),
    }
    credentials = {name: value for name, value in credentials.items() if value}
    account_id = os.environ.get("FACTURIER_DEMO_SELLER_ID")
    if not (credentials or account_id):
        return
    connection = seller.connections.filter(marketplace=MarketplaceConnection.MARKETPLACE_OCTOPIA).first()
    connection.credentials = {**connection.credentials, **credentials}
    connection.account_id = account_id or connection.account_id
    connection.save(update_fields=["credentials", "account_id"])


def _create_seller(user: User) -> Seller:
    seller = Seller.objects.create(
        owner=user,
        legal_name="Boutique Démo SARL",
        legal_form="SARL",
        share_capital="5 000 €",
        address_line1="12 rue des Lilas",
        postal_code="69003",
        city="Lyon",
        country="FR",
        siren="123456782",
        siret="12345678200010",
        rcs_city="Lyon",
        vat_number="FR11123456782",
        fr_vat_number="FR11123456782",
        support_email="contact@boutique-demo.example",
    )
    BillingMandate.objects.create(
        seller=seller,
        version=MANDATE_VERSION,
        accepted_by=user,
        text_sha256=hashlib.sha256(b"demo mandate").hexdigest(),
    )
    MarketplaceConnection.objects.create(
        seller=seller,
        marketplace=MarketplaceConnection.MARKETPLACE_OCTOPIA,
        account_id=DEMO_MARKETPLACE_SELLER_ID,
        credentials={"client_id": DEMO_CLIENT_ID, "client_secret": f"secret-{DEMO_CLIENT_ID}"},
    )
    return seller


def ensure_mirakl_connection(seller: Seller, simulator_url: str = "") -> MarketplaceConnection:
    """The demo seller's second marketplace: the Mirakl instance named by MIRAKL_API_URL (with MIRAKL_API_KEY,
    optional MIRAKL_SHOP_ID, else the key's default shop, and MIRAKL_MARKETPLACE_NAME), else the built-in Mirakl
    simulator at `simulator_url`. Brought up to date on every start (the simulator's address may change)."""
    instance = os.environ.get("MIRAKL_API_URL", "").strip()
    if instance:
        account_id = os.environ.get("MIRAKL_SHOP_ID", "").strip()
        credentials = {"instance": instance, "api_key": os.environ.get("MIRAKL_API_KEY", "").strip()}
    else:
        account_id = DEMO_MIRAKL_SHOP_ID
        credentials = {"instance": simulator_url, "api_key": DEMO_MIRAKL_API_KEY}
    credentials["connection_name"] = os.environ.get("MIRAKL_MARKETPLACE_NAME", "").strip() or (
        "Mirakl" if instance else DEMO_MIRAKL_NAME
    )
    connection = seller.connections.filter(marketplace=MIRAKL_KIND).first() or MarketplaceConnection(
        seller=seller, marketplace=MIRAKL_KIND
    )
    connection.account_id, connection.credentials = account_id, credentials
    connection.save()
    return connection
