"""The marketplace page: the seller's connections listed and tested one by one, another account linked with the
chosen backend's fields, test outcomes in the page's language (against the simulator over HTTP)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import connection_fields
from facturier.portal.tests.helpers import logged_in
from facturier.portal.tests.test_i18n import switched_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(simulator, connect_to_simulator):
    """Shop 98979 of the simulator, and a second connection whose account id the credentials may not act for."""
    seller = connect_to_simulator(simulator)
    MarketplaceConnection.objects.create(seller=seller, **{**connection_fields(simulator.credentials()),
                                                           "account_id": "55555"})  # fmt: skip
    return seller


def connection(seller, account_id: str) -> MarketplaceConnection:
    # The account id is encrypted (with a random IV): it is compared once decrypted.
    return next(c for c in seller.connections.all() if c.account_id == account_id)


def outcome_of_testing(client, connection: MarketplaceConnection) -> tuple[str, list[str]]:
    response = client.post(f"/marketplace/{connection.pk}/tester/")
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    client.get(response["Location"])  # shows (and so consumes) the messages
    return response["Location"], messages


def test_the_page_lists_every_connection_and_offers_the_backend_fields(seller):
    html = logged_in(seller).get("/marketplace/").content.decode()

    for account in ("98979", "55555"):
        assert f'action="/marketplace/{connection(seller, account).pk}/tester/"' in html
    assert html.count("<td>Cdiscount</td>") == 2
    assert "Relier un compte Cdiscount" in html
    for field in ('name="marketplace" value="octopia"', 'id="id_account_id"', 'id="id_client_id"',
                  'type="password" name="client_secret"'):
        assert field in html


def test_each_connection_is_tested_on_its_own_with_a_plain_message(seller):
    client = logged_in(seller)

    assert outcome_of_testing(client, connection(seller, "98979")) == (
        "/", ["Connexion à Cdiscount réussie (commandes visibles : 30).",
              "Première synchronisation lancée : vos factures apparaissent ci-dessous."])  # the seller's first
    location, messages = outcome_of_testing(client, connection(seller, "55555"))

    assert (location, messages) == ("/marketplace/", [
        "Connexion impossible : Cdiscount accepte ces identifiants mais pas pour ce compte vendeur : vérifiez "
        "l'identifiant du compte et qu'il est bien relié à ces identifiants d'API."])
    statuses = {c.account_id: c.status for c in seller.connections.all()}
    assert statuses == {"98979": MarketplaceConnection.STATUS_OK, "55555": MarketplaceConnection.STATUS_REJECTED}
    dashboard = client.get("/").content.decode()
    assert "Connexion Cdiscount 55555 :" in dashboard and "Connexion Cdiscount 98979" not in dashboard


def test_an_english_page_tells_the_outcome_in_english(seller):
    client = switched_to(logged_in(seller), "en", "/marketplace/")

    _location, messages = outcome_of_testing(client, connection(seller, "55555"))

    assert messages == ["Connection failed: Cdiscount accepts these credentials but not for this seller account: "
                        "check the account id and that it is linked to these API credentials."]
    assert "Link a Cdiscount account" in client.get("/marketplace/").content.decode()


def test_a_second_account_is_linked_beside_the_first(seller, simulator):
    client = logged_in(seller)
    credentials = simulator.credentials("77777")

    response = client.post("/marketplace/", {"marketplace": "octopia", "account_id": " 77777 ",
                                             "client_id": credentials["client_id"],
                                             "client_secret": credentials["client_secret"]})  # fmt: skip

    assert response["Location"] == "/marketplace/"
    added = connection(seller, "77777")
    assert (added.marketplace, added.credentials, added.status) == (
        "octopia", {"client_id": credentials["client_id"], "client_secret": credentials["client_secret"]},
        MarketplaceConnection.STATUS_UNTESTED)
    assert seller.connections.count() == 3


def test_an_unknown_marketplace_kind_is_refused(seller):
    response = logged_in(seller).post("/marketplace/", {"marketplace": "amazon", "account_id": "1",
                                                        "client_id": "c", "client_secret": "s"})  # fmt: skip

    # An unknown kind falls back to the first backend's form, which refuses the posted kind.
    assert response.context["form"].errors["marketplace"] == ["Marketplace inconnue."]
    assert seller.connections.count() == 2


def test_an_account_already_linked_by_the_seller_is_not_linked_twice(seller, simulator):
    first = connection(seller, "98979")
    second = connection(seller, "55555")
    credentials = simulator.credentials()

    response = logged_in(seller).post(f"/marketplace/{second.pk}/", {
        "marketplace": "octopia", "account_id": "98979", "client_id": credentials["client_id"], "client_secret": ""})

    assert response.context["form"].errors["account_id"] == ["Ce compte est déjà relié à votre compte Facturier."]
    second.refresh_from_db()
    assert (second.account_id, seller.connections.count()) == ("55555", 2)
    assert first.pk != second.pk


def test_a_mirakl_marketplace_is_linked_with_its_instance_and_tested_under_its_own_name(seller, mirakl_simulator):
    client = logged_in(seller)
    assert 'id="id_instance"' in client.get("/marketplace/?marketplace=mirakl").content.decode()
    credentials = mirakl_simulator.credentials()

    response = client.post("/marketplace/", {"marketplace": "mirakl", "account_id": "2001",
                                             "instance": credentials["instance"], "api_key": credentials["api_key"],
                                             "connection_name": "Fnac"})  # fmt: skip

    assert response["Location"] == "/marketplace/"
    added = connection(seller, "2001")
    assert (added.marketplace, added.credentials["connection_name"]) == ("mirakl", "Fnac")
    assert outcome_of_testing(client, added)[1][-2:] == [
        "Connexion à Fnac réussie (commandes visibles : 12).",
        "Première synchronisation lancée : vos factures apparaissent ci-dessous.",
    ]
    assert "<td>Fnac</td>" in client.get("/marketplace/").content.decode()


@pytest.mark.parametrize("instance", ["http://fnac.mirakl.net", "ftp://fnac.mirakl.net", "fnac.mirakl.net"])
def test_a_mirakl_instance_that_is_not_https_is_refused_before_its_key_is_sent(seller, instance):
    response = logged_in(seller).post("/marketplace/", {"marketplace": "mirakl", "account_id": "2001",
                                                        "instance": instance, "api_key": "secret-key",
                                                        "connection_name": "Fnac"})  # fmt: skip

    assert response.status_code == 200
    assert response.context["form"].errors["instance"] == [
        "L'adresse de l'instance doit commencer par https:// (votre clé d'API y est envoyée)."]
    assert not seller.connections.filter(marketplace="mirakl").exists()
