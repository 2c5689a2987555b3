"""Entry points of the invoice engine used by the pipeline, the portal and the API."""

from __future__ import annotations

import logging

from facturier.accounts.models import Seller
from facturier.invoicing.credit_notes import issue_credit_note
from facturier.invoicing.issuing import issue_invoice
from facturier.invoicing.models import Invoice
from facturier.sales.models import RefundRecord, SalesOrder

logger = logging.getLogger(__name__)


def orders_to_invoice(seller: Seller):
    return (
        SalesOrder.objects.filter(seller=seller, eligibility=SalesOrder.ELIGIBLE)
        .exclude(invoices__kind=Invoice.KIND_INVOICE)
        .order_by("placed_at", "id")
    )


def _issue_each(items, issue, describe) -> tuple[int, list[str]]:
    """Issue a document for each item; a failure on one is recorded and never stops the others."""
    issued, errors = 0, []
    for item in items:
        try:
            if issue(item) is not None:
                issued += 1
        except Exception as exc:
            logger.exception("document could not be issued", extra={"item": describe(item)})
            errors.append(f"{describe(item)} : {exc}")
    return issued, errors


def issue_pending_invoices(seller: Seller) -> tuple[int, list[str]]:
    orders = orders_to_invoice(seller).select_related("seller")
    return _issue_each(orders, issue_invoice, lambda order: order.order_id)


def refunds_to_credit(seller: Seller):
    return RefundRecord.objects.filter(seller=seller, state=RefundRecord.PENDING).order_by("refunded_at", "id")


def issue_pending_credit_notes(seller: Seller) -> tuple[int, list[str]]:
    pending = refunds_to_credit(seller).select_related("seller", "order")
    return _issue_each(pending, issue_credit_note, lambda refund: refund.refund_id)
