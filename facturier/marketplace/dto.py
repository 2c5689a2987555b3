"""Marketplace data as the rest of Facturier sees it: frozen, typed, Decimal money, aware datetimes.

These classes are the contract between the marketplace connector and the domain (sales, invoicing).
Every field of the Octopia API is optional, so absent text becomes "" and absent dates become None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

# Line states that never reach an invoice: the goods were not (or will not be) delivered.
INACTIVE_LINE_STATUSES = frozenset({"Cancelled", "Refused", "Rejected", "CancelRequest"})


@dataclass(frozen=True)
class Address:
    civility: str = ""
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    company_vat_number: str = ""
    line1: str = ""
    line2: str = ""
    line3: str = ""
    postal_code: str = ""
    city: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""
    pickup_id: str = ""
    pickup_name: str = ""

    @property
    def full_name(self) -> str:
        """'Mme Zoë Martin' without the civility; the company name when there is no person."""
        person = " ".join(part for part in (self.first_name, self.last_name) if part)
        return person or self.company_name

    @property
    def is_relay_point(self) -> bool:
        return bool(self.pickup_id)


@dataclass(frozen=True)
class TextDamage:
    """A text of the order that arrived damaged and was repaired so that it can be stored."""

    NUL = "nul"  # a NUL character, which no database text column accepts
    NOT_UTF8 = "not_utf8"  # bytes that are not valid UTF-8

    path: str  # where, e.g. "lines[0].offer.productTitle"
    kind: str


@dataclass(frozen=True)
class OrderLine:
    line_id: str
    status: str
    quantity: int
    title: str
    sku: str
    ean: str
    product_id: str
    supply_mode: str  # Seller / Fulfillment / Xdock
    unit_price_gross: Decimal  # sellingPrice.unitSalesPrice, VAT included
    shipping_gross: Decimal  # sellingPrice.shippingCost for the whole line, VAT included
    shipping_address: Address | None

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_LINE_STATUSES


@dataclass(frozen=True)
class MarketOrder:
    order_id: str
    status: str
    business_order: bool
    purchased_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    # Octopia has no "shippedAt" field; see parse.derive_shipped_at for the rule.
    shipped_at: datetime | None
    currency: str
    billing_address: Address
    lines: tuple[OrderLine, ...]
    total_paid: Decimal | None  # totalPrice.sellingPrice when present
    raw: Mapping = field(repr=False)  # the JSON as received (damaged texts repaired, see damaged_text)
    shipped_at_max: datetime | None = None  # the ship-by deadline, not when the goods left
    damaged_text: tuple[TextDamage, ...] = ()

    @property
    def shipping_address(self) -> Address | None:
        """The first line's shipping address (Cdiscount ships a whole order to one address)."""
        for line in self.lines:
            if line.shipping_address is not None:
                return line.shipping_address
        return None

    @property
    def active_lines(self) -> tuple[OrderLine, ...]:
        return tuple(line for line in self.lines if line.is_active)


@dataclass(frozen=True)
class RefundEvent:
    """Money given back after shipment; each one becomes a credit note."""

    refund_id: str  # stable and unique per seller: "gesture:<id>", "cancellation:<id>"
    order_id: str
    kind: str  # "commercial_gesture" | "cancellation" | "return"
    amount_gross: Decimal  # VAT included, > 0
    line_ids: tuple[str, ...]  # lines concerned; empty = the whole order, pro rata
    created_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class MalformedOrder:
    order_id: str
    reason: str
    raw: Mapping = field(repr=False)
    damaged_text: tuple[TextDamage, ...] = ()


@dataclass(frozen=True)
class InvoiceImport:
    import_id: str
    status: str  # Running / Success / PartialSuccess / Failure
    errors: tuple[str, ...] = ()

    @property
    def is_finished(self) -> bool:
        return self.status != "Running"


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
