"""A seller on two marketplaces (Cdiscount through Octopia, a Mirakl marketplace), both simulators over HTTP: the
invoice list filters by marketplace, and each invoice says how it reached the buyer."""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import mirakl_connection_fields
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.uploads import follow_uploads
from facturier.portal.tests.helpers import logged_in


@pytest.fixture
def seller(start_simulator, start_mirakl_simulator, connect_to_simulator):
    # Three Cdiscount orders (the b2c, business and relay scenarios) are enough beside the Mirakl ones.
    seller = connect_to_simulator(start_simulator(seed=42, orders=3), upload_to_marketplace=True)
    mirakl = start_mirakl_simulator(orders=8)
    MarketplaceConnection.objects.create(seller=seller, **mirakl_connection_fields(mirakl.credentials()))
    run_pass(seller, "test")
    for _poll in range(3):
        follow_uploads()
    return seller


def listed_orders(client, query: str = "") -> set[str]:
    html = client.get(f"/factures/{query}").content.decode()
    return {invoice.order_reference for invoice in Invoice.objects.all() if f"<code>{invoice.order_reference}<" in html}


@pytest.mark.django_db(transaction=True)
def test_the_invoice_list_filters_by_marketplace(seller):
    client = logged_in(seller)
    mirakl = seller.connections.get(marketplace="mirakl")
    mirakl_orders = set(Invoice.objects.filter(order__connection=mirakl).values_list("order_reference", flat=True))
    assert mirakl_orders == {"MK-B2C-A", "MK-BUSINESS-A", "MK-MULTIRATE-A", "MK-REFUND-A", "MK-CANCEL-A"}

    page = client.get("/factures/").content.decode()
    assert f'<option value="{mirakl.pk}">Mirakl Démo 2001</option>' in page
    assert listed_orders(client, f"?marketplace={mirakl.pk}") == mirakl_orders
    cdiscount = seller.connections.get(marketplace="octopia")
    cdiscount_orders = listed_orders(client, f"?marketplace={cdiscount.pk}")
    assert cdiscount_orders and not cdiscount_orders & mirakl_orders
    archive = client.get(f"/factures/lignes.csv?marketplace={mirakl.pk}")
    csv = b"".join(archive.streaming_content).decode()
    assert "MK-B2C-A" in csv and not any(order in csv for order in cdiscount_orders)


@pytest.mark.django_db(transaction=True)
def test_each_invoice_says_how_it_reached_the_buyer(seller):
    client = logged_in(seller)
    invoice = Invoice.objects.get(order_reference="MK-B2C-A", kind=Invoice.KIND_INVOICE)

    html = client.get(f"/factures/{invoice.pk}/").content.decode()

    assert "Dépôt sur Mirakl Démo" in html
    assert (
        '<dd id="delivery">E-mail envoyé à mk-b2c-a@customer-notification.mirakl.example · Déposée sur Mirakl Démo, '
        "dans l'espace client de l'acheteur</dd>"
    ) in html
