"""Octopia order JSON -> MarketOrder, or MalformedOrder with a reason a human can act on.

Every field is optional in the API. What an invoice cannot do without (orderId, a line's quantity and
unit price) is required; anything present but unreadable (a price that is not a number, a date that is
not ISO-8601) makes the whole order malformed rather than silently wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

from facturier.core.money import to_decimal
from facturier.core.stored_text import Message, message

from .dto import MAIN_CHANNEL, Address, MalformedOrder, MarketOrder, OrderLine, OrderState, TextDamage

MARKETPLACE = "octopia"
SHIPPED_STATUSES = frozenset({"Shipped", "Delivered"})
# Octopia's order statuses (reference §3.3, with the legacy SOAP names) as neutral states; any other is OTHER.
ORDER_STATES = {
    "Processing": OrderState.AWAITING_SHIPMENT,
    "WaitingAcceptance": OrderState.AWAITING_SHIPMENT,
    "Accepted": OrderState.AWAITING_SHIPMENT,
    "InPreparation": OrderState.AWAITING_SHIPMENT,
    "WaitingForSellerAcceptation": OrderState.AWAITING_SHIPMENT,
    "AcceptedBySeller": OrderState.AWAITING_SHIPMENT,
    "PaymentInProgress": OrderState.AWAITING_SHIPMENT,
    "WaitingForShipmentAcceptation": OrderState.AWAITING_SHIPMENT,
    "Shipped": OrderState.SHIPPED,
    "Delivered": OrderState.DELIVERED,
    "Cancelled": OrderState.CANCELLED,
    "Refused": OrderState.CANCELLED,
    "Rejected": OrderState.CANCELLED,
}
# Line states that never reach an invoice: the goods were not (or will not be) delivered.
INACTIVE_LINE_STATUSES = frozenset({"Cancelled", "Refused", "Rejected", "CancelRequest"})
# Supply modes in which the marketplace's (or a partner's) warehouse ships, not the seller.
MARKETPLACE_SUPPLY_MODES = frozenset({"Fulfillment", "Xdock"})
# Octopia's id of the Cdiscount sales channel.
CDISCOUNT_CHANNEL_ID = "CDISFR"
# Bytes that were not valid UTF-8 reach us as lone surrogates (octopia decodes with surrogateescape).
ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
REPLACEMENT = "\ufffd"
SHOWN_VALUE_LENGTH = 60  # a value quoted in a reason is cut to this many characters


class OrderFieldError(ValueError):
    """A field an invoice needs is missing or unreadable; `reason` names it, with the marketplace's field name in
    parentheses, as data. It is a message (core.stored_text) shown in the language of the page; str() gives it in
    the active language."""

    def __init__(self, reason: Message | str):
        super().__init__(reason)
        self.reason = reason


def missing(field: Message | str) -> OrderFieldError:
    return OrderFieldError(message(gettext_noop("%(field)s : valeur absente."), field=field))


def unreadable(field: Message | str, value: object, expected: Message | str) -> OrderFieldError:
    """`expected` says what the value should have been, e.g. "n'est pas un nombre"."""
    return OrderFieldError(
        message(gettext_noop("%(field)s : « %(value)s » %(expected)s."), field=field, value=shown(value),
                expected=expected)
    )  # fmt: skip


def shown(value: object) -> str:
    """The value as received, for a reason: a text as it is, anything else as JSON, cut when long."""
    written = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return written if len(written) <= SHOWN_VALUE_LENGTH else f"{written[:SHOWN_VALUE_LENGTH]}…"


def line_field(index: int, field: Message | str) -> Message:
    return message(gettext_noop("Ligne %(line)s, %(field)s"), line=index, field=field)


def label(msgid: str) -> Message:
    """A field's name for a reason (its msgid marked with gettext_noop where it is written)."""
    return message(msgid)


def parse_order(data: object) -> MarketOrder | MalformedOrder:
    return read_order(
        data, "orderId", gettext_noop("Identifiant de commande (orderId)"), MARKETPLACE, _parse_valid_order
    )


def read_order(
    data: object,
    id_key: str,
    id_label: str,
    marketplace: str,
    parse_valid: Callable[[str, Mapping], MarketOrder],
) -> MarketOrder | MalformedOrder:
    """What every marketplace's reading of one order shares around its own fields: text repaired (and the damage
    kept), a value that is not an order or has no id refused, and whatever `parse_valid` refuses kept as a
    malformed order with its reason. `id_label`: the id field's name, marked with gettext_noop by the caller."""
    damage: list[TextDamage] = []
    data = repaired(data, "", damage)
    damaged_text = tuple(damage)
    if not isinstance(data, Mapping):
        reason = label(gettext_noop("La commande reçue n'est pas un objet JSON."))
        return MalformedOrder("", reason, {"value": data}, damaged_text, marketplace)
    order_id = text(data.get(id_key))
    if not order_id:
        return MalformedOrder("", missing(label(id_label)).reason, data, damaged_text, marketplace)
    try:
        return replace(parse_valid(order_id, data), damaged_text=damaged_text)
    except OrderFieldError as error:
        return MalformedOrder(order_id, error.reason, data, damaged_text, marketplace)


def repaired(value: object, path: str, damage: list[TextDamage]) -> object:
    """The JSON value with every text storable: NUL characters and bytes that were not UTF-8 become U+FFFD,
    and each repair is listed in `damage` (so the order is shown as damaged, never dropped)."""
    if isinstance(value, str):
        return _repaired_text(value, path, damage)
    if isinstance(value, Mapping):
        return dict(_repaired_member(str(key), item, path, damage) for key, item in value.items())
    if isinstance(value, list):
        return [repaired(item, f"{path}[{index}]", damage) for index, item in enumerate(value)]
    return value


def _repaired_member(key: str, value: object, parent: str, damage: list[TextDamage]) -> tuple[str, object]:
    path = f"{parent}.{key}" if parent else key
    return _repaired_text(key, path, damage), repaired(value, path, damage)


def _repaired_text(value: str, path: str, damage: list[TextDamage]) -> str:
    if "\x00" in value:
        damage.append(TextDamage(path, TextDamage.NUL))
        value = value.replace("\x00", REPLACEMENT)
    if ESCAPED_BYTES.search(value):
        damage.append(TextDamage(path, TextDamage.NOT_UTF8))
        value = ESCAPED_BYTES.sub(lambda bad: REPLACEMENT * len(bad.group()), value)
    return value


def _parse_valid_order(order_id: str, data: Mapping) -> MarketOrder:
    lines_data = _list(data, "lines")
    lines = tuple(_parse_line(index, line) for index, line in enumerate(lines_data, start=1))
    total_price = data.get("totalPrice")
    total_paid = None
    if isinstance(total_price, Mapping) and total_price.get("sellingPrice") is not None:
        total_label = label(gettext_noop("Total payé (totalPrice.sellingPrice)"))
        total_paid = parse_amount(total_price["sellingPrice"], total_label)
    purchased_at = parse_datetime(data.get("purchasedAt"), label(gettext_noop("Date de commande (purchasedAt)")))
    created_at = parse_datetime(data.get("createdAt"), label(gettext_noop("Date de création (createdAt)")))
    billing = parse_address(data.get("billingAddress")) or Address()
    deliveries = [parse_address(line.get("shippingAddress")) for line in lines_data]
    delivery = next((address for address in deliveries if address is not None), None)
    status = text(data.get("status"))
    channel, channel_name = sales_channel(data.get("salesChannel"))
    return MarketOrder(
        marketplace=MARKETPLACE,
        order_id=order_id,
        seller_reference=text(data.get("reference")),
        state=ORDER_STATES.get(status, OrderState.OTHER),
        status=status,
        sales_channel=channel,
        sales_channel_name=channel_name,
        business_order=data.get("businessOrder") is True,
        placed_at=purchased_at or created_at,
        updated_at=parse_datetime(data.get("updatedAt"), label(gettext_noop("Date de mise à jour (updatedAt)"))),
        shipped_at=derive_shipped_at(data),
        ship_by=parse_datetime(
            data.get("shippedAtMax"), label(gettext_noop("Date limite d'expédition (shippedAtMax)"))
        ),
        delivered_at=_earliest_event(data, "Delivered"),
        currency=text(data.get("currencyCode")).upper(),  # never assumed: "" when the order does not say
        billing_address=billing,
        # Cdiscount ships a whole order to one address: the first line's that has one.
        delivery_address=delivery,
        buyer_emails=buyer_emails(billing, deliveries),
        lines=lines,
        total_paid=total_paid,
        raw=data,
    )


def sales_channel(data: object) -> tuple[str, str]:
    """(channel, its name): Cdiscount's own site becomes the neutral MAIN_CHANNEL; an order that names no channel
    was sold on Cdiscount (Octopia's sellers sold there before other channels existed)."""
    channel = _mapping(data)
    channel_id, name = text(channel.get("id")), text(channel.get("name"))
    if not channel_id or channel_id.upper() == CDISCOUNT_CHANNEL_ID:
        return MAIN_CHANNEL, name or "Cdiscount"
    return channel_id, name


def buyer_emails(billing: Address, deliveries: Iterable[Address | None]) -> tuple[str, ...]:
    """Every e-mail the order gives, billing first, then each line's shipping address (some integrations only
    fill the latter); each once."""
    found = [billing.email, *(address.email for address in deliveries if address is not None)]
    return tuple(dict.fromkeys(email for email in found if email))


def _parse_line(index: int, line: object) -> OrderLine:
    if not isinstance(line, Mapping):
        raise OrderFieldError(message(gettext_noop("Ligne %(line)s : ce n'est pas un objet JSON."), line=index))
    offer = _mapping(line.get("offer"))
    selling = _mapping(line.get("sellingPrice"))
    unit_price = line_field(index, label(gettext_noop("prix unitaire (sellingPrice.unitSalesPrice)")))
    if selling.get("unitSalesPrice") is None:
        raise missing(unit_price)
    shipping = selling.get("shippingCost")
    status = text(line.get("status"))
    tax_rate, tax_amount = line_taxes(selling.get("taxes"))
    return OrderLine(
        line_id=text(line.get("orderLineId")),
        status=status,
        active=status not in INACTIVE_LINE_STATUSES,
        quantity=parse_quantity(line.get("quantity"), line_field(index, label(gettext_noop("quantité (quantity)")))),
        title=text(offer.get("productTitle")),
        sku=text(offer.get("sellerProductId")),
        ean=text(offer.get("productGtin")),
        fulfilled_by_marketplace=text(offer.get("supplyMode")) in MARKETPLACE_SUPPLY_MODES,
        unit_price_gross=parse_amount(selling["unitSalesPrice"], unit_price),
        shipping_gross=Decimal(0)
        if shipping is None
        else parse_amount(
            shipping, line_field(index, label(gettext_noop("frais de port (sellingPrice.shippingCost)")))
        ),
        tax_rate=tax_rate,
        tax_amount=tax_amount,
        category=text(offer.get("categoryCode") or offer.get("category")),
    )


def line_taxes(data: object) -> tuple[Decimal | None, Decimal | None]:
    """(rate, amount) of a line's VAT as Octopia states it ({code, target, amount, rate} items, often empty):
    the first readable rate and the sum of the readable amounts; None when not given. The shape is undocumented,
    so what cannot be read is left out rather than fatal."""
    items = [item for item in _list_or_empty(data) if isinstance(item, Mapping)]
    rates = [rate for item in items if (rate := _optional_amount(item.get("rate"))) is not None]
    amounts = [amount for item in items if (amount := _optional_amount(item.get("amount"))) is not None]
    return (rates[0] if rates else None), (sum(amounts, Decimal(0)) if amounts else None)


def _optional_amount(value: object) -> Decimal | None:
    try:
        return None if value is None else parse_amount(value, "")
    except OrderFieldError:
        return None


def parse_address(data: object) -> Address | None:
    if not isinstance(data, Mapping):
        return None
    return Address(
        civility=text(data.get("civility")),
        first_name=text(data.get("firstName")),
        last_name=text(data.get("lastName")),
        company_name=text(data.get("companyName")),
        company_vat_number=text(data.get("companyVatNumber")).replace(" ", "").upper(),
        line1=text(data.get("addressLine1")),
        line2=text(data.get("addressLine2")),
        line3=text(data.get("addressLine3")),
        postal_code=text(data.get("postalCode")),
        city=text(data.get("city")),
        country_code=text(data.get("countryCode")).upper(),
        phone=text(data.get("phone")),
        email=text(data.get("email")),
        pickup_id=text(data.get("pickupId")),
        pickup_name=text(data.get("pickupName")),
    )


def derive_shipped_at(data: Mapping) -> datetime | None:
    """When the goods left: Octopia has no shippedAt field (shippedAtMax is a deadline).

    Rule: the earliest "Shipped" entry of the order's or the lines' statusEvents
    ({status|type, date|occurredAt|createdAt}), else the earliest dated parcel
    (shippedAt|createdAt). Otherwise None: callers fall back to the time they first saw the
    order shipped. Both shapes are undocumented, so unreadable entries are skipped, not fatal.
    """
    lines = [line for line in _list_or_empty(data.get("lines")) if isinstance(line, Mapping)]
    events = [*_list_or_empty(data.get("statusEvents"))]
    for line in lines:
        events.extend(_list_or_empty(line.get("statusEvents")))
    shipped = [
        _event_time(event, ("date", "occurredAt", "createdAt"))
        for event in events
        if isinstance(event, Mapping) and (event.get("status") or event.get("type")) == "Shipped"
    ]
    found = [moment for moment in shipped if moment is not None]
    if not found:
        parcels = [parcel for line in lines for parcel in _list_or_empty(line.get("parcels"))]
        found = [
            moment
            for parcel in parcels
            if isinstance(parcel, Mapping) and (moment := _event_time(parcel, ("shippedAt", "createdAt"))) is not None
        ]
    return min(found) if found else None


def _earliest_event(data: Mapping, status: str) -> datetime | None:
    """The earliest entry with this status in the order's statusEvents; unreadable entries are skipped."""
    found = [
        moment
        for event in _list_or_empty(data.get("statusEvents"))
        if isinstance(event, Mapping)
        and (event.get("status") or event.get("type")) == status
        and (moment := _event_time(event, ("date", "occurredAt", "createdAt"))) is not None
    ]
    return min(found) if found else None


def _event_time(event: Mapping, keys: Iterable[str]) -> datetime | None:
    for key in keys:
        try:
            moment = parse_datetime(event.get(key), key)
        except OrderFieldError:
            continue
        if moment is not None:
            return moment
    return None


def parse_datetime(value: object, name: Message | str) -> datetime | None:
    """ISO-8601 as sent by Octopia ("2026-09-02T09:15:00Z"); a time without offset is UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise unreadable(name, value, label(gettext_noop("n'est pas une date ISO-8601")))
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise unreadable(name, value, label(gettext_noop("n'est pas une date ISO-8601"))) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_amount(value: object, name: Message | str) -> Decimal:
    """`name`: the field as the reason shows it."""
    not_a_number = unreadable(name, value, label(gettext_noop("n'est pas un nombre")))
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise not_a_number
    try:
        amount = to_decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise not_a_number from None
    if not amount.is_finite():
        raise not_a_number
    if amount < 0:
        raise unreadable(name, value, label(gettext_noop("est négatif")))
    return amount


def parse_quantity(value: object, name: Message | str) -> int:
    if value is None:
        raise missing(name)
    not_whole = unreadable(name, value, label(gettext_noop("n'est pas un nombre entier positif ou nul")))
    if isinstance(value, bool):
        raise not_whole
    try:
        amount = to_decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError):
        raise not_whole from None
    if not amount.is_finite() or amount != amount.to_integral_value() or amount < 0:
        raise not_whole
    return int(amount)


def text(value: object) -> str:
    if value is None or isinstance(value, (Mapping, list)):
        return ""
    return str(value).strip()


def _mapping(value: object) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _list(data: Mapping, key: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise OrderFieldError(
            message(gettext_noop("Lignes de la commande (%(field)s) : ce n'est pas une liste."), field=key)
        )
    return value


def _list_or_empty(value: object) -> list:
    return value if isinstance(value, list) else []
