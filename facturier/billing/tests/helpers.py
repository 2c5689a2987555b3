"""Test builders: sellers of each VAT case and cheap issued invoices (the columns issuing fills)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from facturier.accounts.models import Seller
from facturier.core.clock import PARIS, paris_date
from facturier.invoicing.models import Invoice
from facturier.sales.models import SalesOrder

REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=PARIS)
GERMAN = {
    "legal_name": "Müller Elektronik GmbH",
    "legal_form": "GmbH",
    "share_capital": "",
    "address_line1": "Hauptstraße 5",
    "postal_code": "80331",
    "city": "München",
    "country": "DE",
    "siren": "",
    "rcs_city": "",
    "trade_register": "HRB 12345 Amtsgericht München",
    "vat_number": "DE136695976",
    "fr_vat_number": "",
}


def german_seller(make_seller, **overrides) -> Seller:
    return make_seller(registered_at=REGISTERED, **{**GERMAN, **overrides})


def french_seller(make_seller, **overrides) -> Seller:
    return make_seller(registered_at=REGISTERED, **overrides)


def issue_invoices(seller: Seller, count: int, at: datetime, *, pdf_names: list[str] | None = None) -> list[Invoice]:
    """`count` invoices issued at `at` (plus one second each), each with its order; bulk-created."""
    offset = Invoice.objects.filter(seller=seller, kind=Invoice.KIND_INVOICE).count()
    orders = SalesOrder.objects.bulk_create(
        SalesOrder(seller=seller, order_id=f"ORD-{seller.pk}-{offset + n}", eligibility=SalesOrder.ELIGIBLE)
        for n in range(count)
    )
    invoices = [
        _invoice(seller, order, Invoice.KIND_INVOICE, offset + n + 1, at + timedelta(seconds=n),
                 pdf_names[n] if pdf_names else "")
        for n, order in enumerate(orders)
    ]
    return Invoice.objects.bulk_create(invoices)


def issue_credit_note(invoice: Invoice, at: datetime) -> Invoice:
    sequence = Invoice.objects.filter(seller=invoice.seller, kind=Invoice.KIND_CREDIT_NOTE).count() + 1
    credit_note = _invoice(invoice.seller, invoice.order, Invoice.KIND_CREDIT_NOTE, sequence, at, "")
    credit_note.credited_invoice = invoice
    credit_note.save()
    return credit_note


def _invoice(seller: Seller, order: SalesOrder, kind: str, sequence: int, at: datetime, pdf: str) -> Invoice:
    prefix = "FAC-" if kind == Invoice.KIND_INVOICE else "AV-"
    return Invoice(
        seller=seller,
        kind=kind,
        number=f"{prefix}{sequence:06d}",
        sequence=sequence,
        series_key=f"seller:{seller.pk}:{kind}",
        order=order,
        issued_at=at,
        issue_date=paris_date(at),
        order_reference=order.order_id,
        vat_case="fr_domestic",
        seller_snapshot={"name": seller.legal_name},
        buyer_snapshot={"name": "Client"},
        vat_breakdown=[],
        total_net=Decimal("10.00"),
        total_vat=Decimal("2.00"),
        total_gross=Decimal("12.00"),
        amount_paid=Decimal("12.00"),
        pdf=pdf,
    )
