"""A seller with several marketplace connections: each is read with its own cursors, a failing one never stops the
others, and every order remembers the connection it came through (against the simulator over HTTP)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import connection_fields
from facturier.core.stored_text import render
from facturier.jobs.pipeline import sellers_to_sync
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.sync import sync_seller

ORDERS = 6


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=7, orders=ORDERS)


@pytest.fixture
def seller(sim, connect_to_simulator):
    """Connected to the simulator's shop 98979 (through connect_to_simulator) and to its shop 22222."""
    seller = connect_to_simulator(sim)
    MarketplaceConnection.objects.create(seller=seller, **connection_fields(sim.credentials("22222")))
    return seller


def connection_of(seller, shop: str) -> MarketplaceConnection:
    return next(connection for connection in seller.connections.all() if connection.account_id == shop)


def stored_orders_by_shop(seller) -> dict[str, list[str]]:
    rows = SalesOrder.objects.filter(seller=seller).select_related("connection")
    shops: dict[str, list[str]] = {}
    for row in rows:
        shops.setdefault(row.connection.account_id if row.connection else "", []).append(row.order_id)
    return {shop: sorted(ids) for shop, ids in shops.items()}


def simulator_orders(sim, shop: str) -> list[str]:
    return sorted(order["orderId"] for order in sim.orders(shop))


@pytest.mark.django_db
def test_every_connection_is_read_and_each_order_remembers_its_connection(sim, seller):
    run = sync_seller(seller)

    assert (run.status, render(run.message), run.orders_seen) == (SyncRun.SUCCEEDED, "", 2 * ORDERS)
    assert stored_orders_by_shop(seller) == {
        "98979": simulator_orders(sim, "98979"), "22222": simulator_orders(sim, "22222")}
    for shop in ("98979", "22222"):
        connection = connection_of(seller, shop)
        assert (connection.status, connection.orders_cursor is not None) == (MarketplaceConnection.STATUS_OK, True)


@pytest.mark.django_db
def test_a_refused_connection_fails_the_run_by_name_and_the_other_is_read_all_the_same(sim, seller):
    refused = connection_of(seller, "98979")
    refused.credentials = {**refused.credentials, "client_secret": "wrong"}
    refused.save()

    run = sync_seller(seller)

    assert run.status == SyncRun.FAILED
    assert render(run.message).startswith("Cdiscount 98979 : Identifiants refusés par la marketplace : Octopia refused")
    assert run.orders_seen == ORDERS
    assert stored_orders_by_shop(seller) == {"22222": simulator_orders(sim, "22222")}
    refused.refresh_from_db()
    assert (refused.status, refused.orders_cursor) == (MarketplaceConnection.STATUS_REJECTED, None)
    assert connection_of(seller, "22222").status == MarketplaceConnection.STATUS_OK

    second = sync_seller(seller)  # the refused connection waits for new credentials; the other goes on
    assert (second.status, render(second.message)) == (SyncRun.SUCCEEDED, "")
    assert list(sellers_to_sync()) == [seller]


@pytest.mark.django_db
def test_a_seller_whose_every_connection_is_refused_is_not_synced(sim, seller):
    seller.connections.update(status=MarketplaceConnection.STATUS_REJECTED)

    run = sync_seller(seller)

    assert (run.status, render(run.message)) == (
        SyncRun.FAILED, "Aucune connexion marketplace active : enregistrez ou corrigez vos identifiants.")
    assert list(sellers_to_sync()) == []


@pytest.mark.django_db
def test_a_seller_links_one_account_once(sim, seller):
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketplaceConnection.objects.create(
            seller=seller, holds_account=False, **connection_fields(sim.credentials("22222"))
        )
