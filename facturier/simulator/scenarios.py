"""Seeded, reproducible order sets: the named scenarios first, then random realistic orders.

Same seed + same seller + same `now` -> the same orders, ids, amounts and refunds. Scenario orders carry
`reference = "SIM-<scenario>"` so tests and demos can find them (GET /orders?reference=SIM-business).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .catalog import PRODUCTS, Product
from .generator import (
    STATUS_OFFSETS,
    LineSpec,
    OrderSpec,
    address,
    build_order,
    iso,
    new_order_id,
    parse_iso,
    random_french_address,
)

BACKFILL_WINDOW_DAYS = 10  # the "old" scenario is placed before this window


@dataclass
class Dataset:
    orders: list[dict] = field(default_factory=list)
    gestures: list[dict] = field(default_factory=list)
    cancellations: list[dict] = field(default_factory=list)


@dataclass
class Context:
    rng: random.Random
    now: datetime
    seller_id: str
    data: Dataset = field(default_factory=Dataset)
    taken_ids: set[str] = field(default_factory=set)

    def product(self, sku_prefix: str = "") -> Product:
        return self.rng.choice([product for product in PRODUCTS if product.sku.startswith(sku_prefix)])

    def add(self, status: str, days_ago: float, lines: list[LineSpec], **options: object) -> dict:
        purchased_at = (self.now - timedelta(days=days_ago)).replace(microsecond=0)
        options.setdefault("billing", random_french_address(self.rng))
        spec = OrderSpec(
            order_id=new_order_id(self.rng, purchased_at, self.taken_ids),
            status=status,
            purchased_at=purchased_at,
            lines=lines,
            **options,  # type: ignore[arg-type]
        )
        order = build_order(spec, self.seller_id, self.rng)
        self.data.orders.append(order)
        return order

    def add_gesture(self, order: dict, amount: Decimal, after: timedelta, reason_details: str) -> dict:
        created = iso(parse_iso(order["updatedAt"]) + after)
        gesture = {
            "id": f"CG{self.rng.randint(10**7, 10**8 - 1)}",
            "orderId": order["orderId"],
            "status": "Accepted",
            "reason": "Other",
            "reasonDetails": reason_details,
            "amount": amount,
            "createdAt": created,
            "updatedAt": created,
        }
        self.data.gestures.append(gesture)
        return gesture

    def add_cancellation(self, order: dict, line_ids: list[str], after: timedelta, reason: str) -> dict:
        created = iso(parse_iso(order["updatedAt"]) + after)
        offers = {line["orderLineId"]: line["offer"]["id"] for line in order["lines"]}
        request = {
            "cancellationRequestId": str(self.rng.randint(10**8, 10**9 - 1)),
            "orderSellerId": order["orderId"],
            "status": "Accepted",
            "reason": reason,
            "shippingCostRefund": False,
            "lines": [
                {"lineId": line_id, "offerId": offers[line_id], "reason": reason, "shippingCostRefund": True}
                for line_id in line_ids
            ],
            "createdAt": created,
            "updatedAt": created,
        }
        self.data.cancellations.append(request)
        return request


def _b2c(ctx: Context) -> None:
    ctx.add("Shipped", 2.1, [LineSpec(PRODUCTS[0])], reference="SIM-b2c")


def _business(ctx: Context) -> None:
    billing = address(
        "Claire", "Fontaine", "12 rue de l'Industrie", "69007", "Lyon",
        companyName="Atelier Fontaine SARL", companyVatNumber=french_vat_number("732829320"),
        civility="Mme", email="compta@atelier-fontaine.example.fr", phone="+33 4 78 00 00 00",
    )  # fmt: skip
    lines = [LineSpec(PRODUCTS[2], quantity=3), LineSpec(PRODUCTS[1])]
    ctx.add("Delivered", 5.2, lines, billing=billing, business=True, reference="SIM-business")


def _relay(ctx: Context) -> None:
    billing = random_french_address(ctx.rng)
    relay = address(
        billing["firstName"], billing["lastName"], "3 place de la Gare", "44000", "Nantes",
        civility=billing["civility"], pickupId="MR-044-01234", pickupName="Relais Tabac de la Gare",
    )  # fmt: skip
    ctx.add(
        "Shipped", 1.9, [LineSpec(PRODUCTS[3])], billing=billing, shipping=relay,
        delivery_mode="RelayDelivery", carrier="Mondial Relay", reference="SIM-relay",
    )  # fmt: skip


def _partial_cancel(ctx: Context) -> None:
    lines = [LineSpec(PRODUCTS[1], 2), LineSpec(PRODUCTS[0], status="Cancelled"), LineSpec(PRODUCTS[7])]
    ctx.add("Shipped", 3.0, lines, reference="SIM-partial-cancel")


def _fulfillment(ctx: Context) -> None:
    lines = [
        LineSpec(PRODUCTS[2], supply_mode="Fulfillment"),
        LineSpec(PRODUCTS[8], supply_mode="Fulfillment"),
    ]
    ctx.add("Delivered", 6.0, lines, reference="SIM-fulfillment")


def _belgium(ctx: Context) -> None:
    billing = address(
        "Sophie", "Peeters", "Rue Neuve 45", "1000", "Bruxelles", "BE",
        civility="Mme", email="sophie.peeters@example.be",
    )  # fmt: skip
    ctx.add("Shipped", 2.4, [LineSpec(PRODUCTS[5], 2)], billing=billing, reference="SIM-ship-be")


def _germany(ctx: Context) -> None:
    billing = address(
        "Jonas", "Müller", "Friedrichstraße 12", "10117", "Berlin", "DE", email="jonas.mueller@example.de"
    )
    ctx.add("Delivered", 4.5, [LineSpec(PRODUCTS[0])], billing=billing, reference="SIM-ship-de")


def _gesture(ctx: Context) -> None:
    order = ctx.add("Delivered", 5.0, [LineSpec(PRODUCTS[4])], reference="SIM-gesture")
    ctx.add_gesture(order, Decimal("15.00"), timedelta(hours=12), "Carton abîmé à la livraison")


def _cancel_after_shipping(ctx: Context) -> None:
    order = ctx.add("Shipped", 3.5, [LineSpec(PRODUCTS[1]), LineSpec(PRODUCTS[6])], reference="SIM-cancel-after-ship")
    ctx.add_cancellation(order, ["2"], timedelta(hours=20), "ClientRetraction")


def _vat_rates(ctx: Context) -> None:
    lines = [LineSpec(ctx.product(prefix)) for prefix in ("STD-", "BOOK-", "FOOD-", "PRESS-")]
    ctx.add("Shipped", 2.0, lines, reference="SIM-vat-rates")


def _non_ascii(ctx: Context) -> None:
    billing = address(
        "Łukasz", "Wiśniewski", "8 rue de l'Égalité", "42000", "Saint-Étienne",
        addressLine2="Bât. B, 3ᵉ étage", email="lukasz.wisniewski@example.pl",
    )  # fmt: skip
    shipping = {**billing, "firstName": "Zoë", "lastName": "Wiśniewska", "civility": "Mme", "email": None}
    ctx.add("Shipped", 1.5, [LineSpec(PRODUCTS[4])], billing=billing, shipping=shipping, reference="SIM-non-ascii")


def _old(ctx: Context) -> None:
    ctx.add("Delivered", BACKFILL_WINDOW_DAYS + 5.0, [LineSpec(PRODUCTS[5])], reference="SIM-old")


def _accepted(ctx: Context) -> None:
    ctx.add("Accepted", 0.05, [LineSpec(PRODUCTS[1])], reference="SIM-accepted")


def _in_preparation(ctx: Context) -> None:
    ctx.add("InPreparation", 0.4, [LineSpec(PRODUCTS[2])], reference="SIM-in-preparation")


def _cancelled(ctx: Context) -> None:
    ctx.add("Cancelled", 1.0, [LineSpec(PRODUCTS[0])], reference="SIM-cancelled")


def _no_email(ctx: Context) -> None:
    billing = random_french_address(ctx.rng, with_email=False)
    ctx.add("Shipped", 2.2, [LineSpec(PRODUCTS[7], 2)], billing=billing, reference="SIM-no-email")


SCENARIOS: tuple[tuple[str, Callable[[Context], None]], ...] = (
    ("b2c", _b2c),
    ("business", _business),
    ("relay", _relay),
    ("partial-cancel", _partial_cancel),
    ("fulfillment", _fulfillment),
    ("ship-be", _belgium),
    ("ship-de", _germany),
    ("gesture", _gesture),
    ("cancel-after-ship", _cancel_after_shipping),
    ("vat-rates", _vat_rates),
    ("non-ascii", _non_ascii),
    ("old", _old),
    ("accepted", _accepted),
    ("in-preparation", _in_preparation),
    ("cancelled", _cancelled),
    ("no-email", _no_email),
)
# (status, weight, min days ago, max days ago)
RANDOM_STATUSES = (
    ("Shipped", 40, 1.2, 9.0),
    ("Delivered", 35, 3.3, 40.0),
    ("InPreparation", 8, 0.1, 1.0),
    ("Accepted", 5, 0.01, 0.08),
    ("Cancelled", 7, 0.1, 20.0),
    ("Processing", 5, 0.0, 0.008),
)


def generate(seed: int | str, seller_id: str, count: int, now: datetime) -> Dataset:
    ctx = Context(rng=random.Random(f"{seed}:{seller_id}"), now=now, seller_id=seller_id)
    for _name, scenario in SCENARIOS[:count]:
        scenario(ctx)
    for _ in range(count - len(SCENARIOS)):
        _random_order(ctx)
    return ctx.data


def _random_order(ctx: Context) -> None:
    rng = ctx.rng
    status, _weight, min_days, max_days = rng.choices(RANDOM_STATUSES, weights=[s[1] for s in RANDOM_STATUSES])[0]
    days_ago = max(rng.uniform(min_days, max_days), STATUS_OFFSETS.get(status, timedelta(0)).total_seconds() / 86400)
    supply_mode = "Fulfillment" if rng.random() < 0.15 else "Seller"
    line_count = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
    lines = [
        LineSpec(rng.choice(PRODUCTS), rng.choice((1, 1, 1, 2, 3)), supply_mode=supply_mode) for _ in range(line_count)
    ]
    billing = random_french_address(rng, with_email=rng.random() < 0.95)
    order = ctx.add(status, days_ago, lines, billing=billing)
    if status == "Delivered" and rng.random() < 0.05:
        ctx.add_gesture(
            order, Decimal(rng.choice(("2.00", "5.00", "10.00"))), timedelta(hours=6), "Retard de livraison"
        )


def french_vat_number(siren: str) -> str:
    """FR + 2-digit key + SIREN; key = (12 + 3 * (SIREN mod 97)) mod 97."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
