"""The connector registry and the Octopia backend, against the simulator over HTTP."""

from __future__ import annotations

import pytest
from django.utils import translation

from facturier.marketplace import connectors
from facturier.marketplace.connectors import ConnectionFailure, ConnectionTest, UnknownMarketplace, UploadState
from facturier.marketplace.dto import MarketOrder
from facturier.marketplace.octopia_connector import OctopiaConnector
from facturier.simulator.tests.fixtures import TEST_TIMEOUT


class OtherMarketplace(OctopiaConnector):
    kind = "other"
    display_name = "Autre place"


@pytest.fixture
def octopia_at(settings):
    def point(simulator):
        settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url

    return point


def connector(simulator, *, seller_id="98979", **changes) -> OctopiaConnector:
    credentials = simulator.credentials(seller_id)
    values = {"client_id": credentials["client_id"], "client_secret": credentials["client_secret"], **changes}
    return connectors.connector_for("octopia", seller_id, values, timeout=TEST_TIMEOUT, max_attempts=1)


def test_the_backend_of_a_kind_is_the_dotted_path_in_the_settings(settings):
    assert connectors.backend("octopia") is OctopiaConnector
    assert (OctopiaConnector.display_name, OctopiaConnector.account_field.name) == ("Cdiscount", "seller_id")
    assert [(f.name, f.secret) for f in OctopiaConnector.credential_fields] == [
        ("client_id", False), ("client_secret", True)]
    settings.FACTURIER_MARKETPLACE_BACKENDS = {
        **settings.FACTURIER_MARKETPLACE_BACKENDS, "other": f"{__name__}.OtherMarketplace"}
    assert connectors.kinds() == ("octopia", "mirakl", "other")
    assert connectors.backend("other") is OtherMarketplace
    assert connectors.display_name("other") == "Autre place"
    assert connectors.connection_name("other", "1", {}) == "Autre place"


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(UnknownMarketplace, match="no marketplace backend for 'amazon'; configured: octopia, mirakl"):
        connectors.backend("amazon")
    assert connectors.display_name("amazon") == "amazon"


def test_orders_read_through_the_connector_are_the_neutral_orders_of_the_account(simulator, octopia_at):
    octopia_at(simulator)
    with connector(simulator) as account:
        orders = list(account.iter_orders())
        one = account.get_order(orders[0].order_id)
    assert sorted(order.order_id for order in orders) == sorted(o["orderId"] for o in simulator.orders("98979"))
    assert isinstance(one, MarketOrder) and one.order_id == orders[0].order_id


def test_an_upload_is_followed_in_neutral_states(simulator, octopia_at):
    octopia_at(simulator)
    order_id = simulator.orders("98979")[0]["orderId"]
    with connector(simulator) as account:
        upload_id = account.upload_invoice(order_id, f"{order_id}.pdf", b"%PDF-1.7 test")
        first, second = account.get_upload(upload_id), account.get_upload(upload_id)
    # The simulator answers Running on the first poll, then Success.
    assert (first.state, first.detail, first.is_finished) == (UploadState.RUNNING, "Running", False)
    assert (second.state, second.detail, second.is_finished, second.errors) == (
        UploadState.ACCEPTED, "Success", True, ())


@pytest.mark.parametrize(("case", "failure"), [
    ("wrong_secret", ConnectionFailure.CREDENTIALS_REFUSED),
    ("wrong_account", ConnectionFailure.WRONG_ACCOUNT),
    ("unreachable", ConnectionFailure.UNREACHABLE),
])  # fmt: skip
def test_a_connection_test_tells_the_three_failures_apart(simulator, octopia_at, settings, case, failure):
    octopia_at(simulator)
    account = connector(simulator)
    if case == "wrong_secret":
        account = connector(simulator, client_secret="wrong")
    elif case == "wrong_account":
        credentials = simulator.credentials("98979")
        account = connectors.connector_for("octopia", "55555", credentials, timeout=TEST_TIMEOUT, max_attempts=1)
    elif case == "unreachable":
        settings.OCTOPIA_API_URL = settings.OCTOPIA_AUTH_URL = "http://127.0.0.1:1/nothing"
        account = connector(simulator)
    with account:
        test = account.test_connection()
    assert (test.ok, test.failure) == (False, failure)
    assert test.detail  # the marketplace's own words, for the operator


def test_a_good_connection_counts_the_orders(simulator, octopia_at):
    octopia_at(simulator)
    with connector(simulator) as account:
        test = account.test_connection()
    assert test == ConnectionTest(ok=True, orders=30, detail="seller 98979: 30 orders")


@pytest.mark.parametrize(("test", "french", "english"), [
    (ConnectionTest(ok=True, orders=3), "Connexion à Cdiscount réussie (commandes visibles : 3).",
     "Connected to Cdiscount (orders visible: 3)."),
    (ConnectionTest(ok=True, orders=1), "Connexion à Cdiscount réussie (commandes visibles : 1).",
     "Connected to Cdiscount (orders visible: 1)."),
    (ConnectionTest(ok=False, failure=ConnectionFailure.CREDENTIALS_REFUSED),
     "Cdiscount refuse ces identifiants d'API. Vérifiez-les dans votre espace vendeur, puis enregistrez-les à "
     "nouveau.", "Cdiscount refuses these API credentials. Check them in your seller area, then save them again."),
    (ConnectionTest(ok=False, failure=ConnectionFailure.WRONG_ACCOUNT),
     "Cdiscount accepte ces identifiants mais pas pour ce compte vendeur : vérifiez l'identifiant du compte et "
     "qu'il est bien relié à ces identifiants d'API.",
     "Cdiscount accepts these credentials but not for this seller account: check the account id and that it is "
     "linked to these API credentials."),
    (ConnectionTest(ok=False, failure=ConnectionFailure.UNREACHABLE),
     "Cdiscount ne répond pas pour le moment. Réessayez dans quelques minutes.",
     "Cdiscount is not answering at the moment. Try again in a few minutes."),
])  # fmt: skip
def test_the_seller_reads_each_outcome_plainly_in_the_page_language(test, french, english):
    with translation.override("fr"):
        assert str(connectors.test_message("Cdiscount", test)) == french
    with translation.override("en"):
        assert str(connectors.test_message("Cdiscount", test)) == english
