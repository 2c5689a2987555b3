"""Odd but real-looking orders for tests of the sync: a scenario order changed in one way, in the wire format.

Tests outside the marketplace code never spell Octopia's field names; they ask for a variant here instead
(`variant(sim, "NOCURRENCY", currency=None)`) and read wire values with the accessors below.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from decimal import Decimal

from .generator import iso, parse_iso
from .state import DEFAULT_SELLER_ID, with_email_on_lines_only

KEEP = object()  # a keyword left at KEEP leaves that part of the order as the scenario has it


def variant(
    sim,
    order_id: str,
    *,
    scenario: str = "b2c",
    updated_at: datetime | str | None = None,
    placed_at: object = KEEP,
    currency: object = KEEP,
    ship_by: datetime | None = None,
    shipping_events: bool = True,
    first_line_only: bool = False,
    twin_lines: bool = False,
    quantity: object = KEEP,
    unit_price: object = KEEP,
    billing_last_name: str | None = None,
    sales_channel: tuple[str, str] | None = None,
    email_on_lines_only: bool = False,
) -> dict:
    """The scenario's order (a shipped French B2C order by default) under another id, updated now (or at
    `updated_at`), with the changes asked for. `currency=None` / `unit_price=None` leave the field out; `quantity`
    and `unit_price` change the first line (and keep only it)."""
    order = copy.deepcopy(sim.scenario_order(scenario))
    order.update({"orderId": order_id, "reference": None, "updatedAt": _when(updated_at or sim.state.clock())})
    _change_dates_and_currency(order, placed_at, currency, ship_by)
    only_first = first_line_only or quantity is not KEEP or unit_price is not KEEP
    _change_lines(order, shipping_events=shipping_events, first_line_only=only_first, twin_lines=twin_lines)
    _change_first_line(order, quantity, unit_price)
    if billing_last_name is not None:
        order["billingAddress"] = {**order["billingAddress"], "lastName": billing_last_name}
    if sales_channel is not None:
        order["salesChannel"] = {"id": sales_channel[0], "name": sales_channel[1]}
    if email_on_lines_only:
        order = with_email_on_lines_only(order)
    return order


def _change_dates_and_currency(order: dict, placed_at: object, currency: object, ship_by: datetime | None) -> None:
    if placed_at is not KEEP:
        order["purchasedAt"] = placed_at
    if currency is None:
        del order["currencyCode"]
    elif currency is not KEEP:
        order["currencyCode"] = currency
    if ship_by is not None:
        order["shippedAtMax"] = iso(ship_by)


def _change_lines(order: dict, *, shipping_events: bool, first_line_only: bool, twin_lines: bool) -> None:
    if not shipping_events:
        order["statusEvents"] = []
        for line in order["lines"]:
            line.update(statusEvents=[], parcels=[])
    if first_line_only:
        order["lines"] = [order["lines"][0]]
    if twin_lines:  # two lines under one line id: the order reads fine, but its invoice cannot be worked out
        order["lines"] = [copy.deepcopy(order["lines"][0]), copy.deepcopy(order["lines"][0])]


def _change_first_line(order: dict, quantity: object, unit_price: object) -> None:
    line = order["lines"][0]
    if quantity is not KEEP:
        line["quantity"] = quantity
    if unit_price is None:
        del line["sellingPrice"]["unitSalesPrice"]
    elif unit_price is not KEEP:
        line["sellingPrice"]["unitSalesPrice"] = unit_price


def _when(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else iso(moment)


def set_first_line_quantity(sim, order_id: str, quantity: int, seller_id: str = DEFAULT_SELLER_ID) -> None:
    """Change a stored order's first line without touching its update date (as a marketplace fix may)."""
    with sim.state.lock:
        store = sim.state.sellers[seller_id]
        store.orders[order_id]["lines"][0]["quantity"] = quantity
        store.selections.clear()


def order_id_of(order: dict) -> str:
    return order["orderId"]


def updated_at_of(order: dict) -> datetime:
    return parse_iso(order["updatedAt"])


def total_paid_of(order: dict) -> Decimal:
    return Decimal(str(order["totalPrice"]["sellingPrice"]))


def first_title_of(order: dict) -> str:
    return order["lines"][0]["offer"]["productTitle"]


def buyer_email_of(order: dict) -> str | None:
    return order["billingAddress"].get("email")


def awaiting_shipment(sim, order_id: str, seller_id: str = DEFAULT_SELLER_ID) -> str:
    """A copy of the b2c scenario order under `order_id`, bought yesterday and still in preparation (no shipping
    event, no parcel), added to the simulator; `ship` ships it later."""
    order = copy.deepcopy(sim.scenario_order("b2c", seller_id))
    now = sim.state.clock().replace(microsecond=0)
    order.update(
        orderId=order_id, reference=None, status="InPreparation", purchasedAt=iso(now - timedelta(days=1)),
        createdAt=iso(now - timedelta(days=1)), updatedAt=iso(now - timedelta(minutes=5)),
    )  # fmt: skip
    order["statusEvents"] = [event for event in order.get("statusEvents", []) if event.get("status") != "Shipped"]
    for line in order["lines"]:
        line.update(status="InPreparation", parcels=[])
        line["statusEvents"] = [e for e in line.get("statusEvents", []) if e.get("status") != "Shipped"]
    sim.add_order(order, seller_id)
    return order_id


def ship(sim, order_id: str, seller_id: str = DEFAULT_SELLER_ID) -> None:
    sim.set_order_status(order_id, "Shipped", seller_id)


def first_line_id_of(order: dict) -> str:
    return order["lines"][0]["orderLineId"]
