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


def issue_pending_invoices(seller: Seller) -> tuple[int, list[str]]:
    """Issue every missing invoice; a failure on one order is recorded and never stops the others."""
    issued, errors = 0, []
    for order in orders_to_invoice(seller).select_related("seller"):
        try:
            if issue_invoice(order) is not None:
                issued += 1
        except Exception as exc:
            logger.exception("invoice could not be issued", extra={"order_id": order.order_id})
            errors.append(f"{order.order_id} : {exc}")
    return issued, errors


def issue_pending_credit_notes(seller: Seller) -> tuple[int, list[str]]:
    issued, errors = 0, []
    pending = RefundRecord.objects.filter(seller=seller, state=RefundRecord.PENDING).select_related("seller", "order")
    for refund in pending.order_by("refunded_at", "id"):
        try:
            if issue_credit_note(refund) is not None:
                issued += 1
        except Exception as exc:
            logger.exception("credit note could not be issued", extra={"refund_id": refund.refund_id})
            errors.append(f"{refund.refund_id} : {exc}")
    return issued, errors
