"""Réglages → Numérotation: one series or one per marketplace with each connection's prefix; refused, in the page's
language, once the first invoice exists; a seller only ever sees and changes its own connections."""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection
from facturier.invoicing.models import Invoice
from facturier.portal.tests.helpers import issue, logged_in
from facturier.portal.tests.test_i18n import switched_to

pytestmark = pytest.mark.django_db
URL = "/reglages/numerotation/"


def link(seller, shop: str) -> MarketplaceConnection:
    return MarketplaceConnection.objects.create(
        seller=seller, account_id=shop, credentials={"client_id": shop, "client_secret": "s"}
    )


def test_the_seller_chooses_a_series_per_marketplace_with_its_prefixes(seller_a):
    first, second = link(seller_a, "11111"), link(seller_a, "22222")
    client = logged_in(seller_a)
    html = client.get(URL).content.decode()
    assert 'name="per_marketplace"' in html
    assert "Préfixe des numéros Cdiscount 11111" in html and "Préfixe des numéros Cdiscount 22222" in html

    response = client.post(URL, {"per_marketplace": "on", f"prefix_{first.pk}": "CD-", f"prefix_{second.pk}": ""})

    assert (response.status_code, response["Location"]) == (302, URL)
    seller_a.refresh_from_db()
    assert seller_a.numbering_per_marketplace
    assert dict(seller_a.connections.values_list("pk", "number_prefix")) == {
        first.pk: "CD-", second.pk: f"CDIS{second.pk}-"
    }  # fmt: skip


def test_a_change_after_the_first_invoice_is_refused_in_french_and_in_english(seller_a):
    first = link(seller_a, "11111")
    issue(seller_a)
    client = logged_in(seller_a)
    errors = {
        "fr": "Le choix de la numérotation est définitif depuis l&#x27;émission de votre première facture.",
        "en": "The numbering choice is final since your first invoice was issued.",
    }
    for language, message in errors.items():
        switched_to(client, language, URL)
        response = client.post(URL, {"per_marketplace": "on", f"prefix_{first.pk}": "CD-"})
        assert response.status_code == 200
        assert message in response.content.decode(), language

    seller_a.refresh_from_db()
    first.refresh_from_db()
    assert (seller_a.numbering_per_marketplace, first.number_prefix) == (False, "")


def test_a_seller_sees_and_changes_only_its_own_connections(seller_a, seller_b):
    own, other = link(seller_b, "22222"), link(seller_a, "11111")
    client = logged_in(seller_b)

    assert "11111" not in client.get(URL).content.decode()
    client.post(URL, {"per_marketplace": "on", f"prefix_{own.pk}": "B-", f"prefix_{other.pk}": "STOLEN-"})

    other.refresh_from_db()
    assert other.number_prefix == "" and not Invoice.objects.exists()
    assert dict(seller_b.connections.values_list("pk", "number_prefix")) == {own.pk: "B-"}


def test_general_prefixes_too_long_for_the_marketplace_numbers_are_refused(seller_a):
    from facturier.portal.tests.test_account import SETTINGS

    connection = link(seller_a, "11111")
    logged_in(seller_a).post(URL, {"per_marketplace": "on", f"prefix_{connection.pk}": "FNAC-MARKET-"})
    long_prefix = "FACTURES-BOUTIQUE-X-"  # 20 + 12 + 6 = 38 > 35 characters

    response = logged_in(seller_a).post("/reglages/", {**SETTINGS, "invoice_prefix": long_prefix})

    assert response.context["form"].errors["invoice_prefix"] == [
        "Préfixe « FNAC-MARKET- » trop long : 9 caractères au plus avec vos préfixes de factures et d'avoirs."
    ]
    seller_a.refresh_from_db()
    assert seller_a.invoice_prefix == "FAC-"
