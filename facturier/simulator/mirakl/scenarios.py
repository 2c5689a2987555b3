"""The orders of the Mirakl simulator, in the OR11 wire shape (TAX_INCLUDED prices, per-line taxes).

The named scenarios come first, in this order; seeded ordinary B2C orders fill up to the count asked for:
- MK-B2C: one line at 20 %, shipped;
- MK-BUSINESS: a business buyer with a VAT number (customer.organization), shipped;
- MK-MULTIRATE: a book at 5.5 % and a lamp at 20 %, each with shipping, shipped;
- MK-REFUND: shipped, then one line refunded (REFUNDED) and another refund still WAITING_REFUND;
- MK-CANCEL: two lines, one cancelled before shipment (CANCELED), the other shipped;
- MK-ABROAD: shipped to Belgium;
- MK-NOTSHIPPED: accepted, not yet shipped (SHIPPING), addresses not yet given;
- MK-CANCELLED: the whole order cancelled (CANCELED);
- MK-TAXEXCL: an instance whose prices exclude taxes (order_tax_mode TAX_EXCLUDED): the buyer paid the prices plus
  `taxes` and `shipping_taxes` (178.01 + 6.00 = 184.01 €), shipped;
- MK-PROMO: 3 kettles with a 4.70 € promotion on the line: `price` 100.00 € is not `price_unit` x `quantity`, shipped.
The wire follows the public MMP seller OpenAPI (OR11_Response_200): required fields present, addresses null before
shipping, `customer` without an email (only the anonymised `customer_notification_email`).
"""

from __future__ import annotations

import copy
import random
import zlib
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
SCENARIO_IDS = (
    "MK-B2C-A", "MK-BUSINESS-A", "MK-MULTIRATE-A", "MK-REFUND-A", "MK-CANCEL-A", "MK-ABROAD-A", "MK-NOTSHIPPED-A",
    "MK-CANCELLED-A", "MK-TAXEXCL-A", "MK-PROMO-A",
)  # fmt: skip
NOTIFICATION_DOMAIN = "customer-notification.mirakl.example"
PRODUCTS = [
    ("Bouilloire inox 1,7 L", Decimal("34.90"), Decimal("20"), "Petit électroménager"),
    ("Perceuse visseuse 18 V", Decimal("89.00"), Decimal("20"), "Outillage"),
    ("Roman de poche", Decimal("8.40"), Decimal("5.5"), "Livres"),
    ("Lampe de bureau LED", Decimal("27.50"), Decimal("20"), "Luminaire"),
    ("Tente 2 places", Decimal("59.99"), Decimal("20"), "Camping"),
]


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def tax_of(gross: Decimal, rate: Decimal) -> Decimal:
    return money(gross - gross / (1 + rate / 100))


def tax_on(net: Decimal, rate: Decimal) -> Decimal:
    return money(net * rate / 100)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def address(first: str, last: str, street: str, zip_code: str, city: str, country: str, company: str = "") -> dict:
    return {
        "civility": "", "firstname": first, "lastname": last, "company": company, "street_1": street,
        "street_2": "", "zip_code": zip_code, "city": city, "country": country, "country_iso_code": country,
        "phone": "0600000000",
    }  # fmt: skip


def ean_of(title: str, *, book: bool) -> str:
    """A valid EAN-13, an ISBN one (978) for a book: the VAT rate of a book is read from it."""
    body = ("978" if book else "3") + str(zlib.crc32(title.encode()) % 10**12).zfill(12)
    body = body[:12]
    check = (10 - sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body)) % 10) % 10
    return f"{body}{check}"


def line(
    line_id: str, title: str, unit: Decimal, rate: Decimal, quantity: int, shipping: Decimal, state: str,
    shipped_at: datetime | None, *, category: str = "", cancelled: int = 0, cancel_at: datetime | None = None,
    tax_excluded: bool = False, promotion: Decimal = Decimal(0),
) -> dict:  # fmt: skip
    """One OR11 order line; `unit` and `shipping` as the order's tax mode gives them (net when `tax_excluded`)."""
    kept = quantity - cancelled
    price = money(unit * kept) - promotion
    tax = tax_on if tax_excluded else tax_of
    data = {
        "order_line_id": line_id,
        "order_line_state": state,
        **_product(line_id, title, category),
        "quantity": quantity,
        "price_unit": unit,
        "price": price,
        "shipping_price": shipping,
        "total_price": price + shipping,
        "taxes": [_tax(tax(price, rate), rate)],
        "shipping_taxes": [_tax(tax(shipping, rate), rate)],
        "promotions": [_promotion(line_id, promotion)] if promotion else [],
        "shipped_date": iso(shipped_at),
        "received_date": None,
        "refunds": [],
        "cancelations": [],
        "can_refund": state in ("SHIPPED", "RECEIVED"),
        "offer_id": zlib.crc32(line_id.encode()) % 100000,
        "offer_state_code": "11",
        "description": title,
        "product_medias": [],
        "order_line_additional_fields": [],
        "total_commission": money(price * Decimal("0.12")),
    }
    if cancelled:
        data["cancelations"].append(_cancelation(line_id, money(unit * cancelled), cancelled, cancel_at))
    return data


def _product(line_id: str, title: str, category: str) -> dict:
    return {
        "offer_sku": f"SKU-{line_id}",
        "product_sku": f"P-{line_id}",
        "product_title": title,
        "product_references": [{"reference_type": "EAN", "reference": ean_of(title, book=category == "Livres")}],
        "category_code": category.lower().replace(" ", "-"),
        "category_label": category,
    }


def _tax(amount: Decimal, rate: Decimal) -> dict:
    return {"code": f"TVA-{rate}", "amount": amount, "rate": rate, "tax_calculation_rule": "NONE"}


def _cancelation(line_id: str, amount: Decimal, quantity: int, cancel_at: datetime | None) -> dict:
    return {
        "id": f"C-{line_id}", "amount": amount, "shipping_amount": Decimal("0"), "quantity": quantity,
        "created_date": iso(cancel_at), "reason_code": "OUT_OF_STOCK", "reason_label": "Rupture de stock",
        "taxes": [], "shipping_taxes": [],
    }  # fmt: skip


def _promotion(line_id: str, amount: Decimal) -> dict:
    return {
        "id": f"PROMO-{line_id}", "apportioned": False, "deduced_amount": amount,
        "configuration": {"type": "AMOUNT_OFF", "amount_off": amount, "internal_description": "Remise boutique"},
    }  # fmt: skip


def order(
    order_id: str, state: str, lines: list[dict], *, created: datetime, updated: datetime,
    billing: dict | None, shipping: dict | None, organization: dict | None = None, channel: str = "FR",
    tax_mode: str = "TAX_INCLUDED",
) -> dict:  # fmt: skip
    customer = _customer(order_id, billing, shipping, organization)
    active = [item for item in lines if item["order_line_state"] not in ("CANCELED", "REFUSED")]
    for index, item in enumerate(lines):
        item.update(order_line_index=index, created_date=iso(created), last_updated_date=iso(updated))
    deduced = sum((promotion["deduced_amount"] for item in lines for promotion in item["promotions"]), Decimal(0))
    return {
        "order_id": order_id,
        "commercial_id": order_id.rsplit("-", 1)[0],
        "order_state": state,
        "order_tax_mode": tax_mode,
        "currency_iso_code": "EUR",
        "created_date": iso(created),
        "last_updated_date": iso(updated),
        "shipping_deadline": iso(created + timedelta(days=3)),
        "channel": {"code": channel, "label": f"Marketplace {channel}"},
        "customer": customer,
        "customer_notification_email": f"{order_id.lower()}@{NOTIFICATION_DOMAIN}",
        "references": {"order_reference_for_seller": f"REF-{order_id}"},
        "order_lines": lines,
        "price": sum((item["price"] for item in active), Decimal(0)),
        "shipping_price": sum((item["shipping_price"] for item in active), Decimal(0)),
        "total_price": sum((item["total_price"] for item in active), Decimal(0)),
        "total_commission": sum((item["total_commission"] for item in active), Decimal(0)),
        "promotions": {"applied_promotions": [p for item in lines for p in item["promotions"]],
                       "total_deduced_amount": deduced},
        "can_cancel": False, "can_shop_ship": state == "SHIPPING", "has_customer_message": False,
        "has_incident": False, "has_invoice": False, "fully_refunded": False, "leadtime_to_ship": 2,
        "fulfillment": {"center": {"code": "DEFAULT"}}, "paymentType": "CB", "payment_type": "CB",
        "payment_workflow": "PAY_ON_ACCEPTANCE", "shipping_type_code": "STD", "shipping_type_label": "Standard",
        "shipping_zone_code": channel, "shipping_zone_label": channel, "order_additional_fields": [],
    }  # fmt: skip


def _customer(order_id: str, billing: dict | None, shipping: dict | None, organization: dict | None) -> dict:
    customer = {
        "customer_id": f"CUST-{order_id}", "firstname": (billing or {}).get("firstname", "Client"),
        "lastname": (billing or {}).get("lastname", "Mirakl"), "civility": None, "locale": "fr_FR",
        "billing_address": billing, "shipping_address": shipping,
    }  # fmt: skip
    if organization:
        customer["organization"] = organization
    return customer


def build_orders(now: datetime, count: int, seed: int | str) -> list[dict]:
    """The scenarios, then seeded B2C orders, oldest created first; all changed within the last days."""
    start = now - 6 * timedelta(days=1)
    orders = _scenario_orders(start)
    orders += _seeded_orders(start, max(0, count - len(orders)), seed)
    return orders[:count] if count < len(SCENARIO_IDS) else orders


def _home() -> dict:
    return address("Zoé", "Martin", "12 rue des Lilas", "75011", "Paris", "FRA")


def _scenario_orders(start: datetime) -> list[dict]:
    """The named scenarios, in the order of SCENARIO_IDS."""
    shipped = start + timedelta(days=1)
    return [
        _b2c(start, shipped), _business(start, shipped), _multirate(start, shipped), _refunded(start, shipped, _home()),
        _partly_cancelled(start, shipped), _abroad(start, shipped), _not_shipped(start), _cancelled(start),
        _tax_excluded(start, shipped), _promotion_order(start, shipped),
    ]  # fmt: skip


def _b2c(start: datetime, shipped: datetime) -> dict:
    return order("MK-B2C-A", "SHIPPED", [line("B2C-1", "Bouilloire inox 1,7 L", Decimal("34.90"), Decimal("20"), 1,
                                             Decimal("4.90"), "SHIPPED", shipped, category="Petit électroménager")],
                 created=start, updated=shipped, billing=_home(), shipping=_home())  # fmt: skip


def _business(start: datetime, shipped: datetime) -> dict:
    return order("MK-BUSINESS-A", "SHIPPED",
                 [line("BUS-1", "Perceuse visseuse 18 V", Decimal("89.00"), Decimal("20"), 2, Decimal("0"), "SHIPPED",
                       shipped, category="Outillage")],
                 created=start, updated=shipped,
                 billing=address("Luc", "Bernard", "5 avenue Foch", "69006", "Lyon", "FRA", company="Atelier Bernard"),
                 shipping=address("Luc", "Bernard", "5 avenue Foch", "69006", "Lyon", "FRA"),
                 organization={"name": "Atelier Bernard SARL", "identification_number": "732829320",
                               "tax_identification_number": "FR40732829320"})  # fmt: skip


def _multirate(start: datetime, shipped: datetime) -> dict:
    return order("MK-MULTIRATE-A", "SHIPPED",
                 [line("MR-1", "Roman de poche", Decimal("8.40"), Decimal("5.5"), 3, Decimal("2.99"), "SHIPPED",
                       shipped, category="Livres"),
                  line("MR-2", "Lampe de bureau LED", Decimal("27.50"), Decimal("20"), 1, Decimal("3.50"), "SHIPPED",
                       shipped, category="Luminaire")],
                 created=start, updated=shipped, billing=_home(), shipping=_home())  # fmt: skip


def _partly_cancelled(start: datetime, shipped: datetime) -> dict:
    return order("MK-CANCEL-A", "SHIPPED",
                 [line("CA-1", "Tente 2 places", Decimal("59.99"), Decimal("20"), 1, Decimal("0"), "CANCELED", None,
                       category="Camping", cancelled=1, cancel_at=start + timedelta(hours=2)),
                  line("CA-2", "Lampe de bureau LED", Decimal("27.50"), Decimal("20"), 2, Decimal("3.50"), "SHIPPED",
                       shipped, category="Luminaire")],
                 created=start, updated=shipped, billing=_home(), shipping=_home())  # fmt: skip


def _abroad(start: datetime, shipped: datetime) -> dict:
    brussels = address("Lotte", "Peeters", "Rue Haute 10", "1000", "Bruxelles", "BEL")
    return order("MK-ABROAD-A", "SHIPPED",
                 [line("AB-1", "Bouilloire inox 1,7 L", Decimal("34.90"), Decimal("20"), 1, Decimal("9.90"), "SHIPPED",
                       shipped)],
                 created=start, updated=shipped, billing=brussels, shipping=dict(brussels), channel="BE")  # fmt: skip


def _not_shipped(start: datetime) -> dict:
    accepted = start + timedelta(days=2)
    return order("MK-NOTSHIPPED-A", "SHIPPING",
                 [line("NS-1", "Perceuse visseuse 18 V", Decimal("89.00"), Decimal("20"), 1, Decimal("0"), "SHIPPING",
                       None)],
                 created=accepted, updated=accepted, billing=None, shipping=None)  # fmt: skip


def _cancelled(start: datetime) -> dict:
    return order("MK-CANCELLED-A", "CANCELED",
                 [line("CD-1", "Roman de poche", Decimal("8.40"), Decimal("5.5"), 1, Decimal("0"), "CANCELED", None,
                       cancelled=1, cancel_at=start + timedelta(days=1))],
                 created=start, updated=start + timedelta(days=1), billing=None, shipping=None)  # fmt: skip


def _tax_excluded(start: datetime, shipped: datetime) -> dict:
    return order("MK-TAXEXCL-A", "SHIPPED",
                 [line("TX-1", "Perceuse visseuse 18 V", Decimal("74.17"), Decimal("20"), 2, Decimal("5.00"), "SHIPPED",
                       shipped, category="Outillage", tax_excluded=True)],
                 created=start, updated=shipped, billing=_home(), shipping=_home(),
                 tax_mode="TAX_EXCLUDED")  # fmt: skip


def _promotion_order(start: datetime, shipped: datetime) -> dict:
    return order("MK-PROMO-A", "SHIPPED",
                 [line("PR-1", "Bouilloire inox 1,7 L", Decimal("34.90"), Decimal("20"), 3, Decimal("3.90"), "SHIPPED",
                       shipped, category="Petit électroménager", promotion=Decimal("4.70"))],
                 created=start, updated=shipped, billing=_home(), shipping=_home())  # fmt: skip


def _seeded_orders(start: datetime, how_many: int, seed: int | str) -> list[dict]:
    """Ordinary B2C orders, one every 10 minutes from `start`, drawn from the seed."""
    rng = random.Random(f"{seed}:mirakl")
    return [_seeded_order(rng, start, number) for number in range(how_many)]


def _seeded_order(rng: random.Random, start: datetime, number: int) -> dict:
    title, unit, rate, category = rng.choice(PRODUCTS)
    created = start + timedelta(minutes=10 * (number + 1))
    sent = created + timedelta(hours=rng.randint(2, 30))
    buyer = address(rng.choice(["Anne", "Paul", "Inès", "Marc"]), rng.choice(["Durand", "Petit", "Roux"]),
                    f"{rng.randint(1, 99)} rue de la Gare", "33000", "Bordeaux", "FRA")  # fmt: skip
    lines = [line(f"G{number}-1", title, unit, rate, rng.randint(1, 3), Decimal("3.90"), "SHIPPED", sent,
                  category=category)]  # fmt: skip
    return order(f"MK-{1000 + number}-A", "SHIPPED", lines, created=created, updated=sent, billing=buyer,
                 shipping=buyer)  # fmt: skip


def _refunded(start: datetime, shipped: datetime, home: dict) -> dict:
    items = [
        line("RF-1", "Perceuse visseuse 18 V", Decimal("89.00"), Decimal("20"), 1, Decimal("0"), "SHIPPED", shipped,
             category="Outillage"),
        line("RF-2", "Bouilloire inox 1,7 L", Decimal("34.90"), Decimal("20"), 1, Decimal("4.90"), "SHIPPED", shipped,
             category="Petit électroménager"),
    ]  # fmt: skip
    refunded_at = shipped + timedelta(days=2)
    items[0]["refunds"].append({
        "id": "R-RF-1", "amount": Decimal("20.00"), "shipping_amount": Decimal("0"), "quantity": 0,
        "created_date": iso(refunded_at), "refund_state": "REFUNDED", "reason_code": "DAMAGED",
        "reason_label": "Produit abîmé", "taxes": [{"code": "TVA-20", "amount": Decimal("3.33"), "rate": 20}],
        "shipping_taxes": [], "state": "REFUNDED", "order_refund_id": "OR-R-RF-1",
    })  # fmt: skip
    items[1]["refunds"].append({
        "id": "R-RF-2", "amount": Decimal("34.90"), "shipping_amount": Decimal("4.90"), "quantity": 1,
        "created_date": iso(refunded_at), "refund_state": "WAITING_REFUND", "reason_code": "RETURN",
        "taxes": [], "shipping_taxes": [], "state": "WAITING_REFUND", "order_refund_id": "OR-R-RF-2",
    })  # fmt: skip
    return order("MK-REFUND-A", "SHIPPED", items, created=start, updated=refunded_at, billing=home, shipping=home)


def refund_waiting_line(orders: dict[str, dict], order_id: str, now: datetime) -> None:
    """The refund still waiting on MK-REFUND-A is paid back now (the order's update date moves)."""
    data = orders[order_id]
    for item in data["order_lines"]:
        for refund in item["refunds"]:
            if refund["refund_state"] == "WAITING_REFUND":
                refund["refund_state"] = refund["state"] = "REFUNDED"
                refund["created_date"] = iso(now)
    data["last_updated_date"] = iso(now)


def awaiting_shipment(template: dict, order_id: str, now: datetime) -> dict:
    """A copy of an order awaiting shipment under a new id, bought a day before `now`, changed 5 minutes ago."""
    data = copy.deepcopy(template)
    data.update(order_id=order_id, commercial_id=order_id, created_date=iso(now - timedelta(days=1)),
                last_updated_date=iso(now - timedelta(minutes=5)), shipping_deadline=iso(now + timedelta(days=2)),
                customer_notification_email=f"{order_id.lower()}@{NOTIFICATION_DOMAIN}")  # fmt: skip
    data["customer"]["customer_id"] = f"CUST-{order_id}"
    for number, item in enumerate(data["order_lines"], start=1):
        item["order_line_id"] = f"{order_id}-{number}"
    return data


def bought_by_business(data: dict) -> None:
    """The order becomes a French company's purchase (its invoice carries the B2B payment mentions)."""
    data["customer"]["organization"] = {
        "name": "Atelier Bernard SARL", "identification_number": "732829320",
        "tax_identification_number": "FR40732829320",
    }  # fmt: skip
    if billing := data["customer"]["billing_address"]:
        data["customer"]["billing_address"] = {**billing, "company": "Atelier Bernard"}  # orders share addresses


def invoiced_by_operator(data: dict, now: datetime) -> None:
    """The operator invoices the buyer itself: the order shows `has_invoice` without a document of the shop."""
    data["has_invoice"] = True
    data["last_updated_date"] = iso(now)


def ship(data: dict, now: datetime) -> None:
    """The seller ships the order: every open line leaves now, the addresses are revealed."""
    for item in data["order_lines"]:
        if item["order_line_state"] not in ("CANCELED", "REFUSED"):
            item["order_line_state"] = "SHIPPED"
            item["shipped_date"] = iso(now)
    data["order_state"] = "SHIPPED"
    customer = data["customer"]
    revealed = address("Hugo", "Lefèvre", "3 place du Marché", "44000", "Nantes", "FRA")
    customer["billing_address"] = customer["billing_address"] or revealed
    customer["shipping_address"] = customer["shipping_address"] or revealed
    data["last_updated_date"] = iso(now)
