"""The Mirakl simulator's wire protocol over HTTP: authentication, OR11 paging and filters, OR74 limits, control."""

from __future__ import annotations

import json

import httpx

from facturier.simulator.mirakl.server import DEFAULT_API_KEY, MAX_DOCUMENTS_PER_ORDER

KEY = {"Authorization": DEFAULT_API_KEY}


def test_every_call_needs_the_shop_key_and_a_shop_it_may_act_for(mirakl_simulator):
    url = f"{mirakl_simulator.base_url}/api/orders"

    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "other"}).status_code == 401
    assert httpx.get(url, headers=KEY, params={"shop_id": "9999"}).status_code == 403
    assert httpx.get(url, headers=KEY, params={"shop_id": "2001"}).status_code == 200
    assert httpx.get(f"{mirakl_simulator.base_url}/api/account", headers=KEY).json()["shop_id"] == 2001


def test_or11_pages_by_offset_oldest_created_first_and_refuses_pages_over_100(mirakl_simulator):
    url = f"{mirakl_simulator.base_url}/api/orders"
    first = httpx.get(url, headers=KEY, params={"max": 5, "offset": 0, "order": "asc"}).json()
    rest = httpx.get(url, headers=KEY, params={"max": 100, "offset": 5, "order": "asc"}).json()

    ids = [order["order_id"] for order in first["orders"] + rest["orders"]]
    assert (first["total_count"], len(ids), len(set(ids))) == (12, 12, 12)
    dates = [order["created_date"] for order in first["orders"] + rest["orders"]]
    assert dates == sorted(dates)
    assert httpx.get(url, headers=KEY, params={"max": 101}).status_code == 400
    one = httpx.get(url, headers=KEY, params={"order_ids": "MK-REFUND-A"}).json()
    assert [order["order_id"] for order in one["orders"]] == ["MK-REFUND-A"]


def test_shipping_an_order_moves_its_update_date_and_reveals_its_addresses(mirakl_simulator):
    url = mirakl_simulator.base_url
    assert httpx.post(f"{url}/_simulator/orders/MK-NOTSHIPPED-A/ship").status_code == 200

    order = httpx.get(f"{url}/api/orders", headers=KEY, params={"order_ids": "MK-NOTSHIPPED-A"}).json()["orders"][0]
    assert order["order_state"] == "SHIPPED"
    assert order["customer"]["billing_address"]["city"] == "Nantes"
    assert order["order_lines"][0]["shipped_date"] == order["last_updated_date"]


def test_or74_keeps_at_most_50_documents_per_order(mirakl_simulator):
    url = f"{mirakl_simulator.base_url}/api/orders/MK-B2C-A/documents"

    def upload(name: str) -> dict:
        documents = json.dumps({"order_documents": [{"file_name": name, "type_code": "CUSTOMER_INVOICE"}]})
        files = {"files": (name, b"%PDF-1.7", "application/pdf")}
        return httpx.post(url, headers=KEY, files=files, data={"order_documents": documents}).json()

    for number in range(MAX_DOCUMENTS_PER_ORDER):
        assert upload(f"doc-{number}.pdf")["errors_count"] == 0
    refused = upload("one-too-many.pdf")

    assert refused["errors_count"] == 1
    assert refused["order_documents"][0]["errors"] == [{
        "code": "valid_order_document.max", "field": "files", "message": "An order can have a maximum of 50 documents",
    }]  # fmt: skip
    assert len(mirakl_simulator.uploads("MK-B2C-A")) == MAX_DOCUMENTS_PER_ORDER
