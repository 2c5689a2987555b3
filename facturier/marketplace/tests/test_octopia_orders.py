"""The production client against the real simulator over HTTP: orders, paging, filters, reproducibility."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from facturier.marketplace.dto import MalformedOrder, MarketOrder, TextDamage
from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer
from facturier.simulator.tests.fixtures import make_client

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)


def test_it_pages_through_250_orders_with_pages_of_100():
    with SimulatorServer(seed=7, orders=250, now=NOW, faults=FaultConfig()) as server, make_client(server) as client:
        orders = list(client.iter_orders())

        assert server.api_requests == 3  # pages 1 and 2 full, page 3 short (50)
        assert sorted(order.order_id for order in orders) == sorted(order["orderId"] for order in server.orders())
        updated = [order.updated_at for order in orders]
        assert updated == sorted(updated)


def test_an_exact_multiple_of_the_page_size_ends_on_an_empty_page():
    with SimulatorServer(seed=7, orders=200, now=NOW, faults=FaultConfig()) as server, make_client(server) as client:
        assert len(list(client.iter_orders())) == 200
        assert server.api_requests == 3


def test_status_and_date_filters_match_the_count(simulator, simulator_client):
    stored = simulator.orders()
    cut_off = datetime.fromisoformat(sorted(order["updatedAt"] for order in stored)[15])
    expected = {
        order["orderId"]
        for order in stored
        if order["status"] in ("Shipped", "Delivered") and datetime.fromisoformat(order["updatedAt"]) >= cut_off
    }

    orders = list(simulator_client.iter_orders(statuses=("Shipped", "Delivered"), updated_at_min=cut_off))

    assert {order.order_id for order in orders} == expected
    assert simulator_client.count_orders(statuses=("Shipped", "Delivered"), updated_at_min=cut_off) == len(expected)
    assert simulator_client.count_orders() == 30


def test_created_at_min_and_business_filters(simulator, simulator_client):
    business = [order for order in simulator.orders() if order["businessOrder"]]

    orders = list(simulator_client.iter_orders(business_order=True))

    assert [order.order_id for order in orders] == [order["orderId"] for order in business]
    newest = max(simulator.orders(), key=lambda order: datetime.fromisoformat(order["createdAt"]))
    created = datetime.fromisoformat(newest["createdAt"])
    assert [o.order_id for o in simulator_client.iter_orders(created_at_min=created)] == [newest["orderId"]]


def test_get_order_returns_the_scenario_data(simulator, simulator_client):
    relay = simulator.scenario_order("relay")

    order = simulator_client.get_order(relay["orderId"])

    assert order.delivery_address.pickup_id == "MR-044-01234"
    assert order.delivery_address.pickup_name == "Relais Tabac de la Gare"
    assert order.status == "Shipped"
    assert order.shipped_at == datetime.fromisoformat(relay["statusEvents"][3]["date"])


def test_a_shipped_status_change_is_seen_by_an_incremental_sync(simulator, simulator_client):
    accepted = simulator.scenario_order("accepted")
    last_sync = max(datetime.fromisoformat(order["updatedAt"]) for order in simulator.orders())
    assert simulator_client.get_order(accepted["orderId"]).delivery_address is None

    simulator.set_order_status(accepted["orderId"], "Shipped")
    changed = list(simulator_client.iter_orders(statuses=("Shipped",), updated_at_min=last_sync))

    assert [order.order_id for order in changed] == [accepted["orderId"]]
    assert changed[0].shipped_at == changed[0].updated_at
    assert changed[0].delivery_address.city == accepted["billingAddress"]["city"]


def test_malformed_orders_are_reported_while_the_others_parse(simulator, simulator_client):
    simulator.set_faults(malformed_orders=3)
    expected = simulator.state.malformed_reasons("98979")

    results = list(simulator_client.iter_orders())

    malformed = {item.order_id: str(item.reason) for item in results if isinstance(item, MalformedOrder)}
    assert malformed == expected
    assert sorted(set(expected.values())) == [
        "Date de commande (purchasedAt) : « yesterday » n'est pas une date ISO-8601.",
        "Ligne 1, prix unitaire (sellingPrice.unitSalesPrice) : « abc » n'est pas un nombre.",
        "Ligne 1, quantité (quantity) : « two » n'est pas un nombre entier positif ou nul.",
    ]
    assert sum(isinstance(item, MarketOrder) for item in results) == 27


def test_an_order_added_with_a_bad_price_has_an_exact_reason(simulator, simulator_client):
    order = simulator.scenario_order("vat-rates")
    bad = {
        **order,
        "orderId": "BAD0001",
        "lines": [order["lines"][0], {**order["lines"][1], "sellingPrice": {"unitSalesPrice": "abc"}}],
    }
    simulator.add_order(bad)

    result = simulator_client.get_order("BAD0001")

    assert isinstance(result, MalformedOrder)
    assert (result.order_id, str(result.reason)) == (
        "BAD0001", "Ligne 2, prix unitaire (sellingPrice.unitSalesPrice) : « abc » n'est pas un nombre."
    )


def test_same_seed_gives_equal_orders_and_another_seed_does_not():
    def fetch(seed):
        with (
            SimulatorServer(seed=seed, orders=40, now=NOW, faults=FaultConfig()) as server,
            make_client(server) as client,
        ):
            return list(client.iter_orders())

    first, second, other = fetch(99), fetch(99), fetch(100)

    assert first == second
    assert len(first) == 40
    assert {order.order_id for order in first}.isdisjoint({order.order_id for order in other})


def test_amounts_are_decimals_from_the_wire(simulator, simulator_client):
    business = simulator.scenario_order("business")

    order = simulator_client.get_order(business["orderId"])

    assert [(line.unit_price_gross, line.quantity, line.shipping_gross) for line in order.lines] == [
        (Decimal("32.5"), 3, Decimal("5.49")),
        (Decimal("24.9"), 1, Decimal("3.9")),
    ]
    assert order.total_paid == Decimal("131.79")
    assert order.billing_address.company_vat_number == "FR44732829320"
    assert order.placed_at == datetime.fromisoformat(business["purchasedAt"])


def test_bytes_that_are_not_utf8_cost_one_order_its_text_never_the_page():
    faults = FaultConfig(non_utf8_orders=2)
    with SimulatorServer(seed=7, orders=150, now=NOW, faults=faults) as server, make_client(server) as client:
        damaged_ids = set(server.state.fault_targets("98979")["non_utf8"])

        orders = list(client.iter_orders())

        assert len(orders) == 150
        damaged = {order.order_id: order.damaged_text for order in orders if order.damaged_text}
        assert damaged == {order_id: (TextDamage("lines[0].offer.productTitle", TextDamage.NOT_UTF8),)
                           for order_id in damaged_ids}  # fmt: skip
        (one,) = [order for order in orders if order.order_id == sorted(damaged_ids)[0]]
        assert one.lines[0].title.endswith(" ? \ufffddition \ufffdt\ufffd")  # "–" is not Latin-1: sent as "?"
        assert client.get_order(one.order_id).damaged_text == damaged[one.order_id]


def test_an_order_listed_twice_comes_twice_the_newest_first():
    faults = FaultConfig(duplicated_orders=1)
    with SimulatorServer(seed=7, orders=20, now=NOW, faults=faults) as server, make_client(server) as client:
        (order_id,) = server.state.fault_targets("98979")["duplicated"]

        copies = [order for order in client.iter_orders() if order.order_id == order_id]

        assert [order.updated_at for order in copies] == [
            copies[0].updated_at,
            copies[0].updated_at - timedelta(days=1),
        ]
        price = copies[0].lines[0].unit_price_gross
        assert copies[1].lines[0].unit_price_gross == price + Decimal("50.00")
        assert client.get_order(order_id).updated_at == copies[0].updated_at  # one order, one copy
