"""Entry points of the invoice engine used by the pipeline, the portal and the API."""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef

from facturier.accounts.models import Seller
from facturier.core.db import TRANSIENT_DB_ERRORS
from facturier.invoicing.issuing import IssueBatch, issue_invoices
from facturier.invoicing.models import Invoice
from facturier.sales.models import RefundRecord, SalesOrder

logger = logging.getLogger(__name__)


def orders_to_invoice(seller: Seller):
    return orders_to_invoice_of_any_seller().filter(seller=seller)


def orders_to_invoice_of_any_seller():
    return (
        SalesOrder.objects.filter(eligibility=SalesOrder.ELIGIBLE)
        # NOT EXISTS is an anti-join; Django's exclude() across the relation becomes NOT IN (subquery), which
        # PostgreSQL cannot hash (the column is nullable) and ran for 1.5 s on 10,000 orders.
        .filter(~Exists(Invoice.objects.filter(order=OuterRef("pk"), kind=Invoice.KIND_INVOICE)))
        .order_by("placed_at", "id")
    )


def issue_each(items, issue, describe) -> tuple[int, list[str]]:
    """Issue a document for each item; a failure on one is recorded and never stops the others. A lost database
    connection is not one item's failure: it is raised, for the caller (a task) to retry the rest."""
    issued, errors = 0, []
    for item in items:
        try:
            if issue(item) is not None:
                issued += 1
        except TRANSIENT_DB_ERRORS:
            raise
        except Exception as exc:
            logger.exception("document could not be issued", extra={"item": describe(item)})
            errors.append(f"{describe(item)} : {exc}")
    return issued, errors


def issue_orders(order_ids: list[int]) -> IssueBatch:
    """Issue the invoices of these orders that are still eligible, for sellers still active, in this order."""
    orders = SalesOrder.objects.select_related("seller").filter(pk__in=order_ids, eligibility=SalesOrder.ELIGIBLE)
    position = {pk: index for index, pk in enumerate(order_ids)}
    ready = sorted((order for order in orders if order.seller.is_active), key=lambda order: position[order.pk])
    return issue_invoices(ready)


def _awaiting_credit_note():
    """Refunds still awaiting their credit note, oldest first: the credit notes of one invoice follow that order."""
    return RefundRecord.objects.filter(state=RefundRecord.PENDING).order_by("refunded_at", "id")


def refunds_to_credit(seller: Seller):
    return _awaiting_credit_note().filter(seller=seller)


def pending_refunds(refund_ids: list[int]):
    """These refunds, among those still awaiting their credit note, oldest first."""
    return _awaiting_credit_note().select_related("seller", "order").filter(pk__in=refund_ids)
