"""Builds Octopia v2 order JSON (reference §3.4) from a compact spec; all randomness from one seeded RNG."""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from facturier.core.money import quantize

from .catalog import CARRIERS, FIRST_NAMES, FRENCH_PLACES, LAST_NAMES, STREETS, Product

# Time from purchase to reaching each status (cumulative), used for statusEvents and updatedAt.
STATUS_OFFSETS = {
    "Processing": timedelta(0),
    "Accepted": timedelta(minutes=12),
    "InPreparation": timedelta(hours=2),
    "Shipped": timedelta(hours=26),
    "Delivered": timedelta(days=3, hours=4),
}
STATUS_FLOW = tuple(STATUS_OFFSETS)
CANCELLED_AFTER = timedelta(hours=1)
# The customer shipping address only appears from InPreparation onwards (reference §3.3).
ADDRESS_STATUSES = frozenset({"InPreparation", "Shipped", "Delivered"})
SHIPPED_STATUSES = frozenset({"Shipped", "Delivered"})
COMMISSION_RATE = Decimal("0.15")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class LineSpec:
    product: Product
    quantity: int = 1
    status: str | None = None  # None = follows the order status
    supply_mode: str = "Seller"
    unit_price: Decimal | None = None


@dataclass
class OrderSpec:
    order_id: str
    status: str
    purchased_at: datetime
    lines: list[LineSpec]
    billing: dict
    shipping: dict | None = None  # None = the billing address without its email
    business: bool = False
    reference: str | None = None
    delivery_mode: str = "TrackedHomeDelivery"
    carrier: str | None = None
    extra: dict = field(default_factory=dict)


def new_order_id(rng: random.Random, purchased_at: datetime, taken: set[str]) -> str:
    """Cdiscount-style order number: yymmddHHMM + 4 letters/digits, unique within the seller."""
    while True:
        suffix = "".join(rng.choices(string.ascii_uppercase + string.digits, k=4))
        order_id = f"{purchased_at:%y%m%d%H%M}{suffix}"
        if order_id not in taken:
            taken.add(order_id)
            return order_id


def address(
    first_name: str,
    last_name: str,
    line1: str,
    postal_code: str,
    city: str,
    country_code: str = "FR",
    **extra: object,
) -> dict:
    data = {
        "civility": extra.pop("civility", "M."),
        "firstName": first_name,
        "lastName": last_name,
        "companyName": None,
        "companyVatNumber": None,
        "addressLine1": line1,
        "addressLine2": None,
        "addressLine3": None,
        "postalCode": postal_code,
        "city": city,
        "stateOrRegion": None,
        "countryCode": country_code,
        "phone": None,
        "email": None,
    }
    data.update(extra)
    return data


def random_french_address(rng: random.Random, *, with_email: bool = True) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    postal_code, city = rng.choice(FRENCH_PLACES)
    email = f"{_ascii(first)}.{_ascii(last)}.{rng.randint(10, 99)}@example.org".lower() if with_email else None
    return address(
        first,
        last,
        f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
        postal_code,
        city,
        civility=rng.choice(("M.", "Mme")),
        phone="+33 6 " + " ".join(str(rng.randint(10, 99)) for _ in range(4)),
        email=email,
    )


def build_order(spec: OrderSpec, seller_id: str, rng: random.Random) -> dict:
    events = status_events(spec.status, spec.purchased_at)
    shipping = spec.shipping if spec.shipping is not None else {**spec.billing, "email": None}
    parcel = _parcel(rng, spec) if spec.status in SHIPPED_STATUSES else None
    lines = [_line(index, line, spec, shipping, parcel, events) for index, line in enumerate(spec.lines, 1)]
    paid = [line for line in lines if line["status"] not in ("Cancelled", "Refused")]
    order = {
        "orderId": spec.order_id,
        "reference": spec.reference,
        "businessOrder": spec.business,
        "salesChannel": {"id": "CDISFR", "name": "Cdiscount"},
        "seller": {"id": seller_id},
        "customer": {"reference": f"CUS{rng.randint(10**7, 10**8 - 1)}"},
        "purchasedAt": iso(spec.purchased_at),
        "createdAt": iso(spec.purchased_at + timedelta(seconds=40)),
        "updatedAt": events[-1]["date"],
        "shippedAtMax": iso(spec.purchased_at + timedelta(days=2)),
        "status": spec.status,
        "payment": {"method": "Card"},
        "currencyCode": "EUR",
        "billingAddress": spec.billing,
        "totalPrice": {
            "offerPrice": sum((line["totalPrice"]["offerPrice"] for line in paid), Decimal("0.00")),
            "sellingPrice": sum((line["totalPrice"]["sellingPrice"] for line in paid), Decimal("0.00")),
        },
        "lines": lines,
        "serviceFees": [],
        "statusEvents": events,
    }
    if spec.status == "Cancelled":
        order["cancellationDetails"] = {"reason": "CustomerCancellation", "cancelledAt": events[-1]["date"]}
    order.update(spec.extra)
    return order


def status_events(status: str, purchased_at: datetime) -> list[dict]:
    if status == "Cancelled":
        return [
            {"status": "Processing", "date": iso(purchased_at)},
            {"status": "Accepted", "date": iso(purchased_at + STATUS_OFFSETS["Accepted"])},
            {"status": "Cancelled", "date": iso(purchased_at + CANCELLED_AFTER)},
        ]
    reached = STATUS_FLOW[: STATUS_FLOW.index(status) + 1] if status in STATUS_FLOW else ("Processing", status)
    return [{"status": name, "date": iso(purchased_at + STATUS_OFFSETS.get(name, timedelta(0)))} for name in reached]


def _line(index: int, spec: LineSpec, order: OrderSpec, shipping: dict, parcel: dict | None, events: list) -> dict:
    status = spec.status or order.status
    product = spec.product
    unit = spec.unit_price if spec.unit_price is not None else product.price
    total = quantize(unit * spec.quantity + product.shipping)
    commission = quantize(total * COMMISSION_RATE)
    line = {
        "orderLineId": str(index),
        "status": status,
        "quantity": spec.quantity,
        "offer": _offer(product, spec.supply_mode),
        "sellingPrice": {"unitSalesPrice": unit, "shippingCost": product.shipping, "taxes": []},
        "offerPrice": {
            "unitSalesPrice": unit,
            "shippingCost": product.shipping,
            "commission": {
                "amountWithVat": commission,
                "amountWithoutVat": quantize(commission / Decimal("1.2")),
                "rate": COMMISSION_RATE,
            },
            "taxes": [],
        },
        "totalPrice": {"offerPrice": total, "sellingPrice": total},
        "delivery": {
            "mode": order.delivery_mode,
            "promisedAtMin": iso(order.purchased_at + timedelta(days=2)),
            "promisedAtMax": iso(order.purchased_at + timedelta(days=5)),
            "shippedAtMax": iso(order.purchased_at + timedelta(days=2)),
        },
        "shippingAddress": shipping if order.status in ADDRESS_STATUSES else None,
        "parcels": [parcel] if parcel and status in SHIPPED_STATUSES else [],
        "statusEvents": events if status != "Cancelled" else _cancelled_line_events(events),
    }
    return line


def _offer(product: Product, supply_mode: str) -> dict:
    return {
        "id": f"OFF{product.sku.replace('-', '')}",
        "sellerProductId": product.sku,
        "productGtin": product.ean,
        "productId": f"{product.sku.split('-')[0].lower()}{product.ean[-7:]}",
        "productTitle": product.title,
        "condition": "New",
        "supplyMode": supply_mode,
    }


def _cancelled_line_events(order_events: list[dict]) -> list[dict]:
    """A line cancelled while the rest of the order went on: its history stops at InPreparation."""
    kept = [event for event in order_events if event["status"] in ("Processing", "Accepted", "InPreparation")]
    return [*kept, {"status": "Cancelled", "date": kept[-1]["date"]}]


def _parcel(rng: random.Random, spec: OrderSpec) -> dict:
    carriers = dict(CARRIERS)
    carrier = spec.carrier or rng.choice(tuple(carriers))
    number = f"6A{rng.randint(10**10, 10**11 - 1)}"
    return {"parcelNumber": number, "carrierName": carrier, "trackingUrl": carriers[carrier].format(number)}


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
