"""Frozen, model-free snapshot of an issued invoice or credit note.

Everything the documents layer prints or encodes comes from here, so a document can be rendered again
years later from the stored snapshot alone. Money fields are Decimal; amounts carry 2 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

INVOICE = "380"
CREDIT_NOTE = "381"
GOODS, SERVICES, MIXED = "goods", "services", "mixed"
# BT-23 "cadre de facturation" (BR-FR-08): B goods, S services, M both; 1 to pay, 2 already paid.
_CATEGORY_LETTERS = {GOODS: "B", SERVICES: "S", MIXED: "M"}


@dataclass(frozen=True)
class Party:
    name: str
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country_code: str
    vat_number: str = ""
    siren: str = ""
    siret: str = ""
    legal_form: str = ""
    share_capital: str = ""
    rcs_city: str = ""
    trade_register: str = ""
    email: str = ""
    contact_name: str = ""
    electronic_address: str = ""
    electronic_address_scheme: str = ""

    @property
    def legal_information(self) -> str:
        """BT-33 / R123-237: '<legal form> au capital de <capital> - RCS <city> <SIREN>' or the register."""
        parts: list[str] = []
        if self.legal_form and self.share_capital:
            parts.append(f"{self.legal_form} au capital de {self.share_capital}")
        elif self.legal_form:
            parts.append(self.legal_form)
        if self.rcs_city and self.siren:
            parts.append(f"RCS {self.rcs_city} {self.siren}")
        if self.trade_register:
            parts.append(self.trade_register)
        return " - ".join(parts)


@dataclass(frozen=True)
class DocumentLine:
    position: int
    description: str
    quantity: Decimal
    unit_net_price: Decimal
    net_amount: Decimal
    vat_category: str
    vat_rate: Decimal
    sku: str = ""
    ean: str = ""


@dataclass(frozen=True)
class VatBreakdown:
    category: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str = ""
    exemption_reason_code: str = ""


@dataclass(frozen=True)
class CtcFr:
    """What the French CTC rules (BR-FR, Flux 2) need on a French issuer's invoice to a French business.

    BT-23 comes from the snapshot's operation category (DocumentSnapshot.business_process).
    transaction_scope: the BAR note value (B2B, B2BINT...); B2B requires the buyer SIREN (BR-FR-11).
    The three payment notes are the L441-9 mentions carried as notes PMD, PMT and AAB (BR-FR-05); their
    wording comes from tax.legal_references, passed in by whoever builds the snapshot.
    """

    late_penalty_note: str
    recovery_indemnity_note: str
    discount_note: str
    transaction_scope: str = "B2B"


@dataclass(frozen=True)
class DocumentSnapshot:
    type_code: str
    number: str
    issue_date: date
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    amount_paid: Decimal
    currency: str = "EUR"
    delivery_address: Party | None = None
    delivery_date: date | None = None
    order_reference: str = ""
    notes: tuple[str, ...] = ()
    preceding_invoice_number: str = ""
    preceding_invoice_date: date | None = None
    due_date: date | None = None
    payment_terms: str = ""
    billing_period: tuple[date, date] | None = None
    languages: tuple[str, ...] = ("fr",)
    logo: bytes | None = None
    title: str = ""
    ctc_fr: CtcFr | None = None
    payment_date: date | None = None  # when amount_paid > 0: printed "Payée le ..."
    # Decree 2022-1299 mentions: goods / services / mixed (printed and BT-23), and the débits option (BT-8).
    operation_category: str = ""
    vat_on_debits: bool = False
    vat_on_debits_mention: str = ""  # printed when vat_on_debits; wording from tax.legal_references

    @property
    def supply_date(self) -> date:
        """BT-72, printed as the date of supply: never empty. The issue date only when nothing else is known."""
        if self.delivery_date is not None:
            return self.delivery_date
        if self.billing_period is not None:
            return self.billing_period[1]
        return self.issue_date

    @property
    def business_process(self) -> str:
        """BT-23 (B1/S1/M1 to pay, B2/S2/M2 already paid); '' when no category is stated."""
        letter = _CATEGORY_LETTERS.get(self.operation_category, "")
        return f"{letter}{2 if self.is_paid else 1}" if letter else ""

    @property
    def amount_due(self) -> Decimal:
        return self.total_gross - self.amount_paid

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def is_paid(self) -> bool:
        return self.amount_paid > 0 and self.amount_due == 0

    @property
    def exemption_texts(self) -> tuple[str, ...]:
        """The exemption / reverse-charge wordings the PDF must print, once each, in breakdown order."""
        seen: list[str] = []
        for vat in self.vat_breakdown:
            if vat.exemption_reason and vat.exemption_reason not in seen:
                seen.append(vat.exemption_reason)
        return tuple(seen)
