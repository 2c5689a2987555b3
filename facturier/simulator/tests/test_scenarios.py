from datetime import UTC, datetime, timedelta
from decimal import Decimal

from facturier.simulator.catalog import PRODUCTS, gtin13
from facturier.simulator.scenarios import SCENARIOS, generate

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)


def by_reference(orders):
    return {order["reference"]: order for order in orders if order["reference"]}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, second, other = generate(5, "98979", 40, NOW), generate(5, "98979", 40, NOW), generate(6, "98979", 40, NOW)

    assert first == second
    assert [o["orderId"] for o in first.orders] != [o["orderId"] for o in other.orders]
    assert len({o["orderId"] for o in first.orders}) == 40


def test_sellers_get_different_orders_from_the_same_seed():
    assert generate(5, "1", 20, NOW).orders != generate(5, "2", 20, NOW).orders


def test_scenarios_come_first_and_cover_the_invoicing_cases():
    data = generate(1, "98979", len(SCENARIOS) + 5, NOW)
    scenarios = by_reference(data.orders)

    assert [order["reference"] for order in data.orders[: len(SCENARIOS)]] == [f"SIM-{name}" for name, _ in SCENARIOS]
    business = scenarios["SIM-business"]
    assert (business["businessOrder"], business["billingAddress"]["companyName"]) == (True, "Atelier Fontaine SARL")
    assert business["billingAddress"]["companyVatNumber"] == "FR44732829320"
    relay = scenarios["SIM-relay"]["lines"][0]["shippingAddress"]
    assert (relay["pickupId"], relay["pickupName"]) == ("MR-044-01234", "Relais Tabac de la Gare")
    assert [line["status"] for line in scenarios["SIM-partial-cancel"]["lines"]] == ["Shipped", "Cancelled", "Shipped"]
    assert {line["offer"]["supplyMode"] for line in scenarios["SIM-fulfillment"]["lines"]} == {"Fulfillment"}
    assert scenarios["SIM-ship-be"]["lines"][0]["shippingAddress"]["countryCode"] == "BE"
    assert scenarios["SIM-ship-de"]["lines"][0]["shippingAddress"]["countryCode"] == "DE"
    assert [line["offer"]["sellerProductId"].split("-")[0] for line in scenarios["SIM-vat-rates"]["lines"]] == [
        "STD", "BOOK", "FOOD", "PRESS",
    ]  # fmt: skip


def test_non_ascii_names_and_long_titles_survive():
    order = by_reference(generate(1, "98979", len(SCENARIOS), NOW).orders)["SIM-non-ascii"]

    assert (order["billingAddress"]["firstName"], order["billingAddress"]["lastName"]) == ("Łukasz", "Wiśniewski")
    assert order["billingAddress"]["addressLine2"] == "Bât. B, 3ᵉ étage"
    assert order["lines"][0]["shippingAddress"]["firstName"] == "Zoë"
    assert len(order["lines"][0]["offer"]["productTitle"]) == 277


def test_statuses_dates_and_addresses_follow_the_lifecycle():
    scenarios = by_reference(generate(1, "98979", len(SCENARIOS), NOW).orders)

    old = scenarios["SIM-old"]
    assert datetime.fromisoformat(old["purchasedAt"]) == NOW - timedelta(days=15)
    assert scenarios["SIM-accepted"]["lines"][0]["shippingAddress"] is None  # address only from InPreparation
    assert scenarios["SIM-in-preparation"]["lines"][0]["shippingAddress"] is not None
    assert scenarios["SIM-in-preparation"]["lines"][0]["parcels"] == []
    cancelled = scenarios["SIM-cancelled"]
    assert (cancelled["status"], cancelled["totalPrice"]["sellingPrice"]) == ("Cancelled", Decimal("0.00"))
    assert [event["status"] for event in cancelled["statusEvents"]] == ["Processing", "Accepted", "Cancelled"]
    assert all(datetime.fromisoformat(order["updatedAt"]) <= NOW for order in scenarios.values())


def test_exactly_one_scenario_has_no_buyer_email():
    scenarios = by_reference(generate(1, "98979", len(SCENARIOS), NOW).orders)

    assert [ref for ref, order in scenarios.items() if not order["billingAddress"]["email"]] == ["SIM-no-email"]


def test_order_totals_are_the_sum_of_the_active_lines():
    for order in generate(3, "98979", 60, NOW).orders:
        active = [line for line in order["lines"] if line["status"] != "Cancelled"]
        expected = sum(
            (
                line["sellingPrice"]["unitSalesPrice"] * line["quantity"] + line["sellingPrice"]["shippingCost"]
                for line in active
            ),
            Decimal("0.00"),
        )
        assert order["totalPrice"]["sellingPrice"] == expected, order["orderId"]


def test_refunds_are_generated_for_the_refund_scenarios():
    data = generate(1, "98979", len(SCENARIOS), NOW)
    scenarios = by_reference(data.orders)

    assert [(g["orderId"], g["amount"], g["status"]) for g in data.gestures] == [
        (scenarios["SIM-gesture"]["orderId"], Decimal("15.00"), "Accepted")
    ]
    assert [(c["orderSellerId"], [line["lineId"] for line in c["lines"]]) for c in data.cancellations] == [
        (scenarios["SIM-cancel-after-ship"]["orderId"], ["2"])
    ]


def test_eans_carry_a_valid_check_digit_and_the_vat_hint_prefix():
    assert gtin13("978207061275") == "9782070612758"
    books = [product for product in PRODUCTS if product.sku.startswith("BOOK-")]
    assert all(product.ean[:3] in ("978", "979") and gtin13(product.ean[:12]) == product.ean for product in books)
    assert [product.ean[:3] for product in PRODUCTS if product.sku.startswith("PRESS-")] == ["977"]


def test_fewer_orders_than_scenarios_takes_the_first_scenarios():
    assert [order["reference"] for order in generate(1, "98979", 2, NOW).orders] == ["SIM-b2c", "SIM-business"]
