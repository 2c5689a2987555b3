"""New versions of the terms and of the billing mandate (they now name the Mirakl marketplaces): the old texts stay
word for word, a seller who accepted an older version is asked at the next visit, and only linking another
marketplace waits for the new mandate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

from facturier.accounts.models import BillingMandate, MarketplaceConnection
from facturier.portal.terms import MANDATE_VERSION, TERMS_VERSION
from facturier.portal.tests.helpers import logged_in
from facturier.portal.views.onboarding import mandate_text

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "portal"
OLD_MANDATE_SCOPE = "sur la marketplace Cdiscount."


@pytest.fixture
def seller_on_old_versions(seller_a):
    """Accepted the terms 2026-12 and the mandate 2026-11, which named Cdiscount alone."""
    seller_a.owner.terms_version, seller_a.owner.terms_accepted_at = "2026-12", timezone.now()
    seller_a.owner.save()
    seller_a.mandates.update(version="2026-11")
    return seller_a


def test_the_old_texts_are_kept_word_for_word_and_the_new_ones_name_mirakl():
    old_terms = (TEMPLATES / "terms" / "terms-2026-12.html").read_text()
    old_mandate = (TEMPLATES / "mandate" / "mandate-2026-11.txt").read_text()
    assert "une facture par commande Cdiscount expédiée vers la France" in old_terms
    assert OLD_MANDATE_SCOPE in old_mandate
    assert (TERMS_VERSION, MANDATE_VERSION) == ("2026-12-07", "2026-12-07")
    new_mandate = (TEMPLATES / "mandate" / f"mandate-{MANDATE_VERSION}.txt").read_text()
    assert "sur les marketplaces Cdiscount et Mirakl" in new_mandate
    assert OLD_MANDATE_SCOPE not in new_mandate


@pytest.mark.django_db
def test_the_public_terms_and_the_sign_up_name_both(client):
    terms = client.get("/conditions/").content.decode()
    assert "passée sur Cdiscount ou sur une marketplace Mirakl" in terms
    assert "vos ventes sur Cdiscount et sur les marketplaces Mirakl" in client.get("/inscription/").content.decode()
    english = client.get("/conditions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "placed on Cdiscount or on a Mirakl marketplace" in english


@pytest.mark.django_db
def test_a_seller_on_old_versions_is_asked_and_accepts_both(seller_on_old_versions):
    seller = seller_on_old_versions
    client = logged_in(seller)

    banner = client.get("/").content.decode()
    assert 'id="pending-versions"' in banner
    assert 'href="/reglages/conditions/"' in banner and 'href="/inscription/mandat/"' in banner
    page = client.get("/reglages/conditions/").content.decode()
    assert "Vous avez accepté la version 2026-12 le" in page
    assert "Version en vigueur : 2026-12-07" in page

    assert client.post("/reglages/conditions/", {})["content-type"].startswith("text/html")  # unticked: refused
    assert client.post("/reglages/conditions/", {"accept": "on"})["Location"] == "/inscription/mandat/"
    assert client.post("/inscription/mandat/", {"accept": "on"}).status_code == 302

    seller.owner.refresh_from_db()
    assert seller.owner.terms_version == "2026-12-07"
    new, old = BillingMandate.objects.filter(seller=seller)
    assert (new.version, old.version) == ("2026-12-07", "2026-11")  # the older acceptance stays on record
    assert new.text_sha256 == hashlib.sha256(mandate_text(seller).encode()).hexdigest()
    assert 'id="pending-versions"' not in client.get("/").content.decode()
    assert "Vous avez accepté la version 2026-12-07 le" in client.get("/reglages/conditions/").content.decode()


@pytest.mark.django_db
def test_only_linking_another_marketplace_waits_for_the_new_mandate(seller_on_old_versions):
    client = logged_in(seller_on_old_versions)
    before = MarketplaceConnection.objects.count()

    refused = client.post("/marketplace/", {"marketplace": "mirakl", "account_id": "2001"}, follow=True)

    assert refused.redirect_chain == [("/inscription/mandat/", 302)]
    assert [str(message) for message in refused.context["messages"]] == [
        "Acceptez d'abord la nouvelle version du mandat de facturation."
    ]
    assert MarketplaceConnection.objects.count() == before
    for page in ("/", "/factures/", "/commandes/", "/marketplace/"):
        assert client.get(page).status_code == 200, page
