"""Fidelity #23: the orders listing is offset-paged over a live updatedAt-sorted set. An order updated while the
pages are read moves to the end and shifts every later row one slot back: the client must still read each order."""

from datetime import UTC, datetime

from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer
from facturier.simulator.tests.fixtures import make_client

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)


def test_orders_updated_while_the_pages_are_read_cost_no_other_order():
    faults = FaultConfig(update_while_paging=2)
    with SimulatorServer(seed=7, orders=45, now=NOW, faults=faults) as server, make_client(server) as client:
        read = [order.order_id for order in client.iter_orders(page_size=10)]

        touched = server.state.updated_while_paging
        assert len(touched) >= 8  # two orders of each page served moved to the end of the list
        assert sorted(set(read)) == sorted(order["orderId"] for order in server.orders())
        # An order read, then updated, comes again (newer); no other order is read twice.
        assert sorted(order_id for order_id in set(read) if read.count(order_id) > 1) == sorted(
            order_id for order_id in touched if read.count(order_id) > 1
        )


def test_each_next_page_asks_again_from_the_newest_update_read():
    with SimulatorServer(seed=7, orders=25, now=NOW, faults=FaultConfig()) as server, make_client(server) as client:
        read = list(client.iter_orders(page_size=10))

        listings = [query for _method, path, query in server.requests() if path == "/orders"]
        assert len(read) == 25 and len({order.order_id for order in read}) == 25
        assert [query.get("pageIndex") for query in listings] == ["1", "1", "1"]
        newest_of_first_page = max(order.updated_at for order in read[:10]).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert "updatedAtMin" not in listings[0] and listings[1]["updatedAtMin"] == newest_of_first_page


def test_a_full_page_sharing_one_updated_at_moves_on_by_page_index():
    with SimulatorServer(seed=7, orders=0, now=NOW, faults=FaultConfig()) as server, make_client(server) as client:
        template = {"status": "Shipped", "updatedAt": "2026-09-15T10:00:00Z", "lines": []}
        for index in range(23):
            server.add_order({**template, "orderId": f"SAME{index:03d}"})

        read = [order.order_id for order in client.iter_orders(page_size=10)]

        assert sorted(read) == [f"SAME{index:03d}" for index in range(23)]
        listings = [query for _method, path, query in server.requests() if path == "/orders"]
        assert [query["pageIndex"] for query in listings] == ["1", "2", "3"]
