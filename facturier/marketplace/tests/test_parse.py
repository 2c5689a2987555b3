from datetime import UTC, datetime
from decimal import Decimal

import pytest

from facturier.marketplace.dto import MAIN_CHANNEL, Address, MalformedOrder, MarketOrder, OrderState, TextDamage
from facturier.marketplace.parse import parse_order


def order_json(**overrides):
    order = {
        "orderId": "2609021234ABCD",
        "status": "Shipped",
        "businessOrder": True,
        "purchasedAt": "2026-09-02T09:15:00Z",
        "createdAt": "2026-09-02T09:15:40Z",
        "updatedAt": "2026-09-03T11:00:00Z",
        "currencyCode": "EUR",
        "billingAddress": {
            "civility": "Mme",
            "firstName": "Zoë",
            "lastName": "Wiśniewska",
            "companyName": "Atelier Fontaine SARL",
            "companyVatNumber": "fr 44 732829320",
            "addressLine1": "8 rue de l'Égalité",
            "addressLine2": "Bât. B",
            "postalCode": 42000,
            "city": "Saint-Étienne",
            "countryCode": "fr",
            "email": "zoe@example.org",
        },
        "totalPrice": {"offerPrice": 54.89, "sellingPrice": Decimal("54.89")},
        "lines": [
            {
                "orderLineId": "1",
                "status": "Shipped",
                "quantity": 2,
                "offer": {
                    "sellerProductId": "BOOK-9782070",
                    "productGtin": "9782070612758",
                    "productId": "book0612758",
                    "productTitle": "Le Petit Prince",
                    "supplyMode": "Seller",
                },
                "sellingPrice": {"unitSalesPrice": "7.60", "shippingCost": 1.0},
                "shippingAddress": {"firstName": "Zoë", "pickupId": "MR-044-01234", "pickupName": "Relais"},
                "statusEvents": [{"status": "Shipped", "date": "2026-09-03T10:00:00Z"}],
            },
            {
                "orderLineId": "2",
                "status": "Cancelled",
                "quantity": "1",
                "offer": {"sellerProductId": "STD-CASQ-001"},
                "sellingPrice": {"unitSalesPrice": 38.69},
            },
        ],
        "statusEvents": [{"status": "Shipped", "date": "2026-09-03T11:00:00Z"}],
    }
    order.update(overrides)
    return order


def test_it_parses_a_complete_order():
    order = parse_order(order_json())

    assert isinstance(order, MarketOrder)
    assert order.order_id == "2609021234ABCD"
    assert order.business_order is True
    assert order.placed_at == datetime(2026, 9, 2, 9, 15, tzinfo=UTC)
    assert (order.marketplace, order.state, order.status) == ("octopia", OrderState.SHIPPED, "Shipped")
    assert (order.sales_channel, order.sales_channel_name) == (MAIN_CHANNEL, "Cdiscount")  # none given
    assert order.buyer_emails == ("zoe@example.org",)
    assert order.shipped_at == datetime(2026, 9, 3, 10, 0, tzinfo=UTC)  # earliest Shipped event (line level)
    assert order.total_paid == Decimal("54.89")
    assert order.billing_address.company_vat_number == "FR44732829320"
    assert order.billing_address.postal_code == "42000"
    assert order.billing_address.country_code == "FR"
    assert order.billing_address.full_name == "Zoë Wiśniewska"
    first, second = order.lines
    assert (first.sku, first.ean, first.quantity, first.unit_price_gross, first.shipping_gross) == (
        "BOOK-9782070", "9782070612758", 2, Decimal("7.60"), Decimal("1.0"),
    )  # fmt: skip
    assert second.shipping_gross == Decimal("0")
    assert (first.active, second.active, second.status) == (True, False, "Cancelled")
    assert order.active_lines == (first,)
    assert order.delivery_address == Address(first_name="Zoë", pickup_id="MR-044-01234", pickup_name="Relais")


def test_every_field_is_optional_except_what_an_invoice_needs():
    order = parse_order({"orderId": "X1"})

    assert order == MarketOrder(
        marketplace="octopia",
        order_id="X1",
        state=OrderState.OTHER,
        status="",
        sales_channel=MAIN_CHANNEL,
        sales_channel_name="Cdiscount",
        business_order=False,
        placed_at=None,
        updated_at=None,
        shipped_at=None,
        currency="",
        billing_address=Address(),
        lines=(),
        total_paid=None,
        raw={"orderId": "X1"},
    )  # fmt: skip  (the currency is never assumed: issue #13)


@pytest.mark.parametrize(
    ("_case", "change", "reason"),
    [
        (
            "price not a number",
            {"unitSalesPrice": "abc"},
            "Ligne 2, prix unitaire (sellingPrice.unitSalesPrice) : « abc » n'est pas un nombre.",
        ),
        (
            "price missing",
            {"unitSalesPrice": None},
            "Ligne 2, prix unitaire (sellingPrice.unitSalesPrice) : valeur absente.",
        ),
        (
            "negative price",
            {"unitSalesPrice": -1},
            "Ligne 2, prix unitaire (sellingPrice.unitSalesPrice) : « -1 » est négatif.",
        ),
        (
            "shipping not a number",
            {"shippingCost": "NaN"},
            "Ligne 2, frais de port (sellingPrice.shippingCost) : « NaN » n'est pas un nombre.",
        ),
        (
            "price is a boolean",
            {"unitSalesPrice": True},
            "Ligne 2, prix unitaire (sellingPrice.unitSalesPrice) : « true » n'est pas un nombre.",
        ),
    ],
)
def test_an_unreadable_price_makes_the_order_malformed(_case, change, reason):
    data = order_json()
    data["lines"][1]["sellingPrice"].update(change)

    result = parse_order(data)
    assert isinstance(result, MalformedOrder)
    assert (result.order_id, str(result.reason), result.raw) == ("2609021234ABCD", reason, data)


@pytest.mark.parametrize(
    ("_case", "quantity", "reason"),
    [
        ("missing", None, "Ligne 1, quantité (quantity) : valeur absente."),
        ("text", "two", "Ligne 1, quantité (quantity) : « two » n'est pas un nombre entier positif ou nul."),
        ("fraction", 1.5, "Ligne 1, quantité (quantity) : « 1.5 » n'est pas un nombre entier positif ou nul."),
        ("negative", -2, "Ligne 1, quantité (quantity) : « -2 » n'est pas un nombre entier positif ou nul."),
    ],
)
def test_an_unreadable_quantity_makes_the_order_malformed(_case, quantity, reason):
    data = order_json()
    data["lines"][0]["quantity"] = quantity

    assert str(parse_order(data).reason) == reason


def test_bad_dates_and_shapes_are_reported():
    assert str(parse_order(order_json(purchasedAt="yesterday")).reason) == (
        "Date de commande (purchasedAt) : « yesterday » n'est pas une date ISO-8601."
    )
    assert str(parse_order(order_json(lines={"a": 1})).reason) == (
        "Lignes de la commande (lines) : ce n'est pas une liste."
    )
    assert str(parse_order(order_json(lines=["x"])).reason) == "Ligne 1 : ce n'est pas un objet JSON."
    assert str(parse_order(order_json(orderId=" ")).reason) == "Identifiant de commande (orderId) : valeur absente."
    assert str(parse_order(["not", "an", "order"]).reason) == "La commande reçue n'est pas un objet JSON."


def test_a_naive_date_is_read_as_utc():
    order = parse_order(order_json(updatedAt="2026-09-03T11:00:00"))

    assert order.updated_at == datetime(2026, 9, 3, 11, 0, tzinfo=UTC)


def test_shipped_at_falls_back_to_dated_parcels_and_ignores_unreadable_events():
    data = order_json(statusEvents=[{"status": "Shipped", "date": "garbage"}])
    data["lines"][0]["statusEvents"] = []
    data["lines"][0]["parcels"] = [{"parcelNumber": "6A1", "shippedAt": "2026-09-03T08:30:00+02:00"}]

    assert parse_order(data).shipped_at == datetime(2026, 9, 3, 6, 30, tzinfo=UTC)


def test_shipped_at_is_none_without_any_dated_evidence():
    data = order_json(statusEvents=None)
    data["lines"][0]["statusEvents"] = None
    data["lines"][0]["parcels"] = [{"parcelNumber": "6A1"}]

    assert parse_order(data).shipped_at is None


def test_full_name_falls_back_to_the_company():
    assert Address(company_name="ACME SAS").full_name == "ACME SAS"
    assert Address(first_name="Łukasz", last_name="Wiśniewski", company_name="ACME").full_name == "Łukasz Wiśniewski"


def test_the_currency_is_read_never_assumed():
    assert parse_order({"orderId": "X1", "currencyCode": " usd "}).currency == "USD"
    assert parse_order({"orderId": "X1", "currencyCode": "EUR"}).currency == "EUR"
    assert parse_order({"orderId": "X1"}).currency == ""


def test_the_ship_by_deadline_is_read_apart_from_the_shipping_date():
    order = parse_order({"orderId": "X1", "shippedAtMax": "2026-09-04T16:00:00Z"})

    assert (order.shipped_at, order.ship_by) == (None, datetime(2026, 9, 4, 16, 0, tzinfo=UTC))


def test_nul_characters_and_bytes_that_were_not_utf8_are_repaired_and_reported():
    data = {
        "orderId": "X1",
        "billingAddress": {"lastName": "Mar\x00tin"},
        "lines": [
            {"quantity": 1, "sellingPrice": {"unitSalesPrice": "9.90"}, "offer": {"productTitle": "\udce9t\udce9"}}
        ],
    }

    order = parse_order(data)

    assert isinstance(order, MarketOrder)
    assert order.damaged_text == (
        TextDamage("billingAddress.lastName", TextDamage.NUL),
        TextDamage("lines[0].offer.productTitle", TextDamage.NOT_UTF8),
    )
    assert (order.billing_address.last_name, order.lines[0].title) == ("Mar\ufffdtin", "\ufffdt\ufffd")
    assert order.raw["billingAddress"]["lastName"] == "Mar\ufffdtin"


def test_a_damaged_order_that_is_also_malformed_keeps_both_facts():
    order = parse_order({"orderId": "X\x001", "lines": [{"quantity": "two"}]})

    assert isinstance(order, MalformedOrder)
    assert (order.order_id, order.damaged_text) == ("X\ufffd1", (TextDamage("orderId", TextDamage.NUL),))
    assert str(order.reason) == "Ligne 1, prix unitaire (sellingPrice.unitSalesPrice) : valeur absente."


def test_the_statuses_become_neutral_states_and_the_supply_mode_a_fulfilment_flag():
    def parsed(status, supply_mode="Seller"):
        line = {"orderLineId": "1", "quantity": 1, "status": status, "offer": {"supplyMode": supply_mode},
                "sellingPrice": {"unitSalesPrice": "1"}}  # fmt: skip
        return parse_order({"orderId": "X1", "status": status, "lines": [line]})

    states = {status: parsed(status).state for status in ("InPreparation", "Shipped", "Delivered", "Refused", "Odd")}
    assert states == {
        "InPreparation": OrderState.AWAITING_SHIPMENT, "Shipped": OrderState.SHIPPED,
        "Delivered": OrderState.DELIVERED, "Refused": OrderState.CANCELLED, "Odd": OrderState.OTHER,
    }  # fmt: skip
    modes = ("Seller", "Fulfillment", "Xdock")
    assert [parsed("Shipped", mode).lines[0].fulfilled_by_marketplace for mode in modes] == [False, True, True]
    assert parsed("CancelRequest").lines[0].active is False


def test_every_email_is_kept_and_one_given_only_on_a_line_shipping_address_is_the_buyers():
    line = {"orderLineId": "1", "quantity": 1, "sellingPrice": {"unitSalesPrice": "1"}}
    order = parse_order({
        "orderId": "X1",
        "billingAddress": {"lastName": "Martin"},
        "lines": [{**line, "shippingAddress": {"email": "zoe@relay.example"}},
                  {**line, "shippingAddress": {"email": "other@example.org"}}],
    })  # fmt: skip

    assert order.buyer_emails == ("zoe@relay.example", "other@example.org")
    assert order.buyer_email == "zoe@relay.example"


def test_the_sales_channel_is_read_and_cdiscounts_own_site_becomes_the_main_one():
    assert parse_order({"orderId": "X1", "salesChannel": {"id": "CDISFR", "name": "Cdiscount"}}).sales_channel == (
        MAIN_CHANNEL
    )
    other = parse_order({"orderId": "X1", "salesChannel": {"id": "OCTOBE", "name": "Octopia Belgique"}})
    assert (other.sales_channel, other.sales_channel_name) == ("OCTOBE", "Octopia Belgique")


def test_the_line_taxes_and_category_are_read_when_given():
    line = {"orderLineId": "1", "quantity": 1, "offer": {"categoryCode": "BOOKS"},
            "sellingPrice": {"unitSalesPrice": "10.55", "taxes": [{"code": "VAT", "rate": "5.5", "amount": "0.55"}]}}
    read = parse_order({"orderId": "X1", "lines": [line]}).lines[0]
    assert (read.tax_rate, read.tax_amount, read.category) == (Decimal("5.5"), Decimal("0.55"), "BOOKS")
    bare = parse_order({"orderId": "X1", "lines": [{**line, "offer": {}, "sellingPrice": {"unitSalesPrice": 1}}]})
    assert (bare.lines[0].tax_rate, bare.lines[0].tax_amount, bare.lines[0].category) == (None, None, "")
