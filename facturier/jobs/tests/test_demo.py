"""The demo seller exists only in the embedded mode; the environment can point it at another API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from facturier.accounts.models import Seller, User
from facturier.jobs import demo
from facturier.sales.connections import connector_for


@pytest.mark.django_db
def test_the_demo_seller_is_refused_outside_the_embedded_mode(settings):
    settings.FACTURIER_DEMO = False

    with pytest.raises(ImproperlyConfigured, match="embedded mode"):
        demo.ensure_demo_seller()
    assert User.objects.filter(email=demo.DEMO_EMAIL).exists() is False


@pytest.mark.django_db
def test_the_demo_seller_is_created_once_and_can_log_in(settings, client):
    settings.FACTURIER_DEMO = True

    first = demo.ensure_demo_seller()
    second = demo.ensure_demo_seller()

    assert first.pk == second.pk
    assert Seller.objects.count() == 1
    assert client.login(username=demo.DEMO_EMAIL, password=demo.DEMO_PASSWORD) is True
    connection = first.connections.get()
    assert (connection.marketplace, connection.credentials["client_id"], connection.account_id) == (
        "octopia",
        "demo-client",
        "98979",
    )


@pytest.mark.django_db
def test_credentials_from_the_environment_replace_the_simulator_ones(settings, monkeypatch):
    settings.FACTURIER_DEMO = True
    demo.ensure_demo_seller()
    monkeypatch.setenv("FACTURIER_DEMO_CLIENT_ID", "real-client")
    monkeypatch.setenv("FACTURIER_DEMO_CLIENT_SECRET", "real-secret")
    monkeypatch.setenv("FACTURIER_DEMO_SELLER_ID", "12345")

    seller = demo.ensure_demo_seller()

    connection = seller.connections.get()
    assert (connection.credentials, connection.account_id) == (
        {"client_id": "real-client", "client_secret": "real-secret"},
        "12345",
    )


@pytest.mark.django_db
def test_the_demo_seller_gets_a_second_marketplace_the_mirakl_simulator(settings, mirakl_simulator):
    settings.FACTURIER_DEMO = True
    seller = demo.ensure_demo_seller()
    demo.ensure_mirakl_connection(seller, mirakl_simulator.base_url)
    demo.ensure_mirakl_connection(seller, mirakl_simulator.base_url)  # every start: updated, not added

    connection = seller.connections.get(marketplace="mirakl")
    assert (connection.account_id, connection.credentials) == ("2001", mirakl_simulator.credentials())
    assert seller.connections.count() == 2
    with connector_for(connection, max_attempts=1) as connector:
        assert connector.test_connection().orders == 12


@pytest.mark.django_db
def test_a_real_mirakl_instance_from_the_environment_replaces_the_simulator(settings, monkeypatch):
    settings.FACTURIER_DEMO = True
    seller = demo.ensure_demo_seller()
    demo.ensure_mirakl_connection(seller, "http://127.0.0.1:8102")
    monkeypatch.setenv("MIRAKL_API_URL", "https://marketplace-exemple.mirakl.net/api")
    monkeypatch.setenv("MIRAKL_API_KEY", "real-key")
    monkeypatch.setenv("MIRAKL_MARKETPLACE_NAME", "Exemple")

    demo.ensure_mirakl_connection(seller)

    connection = seller.connections.get(marketplace="mirakl")
    assert (connection.account_id, connection.credentials) == ("", {
        "instance": "https://marketplace-exemple.mirakl.net/api", "api_key": "real-key", "connection_name": "Exemple",
    })  # fmt: skip
