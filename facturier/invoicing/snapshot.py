"""The frozen invoice row as the documents layer's snapshot (documents never sees a model)."""

from __future__ import annotations

from decimal import Decimal

from facturier.documents.snapshot import DocumentLine, DocumentSnapshot, Party, VatBreakdown
from facturier.invoicing.models import Invoice

TYPE_CODES = {Invoice.KIND_INVOICE: "380", Invoice.KIND_CREDIT_NOTE: "381"}


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


def to_snapshot(invoice: Invoice, *, logo: bytes | None = None) -> DocumentSnapshot:
    credited = invoice.credited_invoice
    return DocumentSnapshot(
        type_code=TYPE_CODES[invoice.kind],
        number=invoice.number,
        issue_date=invoice.issue_date,
        seller=party(invoice.seller_snapshot),
        buyer=party(invoice.buyer_snapshot),
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
    )
