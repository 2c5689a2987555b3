"""From a marketplace order and the seller's set-up to the content of an invoice (no database writes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from facturier.accounts.models import Seller
from facturier.core.clock import paris_date
from facturier.core.errors import FacturierError
from facturier.marketplace.dto import Address, MarketOrder, OrderLine
from facturier.tax.allocation import Allocation, GrossLine, NetLine, allocate, split_shipping
from facturier.tax.eu import format_rate_fr
from facturier.tax.regimes import RegimeError, SaleContext, VatProfile, VatRegime, decide_regime, line_rate

SHIPPING_KEY_PREFIX = "shipping"
FULFILMENT_MODES = {"Fulfillment", "Xdock"}
MANDATE_MENTION = (
    "Facture émise par Facturier au nom et pour le compte de {seller} en vertu d'un mandat de facturation "
    "(CGI art. 289 I-2)."
)


class NotInvoiceable(FacturierError):
    """The order cannot be invoiced as it stands; the message says why, for the seller."""


@dataclass(frozen=True)
class DraftLine:
    key: str
    kind: str
    description: str
    sku: str
    ean: str
    quantity: Decimal
    net: NetLine


@dataclass(frozen=True)
class InvoiceDraft:
    regime: VatRegime
    lines: tuple[DraftLine, ...]
    allocation: Allocation
    buyer: dict
    delivery: dict | None
    delivery_date: date | None
    notes: tuple[str, ...]
    seller_vat_number: str


def vat_profile(seller: Seller) -> VatProfile:
    return VatProfile(
        establishment_country=seller.country,
        oss_registered=seller.oss_registered,
        fr_vat_number=seller.fr_vat_number,
        above_distance_threshold=seller.above_distance_threshold,
        franchise_en_base=seller.franchise_en_base,
    )


def sale_context(seller: Seller, order: MarketOrder) -> SaleContext:
    lines = order.active_lines
    ships_from_france_stock = any(line.supply_mode in FULFILMENT_MODES for line in lines)
    shipping = order.shipping_address or order.billing_address
    buyer = order.billing_address
    return SaleContext(
        ship_from_country="FR" if ships_from_france_stock else seller.country,
        ship_to_country=shipping.country_code or "FR",
        buyer_is_business=bool(order.business_order and buyer.company_vat_number),
        buyer_vat_number=buyer.company_vat_number if order.business_order else "",
    )


def decide(seller: Seller, order: MarketOrder) -> VatRegime:
    try:
        return decide_regime(vat_profile(seller), sale_context(seller, order), home_vat_number=seller.vat_number)
    except RegimeError as exc:
        raise NotInvoiceable(str(exc)) from exc


def gross_lines(order: MarketOrder, regime: VatRegime, rates: dict[str, Decimal], default: Decimal):
    goods: list[tuple[OrderLine, GrossLine]] = []
    for line in order.active_lines:
        sku_rate = rates.get(line.sku) or rates.get(line.ean)
        rate = line_rate(regime, sku_rate=sku_rate, default_rate=default)
        gross = line.unit_price_gross * line.quantity
        goods.append(
            (line, GrossLine(key=line.line_id, quantity=Decimal(line.quantity), gross_amount=gross, rate=rate))
        )
    shipping_gross = sum((line.shipping_gross for line in order.active_lines), Decimal("0"))
    shipping = split_shipping(shipping_gross, [g for _, g in goods]) if shipping_gross > 0 else []
    return goods, shipping


def build_draft(
    seller: Seller, order: MarketOrder, rates: dict[str, Decimal], *, supplied_at: datetime | None = None
) -> InvoiceDraft:
    """`supplied_at`: the date of supply as sales knows it (sales.eligibility.date_of_supply)."""
    if not order.active_lines:
        raise NotInvoiceable("Aucune ligne expédiée sur cette commande.")
    regime = decide(seller, order)
    goods, shipping = gross_lines(order, regime, rates, seller.default_vat_rate)
    allocation = allocate([g for _, g in goods] + list(shipping))
    by_key = {net.key: net for net in allocation.lines}
    lines = [_goods_line(line, by_key[gross.key]) for line, gross in goods]
    lines += [_shipping_line(by_key[gross.key], len(shipping) > 1) for gross in shipping]
    return InvoiceDraft(
        regime=regime,
        lines=tuple(lines),
        allocation=allocation,
        buyer=buyer_party(order),
        # EN 16931 BR-IC-11/12: an intra-community supply always states where the goods were delivered.
        delivery=delivery_party(order, always=regime.category == "K"),
        delivery_date=paris_date(supplied_at) if supplied_at else None,
        notes=invoice_notes(seller, regime),
        seller_vat_number=regime.seller_vat_number_to_print,
    )


def _goods_line(line: OrderLine, net: NetLine) -> DraftLine:
    return DraftLine(
        key=line.line_id,
        kind="goods",
        description=line.title or line.sku or "Article",
        sku=line.sku,
        ean=line.ean,
        quantity=net.quantity,
        net=net,
    )


def _shipping_line(net: NetLine, several_rates: bool) -> DraftLine:
    label = "Frais de port"
    if several_rates:
        label += f" (TVA {format_rate_fr(net.rate)} %)"
    return DraftLine(key=net.key, kind="shipping", description=label, sku="", ean="", quantity=net.quantity, net=net)


def invoice_notes(seller: Seller, regime: VatRegime) -> tuple[str, ...]:
    notes = [text for text in (regime.exemption_text, *regime.mentions) if text]
    notes.append(MANDATE_MENTION.format(seller=seller.legal_name))
    return tuple(dict.fromkeys(notes))


def _address_lines(address: Address) -> list[str]:
    return [text for text in (address.line1, address.line2, address.line3) if text]


def buyer_party(order: MarketOrder) -> dict:
    billing = order.billing_address
    is_company = bool(order.business_order and billing.company_name)
    return {
        "name": billing.company_name if is_company else billing.full_name or "Client",
        "contact_name": billing.full_name if is_company else "",
        "address_lines": _address_lines(billing),
        "postal_code": billing.postal_code,
        "city": billing.city,
        "country_code": billing.country_code or "FR",
        "vat_number": billing.company_vat_number if order.business_order else "",
        "email": billing.email,
    }


def delivery_party(order: MarketOrder, *, always: bool = False) -> dict | None:
    billing = order.billing_address
    shipping = order.shipping_address or (billing if always else None)
    if shipping is None or (_same_place(shipping, billing) and not always):
        return None
    name = shipping.pickup_name or shipping.company_name or shipping.full_name
    if shipping.pickup_id:
        name = f"{name} (point relais {shipping.pickup_id})"
    lines = _address_lines(shipping)
    if shipping.pickup_name and shipping.full_name:
        lines = [f"À l'attention de {shipping.full_name}", *lines]
    return {
        "name": name or "Adresse de livraison",
        "address_lines": lines[:3],
        "postal_code": shipping.postal_code,
        "city": shipping.city,
        "country_code": shipping.country_code or "FR",
    }


def _same_place(a: Address, b: Address) -> bool:
    key = lambda x: (x.line1.strip().lower(), x.postal_code.strip(), x.city.strip().lower(), x.pickup_id)  # noqa: E731
    return key(a) == key(b)
