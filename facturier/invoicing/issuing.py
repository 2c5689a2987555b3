"""Issuing: one invoice per eligible order, numbered, frozen and queued for email in one transaction."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction

from facturier.accounts.models import Seller
from facturier.core.clock import now, paris_date
from facturier.invoicing import emails
from facturier.invoicing.drafting import InvoiceDraft, NotInvoiceable, build_draft
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.invoicing.numbering import allocate_sequence, format_number, series_key
from facturier.marketplace.dto import MalformedOrder
from facturier.marketplace.parse import parse_order
from facturier.sales.models import SalesOrder

logger = logging.getLogger(__name__)


def seller_party(seller: Seller, vat_number: str) -> dict:
    return {
        "name": seller.legal_name,
        "address_lines": [line for line in (seller.address_line1, seller.address_line2) if line],
        "postal_code": seller.postal_code,
        "city": seller.city,
        "country_code": seller.country,
        "vat_number": vat_number,
        "siren": seller.siren,
        "siret": seller.siret,
        "legal_form": seller.legal_form,
        "share_capital": seller.share_capital,
        "rcs_city": seller.rcs_city,
        "trade_register": seller.trade_register,
        "email": seller.support_email,
    }


def breakdown_rows(draft: InvoiceDraft) -> list[dict]:
    regime = draft.regime
    return [
        {
            "category": regime.category,
            "rate": str(total.rate),
            "taxable_amount": str(total.taxable_amount),
            "tax_amount": str(total.tax_amount),
            "exemption_reason": regime.exemption_text if regime.category != "S" else "",
            "exemption_reason_code": regime.exemption_code if regime.category != "S" else "",
        }
        for total in draft.allocation.totals
    ]


def sku_rates(seller: Seller) -> dict[str, Decimal]:
    return dict(seller.sku_rates.values_list("key", "rate"))


def issue_invoice(order: SalesOrder) -> Invoice | None:
    """The invoice of this order, issued now unless it already exists. None when the order is not invoiceable."""
    existing = Invoice.objects.filter(order=order, kind=Invoice.KIND_INVOICE).first()
    if existing:
        return existing
    market_order = parse_order(order.raw)
    if isinstance(market_order, MalformedOrder):
        _mark_not_invoiceable(order, SalesOrder.INVALID, market_order.reason)
        return None
    try:
        draft = build_draft(order.seller, market_order, sku_rates(order.seller))
    except NotInvoiceable as exc:
        _mark_not_invoiceable(order, SalesOrder.NOT_INVOICEABLE, exc.message)
        return None
    try:
        return _store(order, draft)
    except IntegrityError:
        # Another worker issued this order's invoice first; the database refused the duplicate.
        return Invoice.objects.get(order=order, kind=Invoice.KIND_INVOICE)


def _mark_not_invoiceable(order: SalesOrder, eligibility: str, reason: str) -> None:
    SalesOrder.objects.filter(pk=order.pk).update(eligibility=eligibility, reason=reason)
    logger.info("order not invoiceable", extra={"order_id": order.order_id, "reason": reason})


def _store(order: SalesOrder, draft: InvoiceDraft) -> Invoice:
    seller = order.seller
    moment = now()
    allocation = draft.allocation
    fields = {
        "order": order,
        "delivery_date": draft.delivery_date,
        "language": "fr+en" if seller.english_translation else "fr",
        "vat_case": draft.regime.case,
        "seller_snapshot": seller_party(seller, draft.seller_vat_number),
        "buyer_snapshot": draft.buyer,
        "delivery_snapshot": draft.delivery,
        "vat_breakdown": breakdown_rows(draft),
        "notes": list(draft.notes),
        "total_net": allocation.total_net,
        "total_vat": allocation.total_vat,
        "total_gross": allocation.total_gross,
        "amount_paid": allocation.total_gross,
    }
    lines = [_line_fields(line, draft.regime.category) for line in draft.lines]
    duplicate = Invoice.objects.filter(order=order, kind=Invoice.KIND_INVOICE)
    return persist_document(seller, Invoice.KIND_INVOICE, fields, lines, duplicate=duplicate, moment=moment)


def persist_document(seller: Seller, kind: str, fields: dict, lines: list[dict], *, duplicate, moment) -> Invoice:
    """Number, store and queue one document atomically; `duplicate` finds the one that may exist already."""
    prefix = seller.invoice_prefix if kind == Invoice.KIND_INVOICE else seller.credit_note_prefix
    with transaction.atomic():
        key = series_key(seller.pk, kind)
        sequence = allocate_sequence(key, seller_id=seller.pk)
        # Re-checked under the series lock: a concurrent issuer that committed first is seen here.
        existing = duplicate.first()
        if existing:
            transaction.set_rollback(True)
            return existing
        invoice = Invoice.objects.create(
            seller=seller,
            kind=kind,
            number=format_number(prefix, sequence),
            sequence=sequence,
            series_key=key,
            issued_at=moment,
            issue_date=paris_date(moment),
            order_reference=fields["order"].order_id,
            buyer_name=fields["buyer_snapshot"]["name"][:200],
            buyer_email=fields["buyer_snapshot"].get("email", "")[:254],
            upload_status=(
                Invoice.UPLOAD_PENDING
                if seller.upload_to_marketplace and kind == Invoice.KIND_INVOICE
                else Invoice.UPLOAD_DISABLED
            ),
            **fields,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=invoice, position=position, **line) for position, line in enumerate(lines, start=1)
        )
        emails.queue_document_email(invoice)
        transaction.on_commit(lambda: _after_issue(invoice.pk))
    return invoice


def _line_fields(line, category: str) -> dict:
    return {
        "kind": line.kind,
        "description": line.description[:500],
        "sku": line.sku[:100],
        "ean": line.ean[:20],
        "marketplace_line_id": line.key if line.kind == "goods" else "",
        "quantity": line.quantity,
        "unit_net_price": line.net.unit_net_price,
        "net_amount": line.net.net_amount,
        "gross_amount": line.net.gross_amount,
        "vat_category": category,
        "vat_rate": line.net.rate,
    }


def _after_issue(invoice_id: int) -> None:
    from facturier.invoicing.tasks import render_invoice_task

    render_invoice_task.delay(invoice_id)
