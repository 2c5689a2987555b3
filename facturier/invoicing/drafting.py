"""From a marketplace order and the seller's set-up to the content of an invoice (no database writes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from facturier.accounts.models import Seller
from facturier.core import vat_categories
from facturier.core.clock import paris_date
from facturier.core.errors import FacturierError
from facturier.invoicing.frozen import FrozenParty
from facturier.invoicing.models import InvoiceLine
from facturier.marketplace.dto import Address, MarketOrder, OrderLine
from facturier.tax.allocation import Allocation, GrossLine, NetLine, allocate, split_shipping
from facturier.tax.eu import FRENCH_RATES, format_rate_fr
from facturier.tax.identifiers import siren_of_french_vat
from facturier.tax.legal_references import MANDATE_MENTION
from facturier.tax.products import product_category
from facturier.tax.reduced_rates import rates_of
from facturier.tax.regimes import RegimeError, SaleContext, VatProfile, VatRegime, choose_line_rate, decide_regime

SIREN_ADDRESS_SCHEME = "0225"  # BR-FR-21: a French party's electronic address (BT-34/BT-49) is its SIREN


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
    rate_source: str = ""  # goods lines: regimes.SOURCE_* (where the VAT rate came from)


@dataclass(frozen=True)
class InvoiceDraft:
    regime: VatRegime
    lines: tuple[DraftLine, ...]
    allocation: Allocation
    buyer: FrozenParty
    delivery: FrozenParty | None
    delivery_date: date | None
    payment_date: date | None
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
    ships_from_france_stock = any(line.fulfilled_by_marketplace for line in lines)
    shipping = order.delivery_address or order.billing_address
    buyer = order.billing_address
    return SaleContext(
        ship_from_country="FR" if ships_from_france_stock else seller.country,
        ship_to_country=shipping.country_code or "FR",
        buyer_is_business=bool(order.business_order and buyer.company_vat_number),
        buyer_vat_number=buyer.company_vat_number if order.business_order else "",
    )


def usual_rates(seller: Seller) -> tuple[Decimal, ...]:
    """The rates a per-SKU rate of this seller may take: its home state's when it charges its home VAT on a
    consumer sale shipped from home (case A), the French rates otherwise."""
    home_sale = SaleContext(ship_from_country=seller.country, ship_to_country="FR")
    try:
        regime = decide_regime(vat_profile(seller), home_sale, home_vat_number=seller.vat_number)
    except RegimeError:
        return FRENCH_RATES
    return rates_of(regime.rate_country) if regime.case == "A_HOME_STATE" else FRENCH_RATES


def decide(seller: Seller, order: MarketOrder) -> VatRegime:
    try:
        return decide_regime(vat_profile(seller), sale_context(seller, order), home_vat_number=seller.vat_number)
    except RegimeError as exc:
        raise NotInvoiceable(str(exc)) from exc


def gross_lines(order: MarketOrder, regime: VatRegime, rates: dict[str, Decimal], default: Decimal):
    """[(order line, gross line, rate source)] for the goods, and the shipping lines. A line's rate is the
    seller's rate for its SKU/EAN, else the one its EAN implies (ISBN -> book...), else the default."""
    goods: list[tuple[OrderLine, GrossLine, str]] = []
    for line in order.active_lines:
        sku_rate = rates.get(line.sku) or rates.get(line.ean)
        chosen = choose_line_rate(
            regime, sku_rate=sku_rate, default_rate=default, category=product_category(line.ean)
        )
        gross = line.goods_gross
        gross_line = GrossLine(key=line.line_id, quantity=Decimal(line.quantity), gross_amount=gross, rate=chosen.rate)
        goods.append((line, gross_line, chosen.source))
    shipping_gross = sum((line.shipping_gross for line in order.active_lines), Decimal("0"))
    shipping = split_shipping(shipping_gross, [g for _, g, _ in goods]) if shipping_gross > 0 else []
    return goods, shipping


def build_draft(
    seller: Seller, order: MarketOrder, rates: dict[str, Decimal], *, supplied_at: datetime | None = None
) -> InvoiceDraft:
    """`supplied_at`: the date of supply as sales knows it (sales.eligibility.date_of_supply)."""
    if not order.active_lines:
        raise NotInvoiceable("Aucune ligne expédiée sur cette commande.")
    regime = decide(seller, order)
    goods, shipping = gross_lines(order, regime, rates, seller.default_vat_rate)
    allocation = allocate([g for _, g, _ in goods] + list(shipping))
    by_key = {net.key: net for net in allocation.lines}
    lines = [_goods_line(line, by_key[gross.key], source) for line, gross, source in goods]
    lines += [_shipping_line(by_key[gross.key], len(shipping) > 1) for gross in shipping]
    return InvoiceDraft(
        regime=regime,
        lines=tuple(lines),
        allocation=allocation,
        buyer=buyer_party(order),
        # EN 16931 BR-IC-11/12: an intra-community supply always states where the goods were delivered.
        delivery=delivery_party(order, always=regime.category == vat_categories.INTRA_COMMUNITY),
        delivery_date=paris_date(supplied_at) if supplied_at else None,
        payment_date=_payment_date(order),
        notes=invoice_notes(seller, regime),
        seller_vat_number=regime.seller_vat_number_to_print,
    )


def _payment_date(order: MarketOrder) -> date | None:
    """The marketplace collects the payment when the order is placed."""
    moment = order.placed_at
    return paris_date(moment) if moment else None


def _goods_line(line: OrderLine, net: NetLine, rate_source: str) -> DraftLine:
    return DraftLine(
        key=line.line_id,
        kind=InvoiceLine.KIND_GOODS,
        description=line.title or line.sku or "Article",
        sku=line.sku,
        ean=line.ean,
        quantity=net.quantity,
        net=net,
        rate_source=rate_source,
    )


def _shipping_line(net: NetLine, several_rates: bool) -> DraftLine:
    label = "Frais de port"
    if several_rates:
        label += f" (TVA {format_rate_fr(net.rate)} %)"
    return DraftLine(
        key=net.key, kind=InvoiceLine.KIND_SHIPPING, description=label, sku="", ean="", quantity=net.quantity, net=net
    )


def invoice_notes(seller: Seller, regime: VatRegime) -> tuple[str, ...]:
    notes = [text for text in (regime.exemption_text, *regime.mentions) if text]
    notes.append(MANDATE_MENTION.format(seller=seller.legal_name))
    return tuple(dict.fromkeys(notes))


def _address_lines(address: Address) -> tuple[str, ...]:
    return tuple(text for text in (address.line1, address.line2, address.line3) if text)


def buyer_party(order: MarketOrder) -> FrozenParty:
    """The buyer as printed; `is_business` (a company name or a VAT number on a business order) makes the
    invoice a B2B one, with the L441-9 payment mentions."""
    billing = order.billing_address
    is_company = bool(order.business_order and billing.company_name)
    vat_number = billing.company_vat_number if order.business_order else ""
    siren = siren_of_french_vat(vat_number)  # decree 2022-1299: the French business buyer's SIREN
    return FrozenParty(
        name=billing.company_name if is_company else billing.full_name or "Client",
        contact_name=billing.full_name if is_company else "",
        address_lines=_address_lines(billing),
        postal_code=billing.postal_code,
        city=billing.city,
        country_code=billing.country_code or "FR",
        vat_number=vat_number,
        siren=siren,
        electronic_address=siren,
        electronic_address_scheme=SIREN_ADDRESS_SCHEME if siren else "",
        email=order.buyer_email,
        is_business=bool(is_company or vat_number),
    )


def delivery_party(order: MarketOrder, *, always: bool = False) -> FrozenParty | None:
    billing = order.billing_address
    shipping = order.delivery_address or (billing if always else None)
    if shipping is None or (_same_place(shipping, billing) and not always):
        return None
    name = shipping.pickup_name or shipping.company_name or shipping.full_name
    if shipping.pickup_id:
        name = f"{name} (point relais {shipping.pickup_id})"
    lines = _address_lines(shipping)
    if shipping.pickup_name and shipping.full_name:
        lines = (f"À l'attention de {shipping.full_name}", *lines)
    return FrozenParty(
        name=name or "Adresse de livraison",
        address_lines=lines[:3],
        postal_code=shipping.postal_code,
        city=shipping.city,
        country_code=shipping.country_code or "FR",
    )


def _same_place(a: Address, b: Address) -> bool:
    key = lambda x: (x.line1.strip().lower(), x.postal_code.strip(), x.city.strip().lower(), x.pickup_id)  # noqa: E731
    return key(a) == key(b)
