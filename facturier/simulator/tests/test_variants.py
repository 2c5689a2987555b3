"""The API variants the simulator serves for the client's hardening (issue #14): refund lists failing on their own,
orders updated while they are paged, and the request log that tells what a pass cost."""

import httpx
import pytest

from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer

GESTURES = "/order-commercial-gesture-requests"
CANCELLATIONS = "/order-cancellation-requests"


def api(server: SimulatorServer, path: str, **params: str) -> httpx.Response:
    credentials = server.credentials()
    form = {"grant_type": "client_credentials", **{k: credentials[k] for k in ("client_id", "client_secret")}}
    token = httpx.post(server.auth_url, data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "SellerId": credentials["seller_id"]}
    return httpx.get(server.api_url + path, params=params, headers=headers)


@pytest.mark.parametrize(("fault", "path"), [("gestures_fault", GESTURES), ("cancellations_fault", CANCELLATIONS)])
def test_each_refund_list_fails_on_its_own_until_the_fault_is_cleared(fault, path):
    other = CANCELLATIONS if path == GESTURES else GESTURES
    with SimulatorServer(seed=3, orders=20, faults=FaultConfig(**{fault: "404"})) as server:
        failed = api(server, path)
        assert (failed.status_code, failed.headers["content-type"]) == (404, "application/problem+json")
        assert api(server, other).status_code == 200
        assert api(server, "/orders").status_code == 200

        server.set_faults(**{fault: "shape"})
        assert api(server, path).json() == {"data": {"results": []}, "count": 0}

        server.set_faults(**{fault: ""})
        assert "items" in api(server, path).json()


def test_orders_updated_while_paged_move_to_the_end_each_once():
    with SimulatorServer(seed=3, orders=20, faults=FaultConfig(update_while_paging=2)) as server:
        first = api(server, "/orders", sort="asc:updatedAt", pageSize="5", pageIndex="1").json()["items"]
        touched = [order["orderId"] for order in first[:2]]

        assert sorted(server.state.updated_while_paging) == sorted(touched)
        listing = api(server, "/orders", sort="asc:updatedAt", pageSize="100").json()["items"]
        assert sorted(order["orderId"] for order in listing[-2:]) == sorted(touched)


def test_the_request_log_lists_each_seller_api_call_in_order():
    with SimulatorServer(seed=3, orders=5, faults=FaultConfig()) as server:
        api(server, "/orders", pageSize="10")
        api(server, GESTURES, limit="1000")

        assert server.requests() == [("GET", "/orders", {"pageSize": "10"}), ("GET", GESTURES, {"limit": "1000"})]
        assert server.requests(since=1) == [("GET", GESTURES, {"limit": "1000"})]
        served = httpx.get(server.base_url + "/_simulator/requests", params={"since": "1"}).json()
        assert served == {"items": [{"method": "GET", "path": GESTURES, "query": {"limit": "1000"}}]}
