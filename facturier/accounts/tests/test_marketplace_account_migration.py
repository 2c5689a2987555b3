"""The migration that makes a marketplace account belong to one active seller, on links that already exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from facturier.accounts.models import MarketplaceConnection, marketplace_account_key

BEFORE = [("accounts", "0003_reform_profile_pa_connection")]
AFTER = [("accounts", "0004_one_seller_per_marketplace_account")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """The tests after this one need every migration applied, the ones after 0004 included."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_links_get_their_key_and_a_shared_account_stays_with_the_first_seller():
    apps = migrate(BEFORE)
    User, Seller = apps.get_model("accounts", "User"), apps.get_model("accounts", "Seller")
    Connection = apps.get_model("accounts", "MarketplaceConnection")
    identity = {"address_line1": "1 rue", "postal_code": "75002", "city": "Paris", "country": "FR"}
    sellers = {}
    for name, status, shop in [("first", "active", "98979"), ("second", "active", " 98979"),
                               ("gone", "unsubscribed", "98979"), ("other", "active", "11111")]:
        owner = User.objects.create(email=f"{name}@example.com", password="!")
        sellers[name] = Seller.objects.create(owner=owner, legal_name=name, status=status, **identity)
        Connection.objects.create(seller=sellers[name], client_id="c", client_secret="s",
                                  marketplace_seller_id=shop, status="ok")
    migrate(AFTER)
    rows = {row.seller.legal_name: (row.account_key, row.holds_account, row.status)
            for row in MarketplaceConnection.objects.select_related("seller")}
    shared, other = marketplace_account_key("cdiscount", "98979"), marketplace_account_key("cdiscount", "11111")
    assert rows == {
        "first": (shared, True, "ok"),
        "second": (shared, False, "credentials_rejected"),
        "gone": (shared, False, "ok"),
        "other": (other, True, "ok"),
    }
