"""OR11 orders as the public MMP seller OpenAPI allows them but the simulator never sends them: every documented state,
optional and nullable fields, numbers with binary noise or fractions of a cent, amounts that do not add up. Each
ends as an exact order or as a malformed one with its reason, never as a silently wrong invoice."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils import translation

from facturier.core.stored_text import render, stored
from facturier.marketplace.dto import MalformedOrder, MarketOrder, OrderState
from facturier.marketplace.mirakl import parse_order

# The shape of the OpenAPI's OR11 example (order Order_00010-A), in euros and shipped to France.
DOCUMENTED_ORDER = {
    "order_id": "Order_00010-A", "commercial_id": "Order_00010", "order_state": "RECEIVED",
    "order_state_reason_code": None, "order_tax_mode": "TAX_INCLUDED", "currency_iso_code": "EUR",
    "created_date": "2026-12-02T14:18:43Z", "last_updated_date": "2026-12-03T14:59:58Z",
    "customer_debited_date": "2026-12-02T14:58:22.460Z", "has_invoice": False,
    "customer": {
        "customer_id": "Customer_id_001", "firstname": "Smith", "lastname": "Taylor", "civility": "M",
        "billing_address": {"city": "Paris", "country": "France", "country_iso_code": "FRA", "lastname": "Taylor",
                            "street_1": "1 rue de Rivoli", "zip_code": "75001"},
        "shipping_address": {"city": "Paris", "country": "France", "country_iso_code": "FRA", "lastname": "Taylor",
                             "street_1": "1 rue de Rivoli", "zip_code": "75001"},
    },
    "order_lines": [{
        "order_line_id": "Order_00010-A-1", "order_line_index": 1, "order_line_state": "RECEIVED", "quantity": 3,
        "price_unit": 55, "price": 165, "shipping_price": 8, "total_price": 173, "offer_sku": "S2000",
        "product_title": "Machine à expresso", "category_code": "5110114", "category_label": "Coffee Machines",
        "taxes": [{"amount": 27.5, "code": "TVA", "rate": 20, "tax_calculation_rule": "NONE"}],
        "shipping_taxes": [{"amount": 1.33, "code": "TVA", "rate": 20, "tax_calculation_rule": "NONE"}],
        "shipped_date": "2026-12-02T14:58:39Z", "received_date": "2026-12-03T14:59:58Z",
        "fees": [], "refunds": [], "cancelations": [],
    }],
    "price": 165, "shipping_price": 8, "total_price": 173,
}  # fmt: skip


def documented(**changes: object) -> dict:
    data = copy.deepcopy(DOCUMENTED_ORDER)
    data.update(changes)
    return data


def with_line(**changes: object) -> dict:
    data = documented()
    data["order_lines"][0].update(changes)
    return data


def reason_of(order: MarketOrder | MalformedOrder) -> str:
    assert isinstance(order, MalformedOrder), order
    with translation.override("fr"):
        return render(stored(order.reason))


def invoiced(order: MarketOrder) -> Decimal:
    return sum((line.unit_price_gross * line.quantity + line.shipping_gross for line in order.active_lines), Decimal(0))


def test_the_documented_order_is_invoiced_at_what_the_buyer_paid():
    order = parse_order(documented())

    assert (order.state, order.status, order.total_paid, invoiced(order)) == (
        OrderState.DELIVERED, "RECEIVED", Decimal("173.00"), Decimal("173.00"),
    )  # fmt: skip
    assert [(line.quantity, line.unit_price_gross, line.shipping_gross) for line in order.lines] == [
        (3, Decimal("55.00"), Decimal("8.00")),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("STAGING", OrderState.AWAITING_SHIPMENT), ("WAITING_ACCEPTANCE", OrderState.AWAITING_SHIPMENT),
        ("WAITING_DEBIT", OrderState.AWAITING_SHIPMENT), ("WAITING_DEBIT_PAYMENT", OrderState.AWAITING_SHIPMENT),
        ("SHIPPING", OrderState.AWAITING_SHIPMENT), ("SHIPPED", OrderState.SHIPPED),
        ("TO_COLLECT", OrderState.SHIPPED), ("RECEIVED", OrderState.DELIVERED), ("CLOSED", OrderState.DELIVERED),
        ("REFUSED", OrderState.CANCELLED), ("CANCELED", OrderState.CANCELLED),
        ("WAITING_REFUND", OrderState.SHIPPED), ("WAITING_REFUND_PAYMENT", OrderState.SHIPPED),
    ],
)  # fmt: skip
def test_every_documented_order_state_has_its_verdict(state, expected):
    assert parse_order(documented(order_state=state)).state == expected


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("PARTIALLY_SHIPPED", "order_state : « PARTIALLY_SHIPPED » n'est pas un état connu."),
        ("", "order_state : valeur absente."),
        (None, "order_state : valeur absente."),
    ],
)
def test_an_order_state_the_api_does_not_list_is_shown_not_guessed(state, reason):
    assert reason_of(parse_order(documented(order_state=state))) == reason


@pytest.mark.parametrize(
    ("state", "active"),
    [("RECEIVED", True), ("INCIDENT_OPEN", True), ("REFUNDED", True), ("WAITING_REFUND", True),
     ("CANCELED", False), ("REFUSED", False)],
)  # fmt: skip
def test_every_documented_line_state_is_read(state, active):
    order = parse_order(with_line(order_line_state=state))

    assert [line.active for line in order.lines] == [active]


def test_a_line_state_the_api_does_not_list_is_shown_not_invoiced():
    order = parse_order(with_line(order_line_state="PARTIALLY_RECEIVED"))

    assert reason_of(order) == "order_lines[0].order_line_state : « PARTIALLY_RECEIVED » n'est pas un état connu."


def test_numbers_with_binary_noise_or_as_strings_become_exact_cents():
    wire = json.dumps(with_line(price_unit=55.000000000000001, price=165.00000000000003, shipping_price="8.00"))
    data = json.loads(wire.replace("173", "173.00000000000003"), parse_float=Decimal)  # as the client reads JSON
    data["order_lines"][0]["quantity"] = "3"

    order = parse_order(data)

    assert [(line.quantity, line.unit_price_gross, line.shipping_gross) for line in order.lines] == [
        (3, Decimal("55.00"), Decimal("8.00")),
    ]  # fmt: skip
    assert order.total_paid == Decimal("173.00")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"price": Decimal("165.004")}, "order_lines[0].price : « 165.004 » n'est pas un montant en centimes."),
        ({"shipping_price": "7.995"},
         "order_lines[0].shipping_price : « 7.995 » n'est pas un montant en centimes."),
        ({"price": "-165"}, "order_lines[0].price : « -165 » est négatif."),
        ({"price": "165,00"}, "order_lines[0].price : « 165,00 » n'est pas un nombre."),
    ],
)  # fmt: skip
def test_an_amount_that_is_not_whole_cents_or_not_a_number_is_shown(changes, reason):
    assert reason_of(parse_order(with_line(**changes))) == reason


@pytest.mark.parametrize(
    ("data", "paid", "lines"),
    [
        (documented(total_price=173.65), "173.65", "173.00"),  # fees the buyer paid beyond the lines
        (with_line(shipping_price=None), "173.00", "165.00"),  # a shipping price absent
        (with_line(price=0, price_unit=0), "173.00", "8.00"),
        (with_line(quantity=0), "173.00", "0.00"),
    ],
)
def test_lines_that_do_not_add_up_to_what_the_buyer_paid_are_shown_not_invoiced(data, paid, lines):
    assert reason_of(parse_order(data)) == (
        f"Montants incohérents : total payé {paid} (total_price), lignes facturables {lines} "
        "(price, shipping_price et leurs taxes)."
    )


def test_taxes_given_per_order_that_differ_from_the_lines_taxes_are_shown():
    data = documented(order_tax_mode="TAX_EXCLUDED", order_taxes=[{"code": "TVA", "rate": 20, "total_amount": 40}])

    assert reason_of(parse_order(data)) == (
        "Montants incohérents : total payé 213.00 (total_price), lignes facturables 201.83 "
        "(price, shipping_price et leurs taxes)."
    )


def test_a_tax_excluded_order_without_taxes_is_paid_its_prices():
    """The API: without taxes, TAX_EXCLUDED and TAX_INCLUDED prices are the same amounts; the VAT is then the
    seller's set-up, as for any order."""
    data = documented(order_tax_mode="TAX_EXCLUDED")
    del data["order_lines"][0]["taxes"], data["order_lines"][0]["shipping_taxes"]

    order = parse_order(data)

    assert (order.total_paid, invoiced(order)) == (Decimal("173.00"), Decimal("173.00"))
    assert [(line.tax_rate, line.tax_amount) for line in order.lines] == [(None, None)]


def test_a_line_cancelled_before_shipment_may_or_may_not_count_in_the_orders_total():
    data = documented()
    second = {**data["order_lines"][0], "order_line_id": "Order_00010-A-2", "order_line_state": "REFUSED"}
    data["order_lines"].append(second)

    assert invoiced(parse_order(data)) == Decimal("173.00")
    assert invoiced(parse_order({**data, "total_price": 346})) == Decimal("173.00")


@pytest.mark.parametrize("customer", [None, {"customer_id": "C1", "billing_address": None, "shipping_address": None}])
def test_a_shipped_order_without_an_address_is_shown_and_one_not_shipped_waits(customer):
    assert reason_of(parse_order(documented(customer=customer))) == (
        "customer.shipping_address.country_iso_code : valeur absente."
    )
    waiting = parse_order(documented(customer=customer, order_state="SHIPPING"))
    assert (waiting.state, waiting.delivery_address) == (OrderState.AWAITING_SHIPMENT, None)


@pytest.mark.parametrize(
    ("address", "country"),
    [({"country_iso_code": "FRA"}, "FR"), ({"country_iso_code": "fra"}, "FR"), ({"country": "France"}, "FR"),
     ({"country_iso_code": "", "country": "FRANCE"}, "FR"), ({"country_iso_code": "EST"}, "EE"),
     ({"country_iso_code": "REU"}, "RE"), ({"country": "Allemagne"}, "ALLEMAGNE")],
)  # fmt: skip
def test_the_country_is_read_from_its_alpha3_code_or_else_its_name(address, country):
    data = documented()
    data["customer"]["shipping_address"] = {"city": "X", "street_1": "1 rue", "lastname": "T", **address}

    assert parse_order(data).delivery_address.country_code == country


def test_dates_with_milliseconds_and_offsets_are_read_exactly():
    data = with_line(shipped_date="2026-12-02T16:58:39.500+02:00")
    data.update(last_updated_date="2026-12-03T14:59:58.123Z", created_date="2026-12-02T14:18:43")

    order = parse_order(data)

    assert order.shipped_at == datetime(2026, 12, 2, 14, 58, 39, 500000, tzinfo=UTC)
    assert order.shipped_at.tzinfo == timezone(timedelta(hours=2))
    assert order.updated_at == datetime(2026, 12, 3, 14, 59, 58, 123000, tzinfo=UTC)
    assert order.placed_at == datetime(2026, 12, 2, 14, 18, 43, tzinfo=UTC)  # no offset: UTC


def test_an_order_without_lines_is_shown():
    assert reason_of(parse_order(documented(order_lines=[]))) == "order_lines : valeur absente."


@pytest.mark.parametrize(
    ("data", "english"),
    [
        (documented(order_state="NEW_STATE"), "order_state: “NEW_STATE” is not a known state."),
        (with_line(price="1.001"), "order_lines[0].price: “1.001” is not an amount in whole cents."),
        (documented(total_price=180), "Amounts do not add up: total paid 180.00 (total_price), invoiceable lines "
                                      "173.00 (price, shipping_price and their taxes)."),
    ],
)  # fmt: skip
def test_the_new_reasons_are_shown_in_english_too(data, english):
    with translation.override("en"):
        assert render(stored(parse_order(data).reason)) == english
