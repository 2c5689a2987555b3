import hashlib

import pytest
from django.test import Client

from facturier.accounts.models import BillingMandate, MarketplaceConnection, Seller, User
from facturier.core.stored_text import render
from facturier.portal.views.onboarding import MANDATE_VERSION, mandate_text

COMPANY = {
    "legal_name": "Gamma Distribution SAS", "legal_form": "SAS", "share_capital": "5 000 €",
    "address_line1": "3 rue de Rivoli", "postal_code": "75001", "city": "Paris", "country": "FR",
    "siren": "732829320", "vat_number": "FR44732829320", "rcs_city": "Paris",
}  # fmt: skip


@pytest.fixture
def new_user_client(db) -> Client:
    user = User.objects.create_user("gamma@example.com", "un-mot-de-passe-long", email_verified=True)
    client = Client(HTTP_USER_AGENT="pytest-browser/1.0", REMOTE_ADDR="192.0.2.7")
    client.force_login(user)
    return client


def test_without_a_seller_every_page_leads_to_registration(new_user_client):
    assert new_user_client.get("/factures/")["Location"] == "/inscription/entreprise/"


def test_non_eu_sellers_are_refused_with_the_reason(new_user_client):
    response = new_user_client.post("/inscription/entreprise/", {**COMPANY, "country": "US", "vat_number": ""})
    assert response.context["form"].errors["country"] == [
        "Facturier est réservé aux vendeurs établis dans l'Union européenne (pays : US)."]
    assert Seller.objects.count() == 0


def test_identifier_errors_are_shown_on_their_field(new_user_client):
    response = new_user_client.post("/inscription/entreprise/", {**COMPANY, "siren": "732829321",
                                                                 "vat_number": "FR00732829320"})
    errors = response.context["form"].errors
    assert errors["siren"] == ["SIREN « 732829321 » invalide : clé de contrôle incorrecte."]
    assert errors["vat_number"][0].startswith("Numéro de TVA « FR00732829320 » invalide")


def test_english_messages_when_the_page_is_in_english(new_user_client):
    response = new_user_client.post("/inscription/entreprise/", {**COMPANY, "country": "US"},
                                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["form"].errors["country"] == [
        "Facturier is reserved for sellers established in the European Union (country: US)."]


def test_registration_steps(new_user_client):
    response = new_user_client.post("/inscription/entreprise/", COMPANY)
    assert response["Location"] == "/inscription/tva/"
    seller = Seller.objects.get(owner__email="gamma@example.com")
    assert (seller.siren, seller.vat_number, seller.support_email) == ("732829320", "FR44732829320",
                                                                       "gamma@example.com")
    response = new_user_client.post("/inscription/tva/", {"default_vat_rate": "20", "fr_vat_number": ""})
    assert response["Location"] == "/inscription/mandat/"
    seller.refresh_from_db()
    assert seller.fr_vat_number == "FR44732829320"
    refused = new_user_client.post("/inscription/mandat/", {})
    assert refused.context["form"].errors["accept"] == [
        "Vous devez accepter le mandat pour que Facturier émette vos factures."]
    assert new_user_client.post("/inscription/mandat/", {"accept": "on"})["Location"] == "/marketplace/"
    mandate = BillingMandate.objects.get(seller=seller)
    assert mandate.version == MANDATE_VERSION
    assert mandate.text_sha256 == hashlib.sha256(mandate_text(seller).encode()).hexdigest()
    assert (mandate.ip_address, mandate.user_agent) == ("192.0.2.7", "pytest-browser/1.0")


def test_franchise_is_french_only(new_user_client):
    new_user_client.post("/inscription/entreprise/", {**COMPANY, "country": "BE", "siren": "",
                                                      "vat_number": "BE0403019261"})
    response = new_user_client.post("/inscription/tva/", {"default_vat_rate": "20", "franchise_en_base": "on"})
    assert response.context["form"].errors["franchise_en_base"] == [
        "La franchise en base est un régime français : elle ne s'applique qu'aux entreprises établies en France."]


def test_credentials_are_saved_and_an_unreachable_api_is_reported(seller_a):
    client = Client()
    client.force_login(seller_a.owner)
    client.post("/marketplace/", {"marketplace": "octopia", "client_id": "cid", "client_secret": "s3cret",
                                  "account_id": "42"})  # fmt: skip
    connection = MarketplaceConnection.objects.get(seller=seller_a)
    assert (connection.marketplace, connection.account_id, connection.credentials, connection.status) == (
        "octopia", "42", {"client_id": "cid", "client_secret": "s3cret"}, "untested")
    client.post(f"/marketplace/{connection.pk}/", {"marketplace": "octopia", "client_id": "cid2", "client_secret": "",
                                                   "account_id": "42"})  # fmt: skip
    connection.refresh_from_db()
    assert connection.credentials == {"client_id": "cid2", "client_secret": "s3cret"}
    assert client.post(f"/marketplace/{connection.pk}/tester/")["Location"] == "/marketplace/"
    connection.refresh_from_db()
    assert connection.status == MarketplaceConnection.STATUS_UNAVAILABLE
    assert render(connection.status_message) == (
        "Cdiscount ne répond pas pour le moment. Réessayez dans quelques minutes."
    )


def test_the_debits_option_and_the_reform_date_are_seller_settings(new_user_client):
    new_user_client.post("/inscription/entreprise/", COMPANY)
    seller = Seller.objects.get(owner__email="gamma@example.com")
    assert (seller.vat_on_debits, seller.reform_mentions_from) == (False, None)

    response = new_user_client.post("/inscription/tva/", {"default_vat_rate": "20", "vat_on_debits": "on",
                                                          "reform_mentions_from": "01/09/2027"})

    assert response["Location"] == "/inscription/mandat/"
    seller.refresh_from_db()
    assert (seller.vat_on_debits, seller.reform_mentions_from.isoformat()) == (True, "2027-09-01")
