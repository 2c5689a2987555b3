"""A fee invoice as a document: parties, mentions, and the snapshot to render (its VAT is decided in tax.fees).

Everything printed is derived from the FeeInvoice row alone, so the PDF can be rebuilt years later.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from facturier.accounts.models import Seller
from facturier.billing.models import FeeInvoice
from facturier.billing.usage import last_day
from facturier.core.money import ZERO
from facturier.documents.snapshot import (
    INVOICE,
    SERVICES,
    CtcFr,
    DocumentLine,
    DocumentSnapshot,
    VatBreakdown,
)
from facturier.invoicing.frozen import FrozenParty
from facturier.invoicing.snapshot import french_ctc
from facturier.tax import fees
from facturier.tax.eu import normalize_country
from facturier.tax.legal_references import FEE_REVERSE_CHARGE_TEXT, PAYMENT_NOTES, VAT_ON_DEBITS_MENTION

PAYMENT_DAYS = 30
SIREN_SCHEME = "0225"  # BR-FR-21: the electronic address of a French party is its SIREN
SERVICES_TEXT = "Prestations de services"
MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def month_name(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def fee_vat(seller: Seller) -> fees.FeeVat:
    return fees.fee_vat(fees.FeeBuyer(seller.country, seller.vat_number, seller.fr_vat_number))


def due_date_for(issue_date: date) -> date:
    return issue_date + timedelta(days=PAYMENT_DAYS)


def operator_party() -> FrozenParty:
    """Facturier as the issuer of its fee invoices (settings.FACTURIER_OPERATOR), frozen on each of them."""
    operator = settings.FACTURIER_OPERATOR
    return FrozenParty(
        name=operator["name"],
        address_lines=(operator["address_line1"],),
        postal_code=operator["postal_code"],
        city=operator["city"],
        country_code=operator["country"],
        vat_number=operator["vat_number"],
        siren=operator["siren"],
        legal_form=operator["legal_form"],
        share_capital=operator["share_capital"],
        rcs_city=operator["rcs_city"],
        email=operator["email"],
        vat_on_debits=bool(operator.get("vat_on_debits")),
        electronic_address=operator["siren"],
        electronic_address_scheme=SIREN_SCHEME,
    )


def buyer_party(seller: Seller, vat: fees.FeeVat) -> FrozenParty:
    french = vat.case == fees.DOMESTIC
    return FrozenParty(
        name=seller.legal_name,
        address_lines=tuple(line for line in (seller.address_line1, seller.address_line2) if line),
        postal_code=seller.postal_code,
        city=seller.city,
        country_code=normalize_country(seller.country),
        vat_number=vat.buyer_vat_number,
        siren=seller.siren if french else "",
        siret=seller.siret if french else "",
        legal_form=seller.legal_form,
        trade_register=seller.trade_register,
        email=seller.support_email or seller.owner.email,
        electronic_address=seller.siren if french and seller.siren else "",
        electronic_address_scheme=SIREN_SCHEME if french and seller.siren else "",
    )


def notes_for(vat_case: str) -> list[str]:
    if vat_case == FeeInvoice.VAT_DOMESTIC:
        return [SERVICES_TEXT]  # the payment mentions travel as the CTC notes PMD / PMT / AAB
    if vat_case == FeeInvoice.VAT_REVERSE_CHARGE:
        return [SERVICES_TEXT, FEE_REVERSE_CHARGE_TEXT, *PAYMENT_NOTES]
    return [SERVICES_TEXT, *PAYMENT_NOTES]


def line_description(fee: FeeInvoice) -> str:
    return (
        f"Abonnement Facturier - {month_name(fee.month)} - palier {fee.tier_label} factures "
        f"({fee.invoice_count} factures émises)"
    )


def _ctc_fr(fee: FeeInvoice, buyer: FrozenParty) -> CtcFr | None:
    """French CTC data (BR-FR) for domestic B2B fee invoices; BAR=B2B needs the buyer's SIREN (BR-FR-11)."""
    if fee.vat_case != FeeInvoice.VAT_DOMESTIC or not buyer.siren:
        return None
    return french_ctc()


def _breakdown(fee: FeeInvoice) -> VatBreakdown:
    if fee.vat_case == fees.REVERSE_CHARGE:
        return VatBreakdown(fees.REVERSE_CHARGE_CATEGORY, ZERO, fee.amount_excl_vat, ZERO, FEE_REVERSE_CHARGE_TEXT,
                            fees.REVERSE_CHARGE_CODE)
    return VatBreakdown(fees.STANDARD_CATEGORY, fee.vat_rate, fee.amount_excl_vat, fee.vat_amount)


def to_snapshot(fee: FeeInvoice, logo: bytes | None = None) -> DocumentSnapshot:
    """The fee invoice to render; `logo` is accepted for the shared rendering path, never drawn (the seller is
    the buyer here, and Facturier prints no logo)."""
    breakdown = _breakdown(fee)
    operator, buyer = FrozenParty.from_json(fee.operator_snapshot), FrozenParty.from_json(fee.buyer_snapshot)
    line = DocumentLine(
        position=1,
        description=line_description(fee),
        quantity=Decimal("1"),
        unit_net_price=fee.amount_excl_vat,
        net_amount=fee.amount_excl_vat,
        vat_category=breakdown.category,
        vat_rate=breakdown.rate,
    )
    return DocumentSnapshot(
        type_code=INVOICE,
        number=fee.number,
        issue_date=fee.issue_date,
        seller=operator.printed,
        buyer=buyer.printed,
        lines=(line,),
        vat_breakdown=(breakdown,),
        total_net=fee.amount_excl_vat,
        total_vat=fee.vat_amount,
        total_gross=fee.total_incl_vat,
        amount_paid=ZERO,
        notes=tuple(fee.notes),
        due_date=fee.due_date,
        payment_terms=f"Paiement à {PAYMENT_DAYS} jours, au plus tard le {fee.due_date:%d/%m/%Y}.",
        billing_period=(fee.month, last_day(fee.month)),
        languages=("fr",) if fee.vat_case == FeeInvoice.VAT_DOMESTIC else ("fr", "en"),
        ctc_fr=_ctc_fr(fee, buyer),
        operation_category=SERVICES,
        vat_on_debits=fees.vat_on_debits_applies(fee.vat_case, provider_opted=operator.vat_on_debits),
        vat_on_debits_mention=VAT_ON_DEBITS_MENTION,
    )
