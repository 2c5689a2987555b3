"""Which VAT applies to one marketplace order (invoicing-rules §3.2-§3.3): a pure, table-driven decision.

`decide_regime` walks the rules below in order; the first that applies wins. Legal bases are quoted in
each rule; "[I]" marks our own inference (to confirm with an accountant, as in the reference).

Order of the rules (seller established in `home`, goods leaving from `ship_from`):
  1. home = FR                                   -> FRANCHISE (E) if art. 293 B, else FR_DOMESTIC (S)
  2. ship_from = home, buyer VAT of another state -> B2B_INTRA_EU_EXEMPT (K)
  3. ship_from = home, buyer VAT of that state    -> A_HOME_STATE (taxed where transport begins)
  4. ship_from = FR, buyer with a French VAT no.  -> B2B_REVERSE_CHARGE (AE)
  5. ship_from = FR                              -> D_STOCK_IN_FRANCE (needs a French VAT number)
  6. ship_from = home, OSS                       -> B_OSS; under threshold -> A_HOME_STATE;
     over threshold with French VAT number       -> C_FR_REGISTERED; otherwise RegimeError.

Scope: goods shipped to France by a seller established in an EU member state, leaving either from that
state or from France. Anything else raises `RegimeError`, whose message says why the order cannot be
invoiced (the caller records it as not invoiceable with that reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from facturier.core import vat_categories
from facturier.tax.eu import (
    FRENCH_RATES_TEXT,
    format_rate_fr,
    is_eu_member,
    is_french_rate,
    normalize_country,
    standard_rate,
)
from facturier.tax.legal_references import (
    FRANCHISE_TEXT,
    INTRA_EU_TEXT,
    REVERSE_CHARGE_MENTION,
    REVERSE_CHARGE_TEXT,
)
from facturier.tax.reduced_rates import category_rate, rates_of

ZERO_RATE = Decimal("0")

# Cases whose invoice follows French invoicing rules (the supply is located in France and the seller is
# French or registered for French VAT). Not A (home state), B (OSS: the identification state's rules,
# directive art. 219a) nor the intra-EU supply (departure state's rules).
FRENCH_RULES_CASES = frozenset(
    {"FR_DOMESTIC", "FRANCHISE", "C_FR_REGISTERED", "D_STOCK_IN_FRANCE", "B2B_REVERSE_CHARGE"}
)
# A French issuer invoicing a French business: the French CTC rules (BR-FR) apply.
FRENCH_ISSUER_CASES = frozenset({"FR_DOMESTIC", "FRANCHISE"})
# Regimes that charge no VAT: every line is at 0 %.
UNTAXED_CATEGORIES = frozenset(
    {vat_categories.EXEMPT, vat_categories.INTRA_COMMUNITY, vat_categories.REVERSE_CHARGE}
)


class RegimeError(ValueError):
    """The order cannot be invoiced under the seller's current VAT profile; the message says why."""


@dataclass(frozen=True)
class VatProfile:
    establishment_country: str
    oss_registered: bool = False
    fr_vat_number: str = ""
    above_distance_threshold: bool = False
    franchise_en_base: bool = False


@dataclass(frozen=True)
class SaleContext:
    ship_from_country: str
    ship_to_country: str
    buyer_is_business: bool = False
    buyer_vat_number: str = ""


@dataclass(frozen=True, kw_only=True)
class VatRegime:
    """The VAT treatment of one order: `rate_country` is whose rates apply, `category` the EN 16931 VAT
    category (BT-151), `exemption_code`/`exemption_text` BT-121/BT-120, `mentions` extra notes to print,
    `seller_vat_number_to_print` BT-31, `uses_sku_rates` True when the seller's French per-SKU rates apply."""

    case: str
    rate_country: str
    category: str
    exemption_code: str = ""
    exemption_text: str = ""
    mentions: tuple[str, ...] = ()
    seller_vat_number_to_print: str
    uses_sku_rates: bool


def decide_regime(profile: VatProfile, sale: SaleContext, *, home_vat_number: str) -> VatRegime:
    home = normalize_country(profile.establishment_country)
    ship_from = normalize_country(sale.ship_from_country)
    _check_scope(profile, sale, home, ship_from)
    regime = _decide(profile, sale, home, ship_from, home_vat_number.strip())
    if not regime.seller_vat_number_to_print and regime.category != vat_categories.EXEMPT:
        # 242 nonies A 2°: the seller's VAT number for the supply is printed (BR-S-02, BR-AE-02, BR-IC-02).
        raise RegimeError("Numéro de TVA du vendeur manquant : impossible d'émettre la facture.")
    return regime


def _decide(
    profile: VatProfile, sale: SaleContext, home: str, ship_from: str, home_vat_number: str
) -> VatRegime:
    if home == "FR":
        return _french_seller(profile, home_vat_number)
    buyer_country = _buyer_vat_country(sale)
    if ship_from != "FR" and buyer_country and buyer_country != ship_from:
        return _intra_eu_supply(home_vat_number)
    if ship_from != "FR" and buyer_country == ship_from:
        # Goods leave the home state for France but the buyer is identified in that same state: the
        # art. 138 (1)(b) condition fails, the supply is taxed where transport begins (directive art. 32). [I]
        return _home_state(home, home_vat_number)
    if ship_from == "FR":
        return _goods_in_france(profile, home_vat_number, buyer_country)
    return _distance_sale(profile, home, home_vat_number)


def _check_scope(profile: VatProfile, sale: SaleContext, home: str, ship_from: str) -> None:
    if not is_eu_member(home):
        # Non-EU sellers: the marketplace is the deemed supplier (directive art. 14a), out of scope.
        raise RegimeError(f"Vendeur établi hors de l'Union européenne ({home}) : non pris en charge.")
    if normalize_country(sale.ship_to_country) != "FR":
        raise RegimeError(
            f"Livraison hors de France ({normalize_country(sale.ship_to_country)}) : non prise en charge."
        )
    if ship_from not in {home, "FR"}:
        # A stock in a third member state needs a VAT registration there that the profile does not record.
        raise RegimeError(
            f"Expédition depuis {ship_from} : seuls l'État d'établissement ({home}) et la France sont pris "
            "en charge."
        )
    if profile.franchise_en_base and home != "FR":
        raise RegimeError(
            "La franchise en base (art. 293 B du CGI) est réservée aux vendeurs établis en France."
        )


def _buyer_vat_country(sale: SaleContext) -> str:
    """Member state of the buyer's VAT number; "" for consumers and businesses without a number, which
    are invoiced as consumers (no proof of taxable status, Reg. 282/2011 art. 18). [I]"""
    if not sale.buyer_is_business or not sale.buyer_vat_number:
        return ""
    return normalize_country(sale.buyer_vat_number.strip()[:2])


def _french_seller(profile: VatProfile, home_vat_number: str) -> VatRegime:
    seller_number = profile.fr_vat_number or home_vat_number
    if profile.franchise_en_base:
        # CGI 293 B: no VAT charged, whoever the buyer is; EN 16931 category E + VATEX-FR-FRANCHISE.
        return VatRegime(
            case="FRANCHISE",
            rate_country="FR",
            category=vat_categories.EXEMPT,
            exemption_code="VATEX-FR-FRANCHISE",
            exemption_text=FRANCHISE_TEXT,
            seller_vat_number_to_print=seller_number,
            uses_sku_rates=False,
        )
    # Domestic supply in France (CGI 256 I, 258 I): French VAT at the SKU's rate, B2C and B2B alike.
    return _french_vat("FR_DOMESTIC", seller_number)


def _intra_eu_supply(home_vat_number: str) -> VatRegime:
    # Goods sent from the home state to a business identified in another member state: exempt supply in
    # the departure state (directive art. 138), the buyer self-accounts for the acquisition in France.
    return VatRegime(
        case="B2B_INTRA_EU_EXEMPT",
        rate_country="FR",
        category=vat_categories.INTRA_COMMUNITY,
        exemption_code="VATEX-EU-IC",
        exemption_text=INTRA_EU_TEXT,
        seller_vat_number_to_print=home_vat_number,
        uses_sku_rates=False,
    )


def _goods_in_france(profile: VatProfile, home_vat_number: str, buyer_country: str) -> VatRegime:
    if buyer_country == "FR":
        # CGI 283-1, 2nd para.: a supplier not established in France, the buyer holding a French VAT
        # number -> the buyer owes the VAT (applies even when the supplier is registered in France).
        return VatRegime(
            case="B2B_REVERSE_CHARGE",
            rate_country="FR",
            category=vat_categories.REVERSE_CHARGE,
            exemption_code="VATEX-EU-AE",
            exemption_text=REVERSE_CHARGE_TEXT,
            mentions=(REVERSE_CHARGE_MENTION,),
            seller_vat_number_to_print=profile.fr_vat_number or home_vat_number,
            uses_sku_rates=False,
        )
    if not profile.fr_vat_number:
        # Goods already in France (e.g. Cdiscount Fulfilment): a domestic French supply (CGI 258 I) that the
        # OSS does not cover, so French VAT registration is required (§3.3 D). [S/I]
        raise RegimeError(
            "Marchandise expédiée depuis la France (stock en France) : un numéro de TVA français est "
            "nécessaire pour facturer la TVA française. Renseignez-le dans votre profil TVA."
        )
    return _french_vat("D_STOCK_IN_FRANCE", profile.fr_vat_number)


def _distance_sale(profile: VatProfile, home: str, home_vat_number: str) -> VatRegime:
    if profile.oss_registered:
        # Using the OSS means destination VAT from the first euro for every distance sale (directive
        # art. 59c(3), 369a ff.; CGI 298 sexdecies G); the invoice shows the identification-state number.
        return _french_vat("B_OSS", home_vat_number)
    if not profile.above_distance_threshold:
        # EU-wide 10 000 € threshold not exceeded, no option (directive art. 59c; CGI 259 D): place of supply
        # stays in the home state, whose standard rate applies (home reduced rates are not modelled). [I]
        return _home_state(home, home_vat_number)
    if profile.fr_vat_number:
        # Over the threshold, French VAT declared through a French registration (CGI 258 A, 289 I-1-b).
        return _french_vat("C_FR_REGISTERED", profile.fr_vat_number)
    raise RegimeError(
        "Seuil européen de 10 000 € de ventes à distance dépassé : la TVA française est due, mais le profil "
        "n'indique ni guichet unique OSS ni numéro de TVA français."
    )


def _home_state(home: str, home_vat_number: str) -> VatRegime:
    return VatRegime(
        case="A_HOME_STATE",
        rate_country=home,
        category=vat_categories.STANDARD,
        seller_vat_number_to_print=home_vat_number,
        uses_sku_rates=False,
    )


def _french_vat(case: str, seller_number: str) -> VatRegime:
    return VatRegime(
        case=case,
        rate_country="FR",
        category=vat_categories.STANDARD,
        seller_vat_number_to_print=seller_number,
        uses_sku_rates=True,
    )


def vat_category_at(regime: VatRegime, rate: Decimal) -> str:
    """The EN 16931 VAT category of an amount at `rate` under `regime`: a 0 % rate where VAT is charged (books in
    Czechia or Ireland under home-state VAT) is a zero-rated supply, category Z (BR-S-05 forbids S at 0 %)."""
    if regime.category == vat_categories.STANDARD and rate == 0:
        return vat_categories.ZERO_RATED
    return regime.category


# Where a line's rate came from (InvoiceLine.rate_source, shown to the seller on the rates page).
SOURCE_SKU = "sku"  # the seller's rate for this SKU/EAN
SOURCE_INFERRED = "inferred"  # the product's category (e.g. an ISBN is a book) in the rate country's table
SOURCE_DEFAULT = "default"  # the seller's default rate, or the home state's standard rate
SOURCE_REGIME = "regime"  # no VAT charged under this regime (exempt, reverse charge, franchise)


@dataclass(frozen=True)
class LineRate:
    rate: Decimal
    source: str


def choose_line_rate(
    regime: VatRegime, *, sku_rate: Decimal | None, default_rate: Decimal, category: str | None = None
) -> LineRate:
    """VAT rate (percent) of one invoice line under `regime`, and where it came from: the seller's rate for
    the SKU when it is one of the rate country's rates, else the reduced rate of the product's category in
    that country (`reduced_rates`), else the seller's default (home state: its standard rate)."""
    if regime.category in UNTAXED_CATEGORIES:
        return LineRate(ZERO_RATE, SOURCE_REGIME)
    if regime.case == "A_HOME_STATE":
        return _home_state_rate(regime.rate_country, sku_rate, category)
    inferred = category_rate(regime.rate_country, category)
    if regime.uses_sku_rates and sku_rate is not None:
        choice = LineRate(sku_rate, SOURCE_SKU)
    elif inferred is not None:
        choice = LineRate(inferred, SOURCE_INFERRED)
    else:
        choice = LineRate(default_rate, SOURCE_DEFAULT)
    if regime.rate_country == "FR" and not is_french_rate(choice.rate):
        raise RegimeError(
            f"Taux de TVA {format_rate_fr(choice.rate)} non autorisé en France ({FRENCH_RATES_TEXT})."
        )
    return choice


def _home_state_rate(country: str, sku_rate: Decimal | None, category: str | None) -> LineRate:
    # Home-state VAT (case A): the seller's rate counts only if it is one of that state's rates; its
    # French per-SKU rates (5.5, 2.1...) mean nothing there. [I]
    if sku_rate is not None and sku_rate in rates_of(country):
        return LineRate(sku_rate, SOURCE_SKU)
    inferred = category_rate(country, category)
    if inferred is not None:
        return LineRate(inferred, SOURCE_INFERRED)
    return LineRate(standard_rate(country), SOURCE_DEFAULT)
