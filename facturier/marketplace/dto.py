"""Marketplace data as the rest of Facturier sees it: frozen, typed, Decimal money, aware datetimes.

These classes are the contract between a marketplace connector and the domain (sales, invoicing); they speak
no marketplace's vocabulary (each connector maps its own, e.g. parse.py for Octopia). Absent text is "",
absent dates and amounts are None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from facturier.core.stored_text import Message


class OrderState:
    """Where an order is, whatever the marketplace calls it (its own word stays in MarketOrder.status)."""

    AWAITING_SHIPMENT = "awaiting_shipment"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    OTHER = "other"
    ALL = (AWAITING_SHIPMENT, SHIPPED, DELIVERED, CANCELLED, OTHER)
    GONE_OUT = frozenset({SHIPPED, DELIVERED})  # the goods left: the order is invoiced


# The marketplace's own storefront (Cdiscount's site for Octopia, the operator's sites for Mirakl): the channel an
# order was sold on when it says nothing, and the only one invoiced unless the seller opts others in (Octopia also
# sells a seller's offers on partner sites, its other sales channels).
MAIN_CHANNEL = "main"


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
    pickup_id: str = ""  # a relay (pick-up) point
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

    path: str  # where, in the marketplace's terms, e.g. "lines[0].offer.productTitle"
    kind: str


@dataclass(frozen=True, kw_only=True)
class OrderLine:
    line_id: str
    status: str = ""  # the marketplace's word for the line, shown as it is
    active: bool = True  # False: the goods were not (or will not be) delivered, the line is not invoiced
    quantity: int
    title: str = ""
    sku: str = ""
    ean: str = ""
    unit_price_gross: Decimal  # VAT included
    shipping_gross: Decimal = Decimal(0)  # for the whole line, VAT included
    fulfilled_by_marketplace: bool = False  # shipped from the marketplace's (or its partner's) warehouse
    tax_rate: Decimal | None = None  # the marketplace's VAT rate (percent) when it gives one; never trusted blindly
    tax_amount: Decimal | None = None
    category: str = ""  # the marketplace's product category, when given

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def goods_gross(self) -> Decimal:
        """The goods of the line, VAT included, shipping left out."""
        return self.unit_price_gross * self.quantity


@dataclass(frozen=True, kw_only=True)
class MarketOrder:
    marketplace: str  # which connector read it, e.g. "octopia"
    order_id: str
    seller_reference: str = ""  # the seller's own reference for the order, when the marketplace keeps one
    state: str  # OrderState
    status: str = ""  # the marketplace's word for the order, shown as it is
    sales_channel: str = MAIN_CHANNEL
    sales_channel_name: str = ""
    business_order: bool = False
    placed_at: datetime | None = None
    updated_at: datetime | None = None
    shipped_at: datetime | None = None  # when the goods left, as the marketplace's data shows it
    ship_by: datetime | None = None  # the ship-by deadline, not when the goods left
    delivered_at: datetime | None = None
    currency: str = ""  # never assumed: "" when the order does not say
    billing_address: Address = Address()
    delivery_address: Address | None = None
    buyer_emails: tuple[str, ...] = ()  # every address the marketplace gives, billing first
    lines: tuple[OrderLine, ...] = ()
    total_paid: Decimal | None = None
    # The marketplace already shows a customer invoice that Facturier did not send (one the operator issues itself,
    # or one the seller put there): a second one from us would invoice the sale twice.
    invoiced_elsewhere: bool = False
    raw: Mapping = field(default_factory=dict, repr=False, compare=False)  # as received, for audit only
    damaged_text: tuple[TextDamage, ...] = ()

    @property
    def buyer_email(self) -> str:
        """Where the invoice goes: the first address that looks like one."""
        return next((email for email in self.buyer_emails if "@" in email), "")

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
    reason: Message | str  # shown in the page's language (core.stored_text); plain text is shown as it is
    raw: Mapping = field(repr=False)
    damaged_text: tuple[TextDamage, ...] = ()
    marketplace: str = field(default="", compare=False)


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
