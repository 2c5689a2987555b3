"""The simulator over real HTTP, spoken to with plain httpx (the client has its own tests)."""

import base64

import httpx
import pytest

from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer
from facturier.simulator.wire import to_json


@pytest.fixture
def http():
    with httpx.Client(timeout=5) as client:
        yield client


def token(http, simulator, seller_id="98979"):
    credentials = simulator.credentials(seller_id)
    form = {"grant_type": "client_credentials", **{k: credentials[k] for k in ("client_id", "client_secret")}}
    return http.post(simulator.auth_url, data=form).json()["access_token"]


def api_headers(http, simulator, seller_id="98979"):
    return {"Authorization": f"Bearer {token(http, simulator, seller_id)}", "SellerId": seller_id}


def test_the_token_endpoint_issues_two_hour_bearer_tokens(simulator, http):
    response = http.post(
        simulator.auth_url,
        data={"grant_type": "client_credentials", "client_id": "client-98979", "client_secret": "secret-client-98979"},
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 7200)
    assert body["access_token"].startswith("sim.")


@pytest.mark.parametrize(
    ("_case", "form", "status", "title"),
    [
        (
            "wrong secret",
            {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"},
            401,
            "invalid_client",
        ),
        (
            "wrong grant",
            {"grant_type": "password", "client_id": "a", "client_secret": "secret-a"},
            400,
            "unsupported_grant_type",
        ),
    ],
)
def test_the_token_endpoint_refuses_with_problem_json(simulator, http, _case, form, status, title):
    response = http.post(simulator.auth_url, data=form)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == title


def test_configured_clients_replace_the_default_secret_rule(http):
    with SimulatorServer(clients={"acme": "s3cret"}, orders=2, faults=FaultConfig()) as server:
        refused = http.post(
            server.auth_url, data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "secret-x"}
        )
        accepted = http.post(
            server.auth_url, data={"grant_type": "client_credentials", "client_id": "acme", "client_secret": "s3cret"}
        )

        assert (refused.status_code, accepted.status_code) == (401, 200)
        assert server.credentials()["client_id"] == "acme"


def test_count_is_a_bare_integer_and_orders_an_envelope(simulator, http):
    headers = api_headers(http, simulator)

    count = http.get(simulator.api_url + "/orders/count", params={"status": "Cancelled"}, headers=headers)
    page = http.get(simulator.api_url + "/orders", params={"pageSize": "5", "pageIndex": "2"}, headers=headers)

    expected = sum(order["status"] == "Cancelled" for order in simulator.orders())
    assert count.text == str(expected)
    assert page.json()["itemsPerPage"] == 5
    assert [order["orderId"] for order in page.json()["items"]] == [
        order["orderId"] for order in sorted(simulator.orders(), key=lambda o: (o["createdAt"], o["orderId"]))[5:10]
    ]


def test_filters_by_country_supply_mode_and_sort(simulator, http):
    headers = api_headers(http, simulator)

    belgium = http.get(simulator.api_url + "/orders", params={"shippingCountry": "BE"}, headers=headers).json()["items"]
    newest = http.get(
        simulator.api_url + "/orders", params={"sort": "desc:updatedAt", "pageSize": "1"}, headers=headers
    )

    assert [order["reference"] for order in belgium] == ["SIM-ship-be"]
    assert newest.json()["items"][0]["updatedAt"] == max(order["updatedAt"] for order in simulator.orders())


def test_bad_filters_are_400_with_field_errors(simulator, http):
    headers = api_headers(http, simulator)

    response = http.get(
        simulator.api_url + "/orders", params={"updatedAtMin": "yesterday", "pageIndex": "0"}, headers=headers
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "pageIndex": ["pageIndex must be greater than or equal to 1."],
    }
    dates = http.get(simulator.api_url + "/orders", params={"updatedAtMin": "yesterday"}, headers=headers)
    assert dates.json()["errors"] == {"updatedAtMin": ["The value 'yesterday' is not a valid ISO-8601 date."]}


def test_unknown_order_and_unknown_route_are_404_problems(simulator, http):
    headers = api_headers(http, simulator)

    order = http.get(simulator.api_url + "/orders/NOPE", headers=headers)
    route = http.get(simulator.api_url + "/nothing-here", headers=headers)

    assert (order.status_code, order.json()["detail"]) == (404, "Order NOPE was not found.")
    assert route.status_code == 404


def test_control_api_changes_status_and_bumps_updated_at(simulator, http):
    order = simulator.scenario_order("in-preparation")
    before = order["updatedAt"]

    response = http.post(
        f"{simulator.base_url}/_simulator/sellers/98979/orders/{order['orderId']}/status", json={"status": "Shipped"}
    )

    shipped = response.json()
    assert response.status_code == 200
    assert shipped["status"] == "Shipped"
    assert shipped["updatedAt"] > before
    assert shipped["statusEvents"][-1] == {"status": "Shipped", "date": shipped["updatedAt"]}
    assert shipped["lines"][0]["parcels"][0]["carrierName"] == "Colissimo"


def test_control_api_adds_orders_refunds_and_reads_invoices(simulator, http):
    base = f"{simulator.base_url}/_simulator/sellers/98979"
    order = {**simulator.scenario_order("b2c"), "orderId": "NEW0001"}

    added = http.post(f"{base}/orders", content=to_json(order), headers={"Content-Type": "application/json"})
    refund = http.post(f"{base}/refunds", json={"kind": "commercial_gesture", "orderId": "NEW0001", "amount": 2.5})
    unknown = http.post(f"{base}/refunds", json={"kind": "commercial_gesture", "orderId": "NOPE", "amount": 1})
    headers = api_headers(http, simulator)
    upload = http.post(
        f"{simulator.api_url}/orders/NEW0001/invoice-documents",
        files={"file": ("NEW0001.pdf", b"%PDF-1.7 hello", "application/pdf")},
        headers=headers,
    )
    invoices = http.get(f"{base}/invoices", params={"content": "1"}).json()["items"]

    assert (added.status_code, refund.status_code, unknown.status_code, upload.status_code) == (201, 201, 404, 201)
    assert upload.json()["status"] == "Running"
    assert [(i["orderId"], i["fileName"], base64.b64decode(i["contentBase64"])) for i in invoices] == [
        ("NEW0001", "NEW0001.pdf", b"%PDF-1.7 hello")
    ]


def test_control_api_sets_faults_and_resets(simulator, http):
    control = f"{simulator.base_url}/_simulator"

    faults = http.put(f"{control}/faults", json={"burst_429": 1, "retry_after": "2"}).json()
    throttled = http.get(simulator.api_url + "/orders/count", headers=api_headers(http, simulator))
    bad = http.put(f"{control}/faults", json={"explode": 1})
    http.post(f"{control}/sellers/98979/orders", json={"orderId": "EXTRA"})
    http.post(f"{control}/reset")
    state = http.get(f"{control}/state").json()

    assert faults["remaining"]["burst_429"] == 1
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "2")
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("ValueError: unknown fault(s): explode; known: latency_ms,")
    assert state["sellers"]["98979"]["orders"] == 30
    assert state["faults"]["config"]["burst_429"] == 0


def test_a_new_seller_gets_its_own_generated_orders(simulator, http):
    headers = api_headers(http, simulator, seller_id="555")

    count = http.get(simulator.api_url + "/orders/count", headers=headers)

    assert count.text == "30"
    assert {o["orderId"] for o in simulator.orders("555")}.isdisjoint({o["orderId"] for o in simulator.orders()})


def test_the_non_utf8_fault_serves_latin1_bytes_in_one_title(simulator, http):
    simulator.set_faults(non_utf8_orders=1)
    (order_id,) = simulator.state.fault_targets("98979")["non_utf8"]

    body = http.get(f"{simulator.api_url}/orders/{order_id}", headers=api_headers(http, simulator)).content

    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert " \xe9dition \xe9t\xe9".encode("latin-1") in body
    assert b"\xe9" not in to_json(simulator.state.sellers["98979"].orders[order_id])  # the stored order is intact


def test_the_duplicated_fault_lists_an_order_twice_with_an_older_copy(simulator, http):
    simulator.set_faults(duplicated_orders=1)
    (order_id,) = simulator.state.fault_targets("98979")["duplicated"]
    headers = api_headers(http, simulator)

    items = http.get(f"{simulator.api_url}/orders", params={"pageSize": "100"}, headers=headers).json()["items"]

    copies = [item for item in items if item["orderId"] == order_id]
    assert len(items) == 31
    assert [copy["updatedAt"] for copy in copies][1] < copies[0]["updatedAt"]
    assert (
        http.get(f"{simulator.api_url}/orders/{order_id}", headers=headers).json()["updatedAt"]
        == copies[0]["updatedAt"]
    )
