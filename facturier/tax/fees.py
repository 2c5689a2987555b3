"""The VAT of Facturier's own monthly fee to a seller (invoicing-rules §7): a B2B supply of services by a French
company, decided from the seller's establishment and VAT number alone.

  (a) seller established in France                       -> DOMESTIC: French VAT 20 % (category S), even under
                                                            the franchise en base (the seller cannot recover it)
  (b) seller established in another member state, with a  -> REVERSE_CHARGE: place of supply in the seller's
      valid VAT number of that state                         state (CGI 259 1°, Directive art. 44), no French
                                                            VAT, "Autoliquidation" (category AE, VATEX-EU-AE)
  (c) anyone else (an EU seller without a valid number,   -> FR_VAT_NO_NUMBER: business status unproven, French
      or a seller outside the EU)                            VAT 20 % until a valid number is given [I]

French VAT on a service falls due on receipt of payment, unless the provider opted to pay it on debits: then
an invoice bearing French VAT says so (`vat_on_debits_applies`); under reverse charge no French VAT is due.

A valid number here means well formed with correct check digits; the VIES lookup (and keeping its proof,
Reg. 282/2011 art. 18) is not done by this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from facturier.core import vat_categories
from facturier.core.money import ZERO, quantize
from facturier.tax.eu import is_eu_member, normalize_country
from facturier.tax.identifiers import IdentifierError, validate_vat_number
from facturier.tax.legal_references import FEE_REVERSE_CHARGE_TEXT

DOMESTIC = "domestic"
REVERSE_CHARGE = "reverse_charge"
FR_VAT_NO_NUMBER = "fr_vat_no_number"

FRENCH_VAT_RATE = Decimal("20.00")
STANDARD_CATEGORY = vat_categories.STANDARD
REVERSE_CHARGE_CATEGORY = vat_categories.REVERSE_CHARGE
REVERSE_CHARGE_CODE = "VATEX-EU-AE"


@dataclass(frozen=True)
class FeeBuyer:
    """What the fee's VAT depends on: where the seller is established and the VAT numbers it gave."""

    country: str
    vat_number: str = ""
    fr_vat_number: str = ""


@dataclass(frozen=True)
class FeeVat:
    case: str
    rate: Decimal
    category: str  # EN 16931 VAT category (BT-151)
    buyer_vat_number: str  # the number printed as the buyer's (BT-48); '' when none may be printed
    exemption_reason: str = ""  # BT-120, printed on the invoice
    exemption_code: str = ""  # BT-121

    @property
    def french_vat(self) -> bool:
        return self.case != REVERSE_CHARGE


@dataclass(frozen=True)
class FeeAmounts:
    vat_rate: Decimal
    excl_vat: Decimal
    vat: Decimal
    total: Decimal


def valid_home_vat_number(buyer: FeeBuyer) -> str:
    """The buyer's VAT number if it is a well-formed number of its own member state, else ''."""
    try:
        return validate_vat_number(buyer.vat_number, buyer.country)
    except IdentifierError:
        return ""


def fee_vat(buyer: FeeBuyer) -> FeeVat:
    country = normalize_country(buyer.country)
    if country == "FR":
        return FeeVat(DOMESTIC, FRENCH_VAT_RATE, STANDARD_CATEGORY, buyer.vat_number or buyer.fr_vat_number)
    home_number = valid_home_vat_number(buyer) if is_eu_member(country) else ""
    if home_number:
        return FeeVat(REVERSE_CHARGE, ZERO, REVERSE_CHARGE_CATEGORY, home_number, FEE_REVERSE_CHARGE_TEXT,
                      REVERSE_CHARGE_CODE)
    # Outside France an unverified number is never printed as the buyer's.
    return FeeVat(FR_VAT_NO_NUMBER, FRENCH_VAT_RATE, STANDARD_CATEGORY, "")


def vat_on_debits_applies(case: str, *, provider_opted: bool) -> bool:
    """Whether a fee invoice of this VAT case carries the débits option (printed, and BT-8 in the XML)."""
    return provider_opted and case != REVERSE_CHARGE


def fee_amounts(amount_excl_vat: Decimal, vat: FeeVat) -> FeeAmounts:
    """The fee's VAT and total from its net amount (one line, one rate: VAT rounded once, half up)."""
    tax = quantize(amount_excl_vat * vat.rate / 100)
    return FeeAmounts(vat.rate, amount_excl_vat, tax, amount_excl_vat + tax)
