"""The migration that makes a marketplace account belong to one active seller, on links that already exist."""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection, marketplace_account_key
from facturier.core.tests.migrations import latest, latest_schema_after, migrate  # noqa: F401 (a fixture)
from facturier.sales.models import SalesOrder

BEFORE = [("accounts", "0003_reform_profile_pa_connection")]
AFTER = [("accounts", "0004_one_seller_per_marketplace_account")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
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
    Connection = migrate(AFTER).get_model("accounts", "MarketplaceConnection")
    rows = {row.seller.legal_name: (row.account_key, row.holds_account, row.status)
            for row in Connection.objects.select_related("seller")}
    migrate(latest())
    shared, other = marketplace_account_key("cdiscount", "98979"), marketplace_account_key("cdiscount", "11111")
    assert rows == {
        "first": (shared, True, "ok"),
        "second": (shared, False, "credentials_rejected"),
        "gone": (shared, False, "ok"),
        "other": (other, True, "ok"),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_octopia_columns_become_the_credentials_of_an_octopia_connection_its_orders_point_at():
    apps = migrate([*AFTER, ("sales", "0006_order_refetch_unworkable")])
    User, Seller = apps.get_model("accounts", "User"), apps.get_model("accounts", "Seller")
    Connection, Order = apps.get_model("accounts", "MarketplaceConnection"), apps.get_model("sales", "SalesOrder")
    identity = {"address_line1": "1 rue", "postal_code": "75002", "city": "Paris", "country": "FR"}
    for name, shop in [("linked", "98979"), ("unlinked", "")]:
        seller = Seller.objects.create(owner=User.objects.create(email=f"{name}@example.com", password="!"),
                                       legal_name=name, **identity)
        if shop:
            Connection.objects.create(seller=seller, client_id="cid", client_secret="s3cret",
                                      marketplace_seller_id=shop, status="ok", account_key="old",
                                      marketplace="cdiscount")
        Order.objects.create(seller=seller, order_id=f"{name}-1", eligibility="eligible")
    migrate(latest())

    connection = MarketplaceConnection.objects.get()
    assert (connection.seller.legal_name, connection.marketplace, connection.account_id, connection.credentials,
            connection.status) == ("linked", "octopia", "98979", {"client_id": "cid", "client_secret": "s3cret"}, "ok")
    assert connection.account_key == marketplace_account_key("octopia", "98979")
    orders = dict(SalesOrder.objects.values_list("order_id", "connection"))
    assert orders == {"linked-1": connection.pk, "unlinked-1": None}
