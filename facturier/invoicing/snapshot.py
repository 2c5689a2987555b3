"""The frozen invoice row as the documents layer's snapshot (documents never sees a model)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from facturier.accounts.reform import is_b2b_e_invoice, siren_from_vat_number
from facturier.core.clock import paris_date
from facturier.documents.snapshot import CtcFr, DocumentLine, DocumentSnapshot, Party, VatBreakdown
from facturier.invoicing.models import Invoice

TYPE_CODES = {Invoice.KIND_INVOICE: "380", Invoice.KIND_CREDIT_NOTE: "381"}
SIREN_ADDRESS_SCHEME = "0225"  # BR-FR-21: a French party's electronic address is its SIREN
# BT-23 "cadre de facturation": B2 = goods already paid (the marketplace collected the payment).
GOODS_ALREADY_PAID = "B2"


def party(data: dict) -> Party:
    fields = {key: value for key, value in data.items() if key in Party.__dataclass_fields__}
    fields["address_lines"] = tuple(fields.get("address_lines", ()))
    return Party(**fields)


def breakdown(row: dict) -> VatBreakdown:
    return VatBreakdown(
        category=row["category"],
        rate=Decimal(row["rate"]),
        taxable_amount=Decimal(row["taxable_amount"]),
        tax_amount=Decimal(row["tax_amount"]),
        exemption_reason=row.get("exemption_reason", ""),
        exemption_reason_code=row.get("exemption_reason_code", ""),
    )


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


def e_invoice_parties(invoice: Invoice) -> tuple[Party, Party, CtcFr | None]:
    """Seller and buyer; for a B2B e-invoice going through a PA, with their SIRENs as electronic addresses
    and the French CTC data (BR-FR)."""
    seller, buyer = party(invoice.seller_snapshot), party(invoice.buyer_snapshot)
    if not is_b2b_e_invoice(invoice.seller_id, invoice.issue_date, invoice.vat_case, buyer.vat_number):
        return seller, buyer, None
    buyer_siren = siren_from_vat_number(buyer.vat_number)
    seller_siren = seller.siren or siren_from_vat_number(seller.vat_number)
    seller = replace(seller, siren=seller_siren, electronic_address=seller_siren,
                     electronic_address_scheme=SIREN_ADDRESS_SCHEME)
    buyer = replace(buyer, siren=buyer_siren, electronic_address=buyer_siren,
                    electronic_address_scheme=SIREN_ADDRESS_SCHEME)
    return seller, buyer, CtcFr(business_process=GOODS_ALREADY_PAID, transaction_scope="B2B")


def to_snapshot(invoice: Invoice, *, logo: bytes | None = None) -> DocumentSnapshot:
    credited = invoice.credited_invoice
    seller, buyer, ctc_fr = e_invoice_parties(invoice)
    # BR-FR-CO-09: with B2 the due date is the payment date, i.e. when the buyer paid the marketplace. [INF]
    due_date = paris_date(invoice.order.placed_at) if ctc_fr and invoice.order.placed_at else None
    return DocumentSnapshot(
        type_code=TYPE_CODES[invoice.kind],
        number=invoice.number,
        issue_date=invoice.issue_date,
        seller=seller,
        buyer=buyer,
        lines=document_lines(invoice),
        vat_breakdown=tuple(breakdown(row) for row in invoice.vat_breakdown),
        total_net=invoice.total_net,
        total_vat=invoice.total_vat,
        total_gross=invoice.total_gross,
        amount_paid=invoice.amount_paid,
        currency=invoice.currency,
        delivery_address=party(invoice.delivery_snapshot) if invoice.delivery_snapshot else None,
        delivery_date=invoice.delivery_date,
        order_reference=invoice.order_reference,
        notes=tuple(invoice.notes),
        preceding_invoice_number=credited.number if credited else "",
        preceding_invoice_date=credited.issue_date if credited else None,
        languages=("fr", "en") if invoice.language == "fr+en" else ("fr",),
        logo=logo,
        ctc_fr=ctc_fr,
        due_date=due_date,
    )
