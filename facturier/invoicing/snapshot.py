"""The frozen invoice row as the documents layer's snapshot (documents never sees a model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from facturier.core.clock import paris_date
from facturier.documents.labels import document_languages
from facturier.documents.snapshot import (
    GOODS,
    CtcFr,
    DocumentLine,
    DocumentSnapshot,
)
from facturier.invoicing.frozen import FrozenDocument
from facturier.invoicing.models import Invoice
from facturier.tax.legal_references import (
    LATE_PENALTY_TEXT,
    NO_DISCOUNT_TEXT,
    PAYMENT_NOTES,
    RECOVERY_INDEMNITY_TEXT,
    VAT_ON_DEBITS_MENTION,
)
from facturier.tax.regimes import FRENCH_ISSUER_CASES, FRENCH_RULES_CASES

TYPE_CODES = {Invoice.KIND_INVOICE: "380", Invoice.KIND_CREDIT_NOTE: "381"}


def document_lines(invoice: Invoice) -> tuple[DocumentLine, ...]:
    return tuple(
        DocumentLine(
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit_net_price=line.unit_net_price,
            net_amount=line.net_amount,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            sku=line.sku,
            ean=line.ean,
        )
        for line in invoice.lines.all()
    )


@dataclass(frozen=True)
class LegalMentions:
    """What the law adds to a document beyond its amounts, decided from the frozen row alone."""

    operation_category: str = ""
    vat_on_debits: bool = False
    due_date: date | None = None
    payment_terms: str = ""
    payment_notes: tuple[str, ...] = ()
    ctc_fr: CtcFr | None = None


def french_ctc() -> CtcFr:
    """The French CTC (BR-FR) data of a B2B document, its payment notes worded by tax.legal_references."""
    return CtcFr(
        late_penalty_note=LATE_PENALTY_TEXT,
        recovery_indemnity_note=RECOVERY_INDEMNITY_TEXT,
        discount_note=NO_DISCOUNT_TEXT,
        transaction_scope="B2B",
    )


def is_b2b(frozen: FrozenDocument) -> bool:
    return frozen.buyer.is_business or bool(frozen.buyer.vat_number)


def is_french_b2b(invoice: Invoice, frozen: FrozenDocument) -> bool:
    """A French issuer invoicing a French business: the French CTC rules (BR-FR) apply."""
    seller, buyer = frozen.seller, frozen.buyer
    return (
        invoice.vat_case in FRENCH_ISSUER_CASES
        and is_b2b(frozen)
        and seller.country_code.upper() == "FR"
        and bool(seller.siren)
        and buyer.country_code.upper() == "FR"
        and bool(buyer.siren)
    )


def legal_mentions(invoice: Invoice, frozen: FrozenDocument) -> LegalMentions:
    seller = frozen.seller
    french_b2b = is_french_b2b(invoice, frozen)
    # Decree 2022-1299 mentions, under French rules, from the seller's reform date (frozen at issue).
    reform = invoice.vat_case in FRENCH_RULES_CASES and seller.reform_mentions
    mentions = LegalMentions(
        operation_category=GOODS if reform or french_b2b else "",
        vat_on_debits=reform and seller.vat_on_debits,
    )
    if not is_b2b(frozen):
        return mentions
    # L441-9: due date (the marketplace collected the payment), penalties, 40 € indemnity, no discount.
    paid_on = payment_date(invoice)
    return LegalMentions(
        operation_category=mentions.operation_category,
        vat_on_debits=mentions.vat_on_debits,
        due_date=paid_on,
        payment_terms=_paid_terms(invoice, paid_on),
        payment_notes=() if french_b2b else PAYMENT_NOTES,
        ctc_fr=french_ctc() if french_b2b else None,
    )


def _paid_terms(invoice: Invoice, paid_on: date | None) -> str:
    verb = "Remboursé" if invoice.is_credit_note else "Payée"
    when = f" le {paid_on:%d/%m/%Y}" if paid_on else ""
    return f"{verb} sur {invoice.marketplace_name}{when} : paiement encaissé par la place de marché."


def payment_date(invoice: Invoice) -> date | None:
    """When the buyer paid (an invoice) or was refunded (a credit note), as the marketplace reported it."""
    if invoice.is_credit_note:
        return paris_date(invoice.refund.refunded_at) if invoice.refund_id else None
    return invoice.payment_date


def _supply_date(invoice: Invoice) -> date | None:
    credited = invoice.credited_invoice
    return invoice.delivery_date or (credited.delivery_date if credited else None)


def to_snapshot(invoice: Invoice, *, logo: bytes | None = None) -> DocumentSnapshot:
    credited = invoice.credited_invoice
    frozen = FrozenDocument.of(invoice)
    mentions = legal_mentions(invoice, frozen)
    notes = [*invoice.notes, *(text for text in mentions.payment_notes if text not in invoice.notes)]
    return DocumentSnapshot(
        type_code=TYPE_CODES[invoice.kind],
        number=invoice.number,
        issue_date=invoice.issue_date,
        seller=frozen.seller.printed,
        buyer=frozen.buyer.printed,
        lines=document_lines(invoice),
        vat_breakdown=frozen.vat_breakdown,
        total_net=invoice.total_net,
        total_vat=invoice.total_vat,
        total_gross=invoice.total_gross,
        amount_paid=invoice.amount_paid,
        currency=invoice.currency,
        delivery_address=frozen.delivery.printed if frozen.delivery else None,
        delivery_date=_supply_date(invoice),
        order_reference=invoice.order_reference,
        notes=tuple(notes),
        preceding_invoice_number=credited.number if credited else "",
        preceding_invoice_date=credited.issue_date if credited else None,
        due_date=mentions.due_date,
        payment_terms=mentions.payment_terms,
        languages=document_languages(invoice.language),
        logo=logo,
        ctc_fr=mentions.ctc_fr,
        payment_date=payment_date(invoice),
        operation_category=mentions.operation_category,
        vat_on_debits=mentions.vat_on_debits,
        vat_on_debits_mention=VAT_ON_DEBITS_MENTION,
    )
