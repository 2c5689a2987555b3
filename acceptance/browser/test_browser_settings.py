"""Every settings form of the portal, opened in Chromium and saved unchanged, changes nothing in the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTINGS_FORMS = ["/reglages/", "/inscription/entreprise/", "/inscription/tva/", "/marketplace/{connection}/"]


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def seller_rows(seller: Seller) -> dict:
    """The seller's settings as stored: the seller row and its marketplace connection (secrets decrypted)."""
    connection = MarketplaceConnection.objects.get(seller=seller)
    return {
        "seller": model_to_dict(Seller.objects.get(pk=seller.pk)),
        "connection": {field.name: getattr(connection, field.name) for field in connection._meta.concrete_fields},
    }


@pytest.mark.parametrize("rate", [Decimal("5.50"), Decimal("20.00")])
@pytest.mark.parametrize("path", SETTINGS_FORMS)
def test_saving_a_settings_form_unchanged_changes_nothing(page, live_server, make_seller, path, rate):
    seller = make_seller(default_vat_rate=rate, connection={
        "marketplace": "octopia", "account_id": "98979",
        "credentials": {"client_id": "client-1", "client_secret": "secret-1"},
        "status": MarketplaceConnection.STATUS_OK, "status_message": "Connecté : boutique 98979",
    })  # fmt: skip
    before = seller_rows(seller)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    log_in(page, live_server.url, seller.owner.email)
    page.goto(live_server.url + path.format(connection=seller.connections.get().pk))
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert page.locator(".field-error, .form-error, .errorlist").count() == 0
    after = seller_rows(seller)
    for table in before:
        changed = {name: (value, after[table][name]) for name, value in before[table].items()
                   if after[table][name] != value}
        assert changed == {}, table
    assert refused == []  # the strict CSP blocks nothing the portal needs
