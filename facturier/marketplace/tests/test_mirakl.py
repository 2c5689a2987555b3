"""The Mirakl backend against the Mirakl simulator over HTTP: OR11 orders normalized, refunds and cancelations on the
lines, OR74 uploads, connection tests and faults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from django.utils import translation

from facturier.core.stored_text import render, stored
from facturier.marketplace import connectors
from facturier.marketplace.connectors import ConnectionFailure, UploadState
from facturier.marketplace.dto import MalformedOrder, MarketOrder, OrderState
from facturier.marketplace.errors import CredentialsRejected, MarketplaceRequestError, MarketplaceUnavailable
from facturier.marketplace.mirakl import parse_order
from facturier.simulator.faults import FaultConfig

TEST_TIMEOUT = httpx.Timeout(connect=2.0, read=1.0, write=2.0, pool=2.0)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def connect(simulator, shop_id: str = "2001", **options):
    options.setdefault("timeout", TEST_TIMEOUT)
    options.setdefault("max_attempts", 1)
    return connectors.connector_for("mirakl", shop_id, simulator.credentials(shop_id), **options)


def by_id(orders) -> dict:
    return {order.order_id: order for order in orders}


def test_orders_are_normalized_with_their_taxes_buyer_and_states(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        orders = by_id(connector.iter_orders())

    assert len(orders) == 12
    b2c = orders["MK-B2C-A"]
    assert (b2c.marketplace, b2c.state, b2c.status, b2c.currency) == ("mirakl", OrderState.SHIPPED, "SHIPPED", "EUR")
    assert b2c.total_paid == Decimal("39.8")
    assert b2c.buyer_email == "mk-b2c-a@customer-notification.mirakl.example"
    assert (b2c.billing_address.full_name, b2c.billing_address.city, b2c.billing_address.country_code) == (
        "Zoé Martin", "Paris", "FR",
    )  # fmt: skip
    [line] = b2c.lines
    assert (line.line_id, line.quantity, line.unit_price_gross, line.shipping_gross) == (
        "B2C-1", 1, Decimal("34.9"), Decimal("4.9"),
    )  # fmt: skip
    assert (line.tax_rate, line.tax_amount, line.category) == (Decimal("20"), Decimal("6.64"), "Petit électroménager")
    assert b2c.shipped_at is not None and b2c.seller_reference == "REF-MK-B2C-A"

    business = orders["MK-BUSINESS-A"]
    assert business.business_order is True
    assert business.billing_address.company_vat_number == "FR40732829320"
    assert business.billing_address.company_name == "Atelier Bernard"

    multirate = orders["MK-MULTIRATE-A"]
    assert [(line.tax_rate, line.quantity, line.shipping_gross) for line in multirate.lines] == [
        (Decimal("5.5"), 3, Decimal("2.99")), (Decimal("20"), 1, Decimal("3.5")),
    ]  # fmt: skip
    cancel = orders["MK-CANCEL-A"]
    assert [(line.line_id, line.active) for line in cancel.lines] == [("CA-1", False), ("CA-2", True)]
    assert sum(line.unit_price_gross * line.quantity + line.shipping_gross for line in cancel.active_lines) == (
        cancel.total_paid
    )
    assert orders["MK-ABROAD-A"].delivery_address.country_code == "BE"
    waiting = orders["MK-NOTSHIPPED-A"]
    assert (waiting.state, waiting.shipped_at, waiting.delivery_address) == (OrderState.AWAITING_SHIPMENT, None, None)
    assert orders["MK-CANCELLED-A"].state == OrderState.CANCELLED


def test_paging_by_offset_reads_every_order_once_even_when_one_changes_mid_pass(start_mirakl_simulator):
    simulator = start_mirakl_simulator(orders=25)
    with connect(simulator, orders_page_size=5) as connector:
        seen = []
        for order in connector.iter_orders(updated_at_min=datetime.now(UTC) - timedelta(days=30)):
            seen.append(order.order_id)
            if len(seen) == 3:
                simulator.ship("MK-NOTSHIPPED-A")  # updated while paged: keeps its place (sorted by creation)

    assert len(seen) == 25 and len(set(seen)) == 25


def test_a_server_serving_shorter_pages_than_asked_is_read_to_its_total_count(start_mirakl_simulator):
    simulator = start_mirakl_simulator(orders=25, page_cap=10)
    with connect(simulator) as connector:  # asks for 100 a page, gets 10
        seen = [order.order_id for order in connector.iter_orders()]

    assert len(seen) == 25 and len(set(seen)) == 25


def test_refunds_paid_back_become_refund_events_and_waiting_ones_wait(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        problems: list[str] = []
        events = list(connector.iter_refunds(problems=problems))

    assert [(e.refund_id, e.order_id, e.kind, e.amount_gross, e.line_ids) for e in events] == [
        ("refund:R-RF-1", "MK-REFUND-A", "return", Decimal("20.00"), ("RF-1",)),
    ]
    assert problems == []


def test_the_invoice_is_uploaded_as_the_customer_invoice_and_accepted_at_once(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        upload_id = connector.upload_invoice("MK-B2C-A", "FAC-000001 é.pdf", b"%PDF-1.7 invoice")
        status = connector.get_upload(upload_id)

    assert status.state == UploadState.ACCEPTED
    [upload] = mirakl_simulator.uploads("MK-B2C-A")
    assert (upload.file_name, upload.type_code, upload.content) == (
        "FAC-000001_e.pdf", "CUSTOMER_INVOICE", b"%PDF-1.7 invoice",
    )  # fmt: skip


def test_a_refused_document_is_reported_at_once_with_mirakls_reason(mirakl_simulator):
    with connect(mirakl_simulator) as connector, pytest.raises(MarketplaceRequestError) as refused:
        connector.upload_invoice("MK-B2C-A", "FAC-000001.xml", b"<Invoice/>")

    assert "FAC-000001.xml: This file type is not supported (file_name)" in refused.value.message
    assert mirakl_simulator.uploads() == []


def test_connection_tests_tell_a_bad_key_a_wrong_shop_and_an_unreachable_instance(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        assert connector.test_connection().orders == 12
    credentials = {**mirakl_simulator.credentials(), "api_key": "wrong"}
    with connectors.connector_for("mirakl", "2001", credentials, max_attempts=1) as connector:
        assert connector.test_connection().failure == ConnectionFailure.CREDENTIALS_REFUSED
    with connect(mirakl_simulator, shop_id="9999") as connector:
        assert connector.test_connection().failure == ConnectionFailure.WRONG_ACCOUNT
    mirakl_simulator.set_faults("error_5xx_next=1")
    with connect(mirakl_simulator) as connector:
        test = connector.test_connection()
    assert (test.ok, test.failure) == (False, ConnectionFailure.UNREACHABLE)
    assert test.detail == (
        "Mirakl Démo is unavailable: GET /api/orders failed 1 times, last: HTTP 503 Service Unavailable"
    )


def test_a_bad_key_stops_the_listing_as_rejected_credentials(mirakl_simulator):
    credentials = {**mirakl_simulator.credentials(), "api_key": "wrong"}
    with (
        connectors.connector_for("mirakl", "2001", credentials, max_attempts=1) as connector,
        pytest.raises(CredentialsRejected),
    ):
        list(connector.iter_orders())


def test_throttling_server_errors_and_timeouts_are_retried(start_mirakl_simulator):
    simulator = start_mirakl_simulator(
        orders=10, faults=FaultConfig(burst_429=2, retry_after="0", error_5xx_next=1, timeout_next=1,
                                      timeout_seconds=3),
    )  # fmt: skip
    sleeps = Sleeps()
    with connect(simulator, max_attempts=6, sleep=sleeps) as connector:
        orders = list(connector.iter_orders())

    assert len(orders) == 10
    assert len(sleeps) == 4  # a timeout, two 429 (Retry-After 0), one 503
    exhausted = start_mirakl_simulator(orders=3, faults=FaultConfig(error_5xx_next=5))
    with connect(exhausted, max_attempts=2, sleep=Sleeps()) as connector, pytest.raises(MarketplaceUnavailable):
        list(connector.iter_orders())


def test_a_malformed_order_is_shown_with_its_reason_and_never_stops_the_others(start_mirakl_simulator):
    simulator = start_mirakl_simulator(orders=12, faults=FaultConfig(malformed_orders=1))
    with connect(simulator) as connector:
        orders = list(connector.iter_orders())

    malformed = [order for order in orders if isinstance(order, MalformedOrder)]
    assert [(order.order_id, order.marketplace) for order in malformed] == [("MK-1001-A", "mirakl")]
    reason = stored(malformed[0].reason)  # a message, as Octopia's: read in the page's language
    with translation.override("fr"):
        assert render(reason) == "order_lines[0].price_unit : « n/a » n'est pas un nombre."
    with translation.override("en"):
        assert render(reason) == "order_lines[0].price_unit: “n/a” is not a number."
    assert sum(isinstance(order, MarketOrder) for order in orders) == 11


@pytest.mark.parametrize(
    ("data", "french", "english"),
    [
        (["not", "an", "order"], "La commande reçue n'est pas un objet JSON.",
         "The order received is not a JSON object."),
        ({"order_state": "SHIPPED"}, "Identifiant de commande (order_id) : valeur absente.",
         "Order id (order_id): missing."),
        ({"order_id": "MK-1-A", "order_state": "SHIPPED", "order_lines": "none"},
         "Lignes de la commande (order_lines) : ce n'est pas une liste.", "Order lines (order_lines): not a list."),
        ({"order_id": "MK-1-A", "order_state": "SHIPPED", "order_lines": ["a line"]},
         "order_lines[0] : ce n'est pas un objet JSON.", "order_lines[0]: not a JSON object."),
        ({"order_id": "MK-1-A", "order_state": "SHIPPED", "order_lines": [{"quantity": 1}]},
         "order_lines[0].order_line_id : valeur absente.", "order_lines[0].order_line_id: missing."),
    ],
)  # fmt: skip
def test_the_reasons_mirakl_orders_cannot_be_read_are_messages_in_the_page_language(data, french, english):
    malformed = parse_order(data)
    assert isinstance(malformed, MalformedOrder)
    reason = stored(malformed.reason)
    with translation.override("fr"):
        assert render(reason) == french
    with translation.override("en"):
        assert render(reason) == english


def test_the_connection_names_its_marketplace_and_its_instance_scopes_the_account(mirakl_simulator):
    credentials = mirakl_simulator.credentials()
    assert connectors.connection_name("mirakl", "2001", credentials) == "Mirakl Démo"
    assert connectors.connection_name("mirakl", "2001", {**credentials, "connection_name": ""}) == "Mirakl"
    backend = connectors.backend("mirakl")
    assert backend.account_field.name == "shop_id"
    assert [(field.name, field.secret) for field in backend.credential_fields] == [
        ("instance", False), ("api_key", True), ("connection_name", False),
    ]  # fmt: skip


def test_a_tax_excluded_order_gets_its_taxes_added_and_its_price_tells_the_quantity_still_bought():
    from facturier.marketplace.mirakl import parse_order

    order = parse_order({
        "order_id": "X-1", "order_state": "SHIPPED", "order_tax_mode": "TAX_EXCLUDED", "currency_iso_code": "eur",
        "customer": {"shipping_address": {"country_iso_code": "FRA"}},
        "order_lines": [{
            "order_line_id": "X-1-1", "order_line_state": "SHIPPED", "quantity": 3, "price_unit": "10.00",
            "price": "20.00", "shipping_price": "5.00", "taxes": [{"code": "TVA", "amount": "4.00", "rate": "20"}],
            "shipping_taxes": [{"code": "TVA", "amount": "1.00", "rate": "20"}],
            "cancelations": [{"id": "C1", "quantity": 1, "amount": "10.00", "created_date": "2026-12-01T10:00:00Z"}],
        }],
    })  # fmt: skip

    [line] = order.lines
    assert (line.quantity, line.unit_price_gross, line.shipping_gross, line.tax_amount) == (
        2, Decimal("12.00"), Decimal("6.00"), Decimal("5.00"),
    )  # fmt: skip
    assert order.currency == "EUR"


def test_a_tax_excluded_instance_is_paid_its_prices_plus_their_taxes(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        order = connector.get_order("MK-TAXEXCL-A")

    assert order.raw["order_tax_mode"] == "TAX_EXCLUDED" and order.raw["total_price"] == Decimal("153.34")
    assert order.total_paid == Decimal("184.01")  # 153.34 + 29.67 on the goods + 1.00 on the shipping
    assert [(line.quantity, line.unit_price_gross, line.shipping_gross) for line in order.lines] == [
        (1, Decimal("89.00"), Decimal("6.00")), (1, Decimal("89.01"), Decimal("0")),
    ]  # fmt: skip
    assert sum(line.unit_price_gross * line.quantity + line.shipping_gross for line in order.lines) == Decimal("184.01")


def test_a_promotion_is_invoiced_as_the_line_price_paid_not_the_unit_price(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        order = connector.get_order("MK-PROMO-A")

    assert [(line.line_id, line.quantity, line.unit_price_gross) for line in order.lines] == [
        ("PR-1", 2, Decimal("33.33")), ("PR-1~33.34", 1, Decimal("33.34")),
    ]  # fmt: skip
    assert order.total_paid == Decimal("103.90")
    assert sum(line.unit_price_gross * line.quantity + line.shipping_gross for line in order.lines) == Decimal("103.90")


def test_or11_sorts_by_creation_ascending_by_default_and_reaches_back_before_the_update_bound(mirakl_simulator):
    headers = {"Authorization": mirakl_simulator.credentials()["api_key"]}
    url = f"{mirakl_simulator.instance_url}/api/orders"
    listed = httpx.get(url, headers=headers).json()["orders"]
    created = [order["created_date"] for order in listed]
    assert created == sorted(created) and len(listed) == 10  # `max` is 10 by default
    shipped = listed[0]["last_updated_date"]
    one_second_after = (datetime.fromisoformat(shipped) + timedelta(seconds=1)).isoformat()
    body = httpx.get(url, params={"start_update_date": one_second_after, "max": 100}, headers=headers).json()
    assert listed[0]["order_id"] in [order["order_id"] for order in body["orders"]]  # Mirakl's safety delta


def test_or74_answers_only_the_refused_documents_with_coded_errors(mirakl_simulator):
    headers = {"Authorization": mirakl_simulator.credentials()["api_key"]}
    documents = {"order_documents": [{"file_name": "avoir.pdf", "type_code": "CUSTOMER_CREDIT_NOTE"},
                                     {"file_name": "facture.pdf", "type_code": "CUSTOMER_INVOICE"}]}  # fmt: skip
    answer = httpx.post(
        f"{mirakl_simulator.instance_url}/api/orders/MK-B2C-A/documents", headers=headers,
        files=[("files", (name, b"%PDF", "application/pdf")) for name in ("avoir.pdf", "facture.pdf")],
        data={"order_documents": json.dumps(documents)},
    ).json()  # fmt: skip

    assert answer == {"errors_count": 1, "order_documents": [{
        "errors": [{"code": "valid_order_document.type", "field": "type_code",
                    "message": "Unable to retrieve document's type from the given code"}],
        "input": {"file_name": "avoir.pdf", "type_code": "CUSTOMER_CREDIT_NOTE"},
    }]}  # fmt: skip
    assert [upload.file_name for upload in mirakl_simulator.uploads()] == ["facture.pdf"]
    types = httpx.get(f"{mirakl_simulator.instance_url}/api/documents", headers=headers).json()["documents"]
    assert [item["code"] for item in types] == ["CUSTOMER_INVOICE", "SYSTEM_DELIVERY_BILL"]
    listed = httpx.get(f"{mirakl_simulator.instance_url}/api/orders/documents", headers=headers,
                       params={"order_ids": "MK-B2C-A"}).json()["order_documents"]  # fmt: skip
    assert [(item["file_name"], item["type"]) for item in listed] == [("facture.pdf", "CUSTOMER_INVOICE")]


def test_a_document_already_on_the_order_is_not_attached_twice(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        first = connector.upload_invoice("MK-B2C-A", "FAC-000001.pdf", b"%PDF-1.7 invoice")
        again = connector.upload_invoice("MK-B2C-A", "FAC-000001.pdf", b"%PDF-1.7 invoice")

    assert first == again == "or74:MK-B2C-A:FAC-000001.pdf"
    assert len(mirakl_simulator.uploads("MK-B2C-A")) == 1


def test_an_instance_without_or72_still_gets_its_documents(start_mirakl_simulator):
    simulator = start_mirakl_simulator(orders=10, serves_or72=False)
    with connect(simulator) as connector:
        upload_id = connector.upload_invoice("MK-B2C-A", "FAC-000001.pdf", b"%PDF-1.7 invoice")

    assert upload_id == "or74:MK-B2C-A:FAC-000001.pdf"
    assert [upload.file_name for upload in simulator.uploads("MK-B2C-A")] == ["FAC-000001.pdf"]


def test_an_order_holding_fifty_documents_takes_no_more(mirakl_simulator):
    with connect(mirakl_simulator) as connector:
        for number in range(50):
            connector.client.upload_document("MK-B2C-A", f"doc-{number}.pdf", b"%PDF")
        with pytest.raises(MarketplaceRequestError) as refused:
            connector.upload_invoice("MK-B2C-A", "FAC-000001.pdf", b"%PDF")

    assert refused.value.message == (
        "Mirakl Démo order MK-B2C-A already holds 50 documents, the most OR74 accepts: FAC-000001.pdf was not sent"
    )
    assert len(mirakl_simulator.uploads("MK-B2C-A")) == 50


def test_refund_states_of_the_api_and_its_deprecated_names_are_read():
    from facturier.marketplace.mirakl import parse_order, refunds_of

    def refund(identifier: str, **state: str) -> dict:
        return {"id": identifier, "amount": "5.00", "created_date": "2026-12-03T10:00:00Z", **state}

    data = {
        "order_id": "X-2", "order_state": "WAITING_REFUND", "order_tax_mode": "TAX_INCLUDED",
        "currency_iso_code": "EUR", "customer": {"shipping_address": {"country_iso_code": "FRA"}},
        "order_lines": [{
            "order_line_id": "L1", "order_line_state": "SHIPPED", "quantity": 1, "price_unit": "30", "price": "30",
            "shipped_date": "2026-12-01T10:00:00Z",
            "refunds": [refund("A", refund_state="REFUNDED"), refund("B", state="REFUNDED"),
                        refund("C", refund_state="WAITING_REFUND_TAX_CONFIRMATION"), refund("D")],
        }],
    }  # fmt: skip
    order = parse_order(data)
    problems: list[str] = []

    assert order.state == OrderState.SHIPPED  # a deprecated order state of a shipped order
    assert [event.refund_id for event in refunds_of(order, data, problems)] == ["refund:A", "refund:B"]
    assert problems == ["refund D of order X-2: refund_state '' not understood"]
