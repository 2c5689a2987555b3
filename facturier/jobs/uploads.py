"""Upload each rendered invoice to its marketplace order, then follow the asynchronous import to its end."""

from __future__ import annotations

import logging

from facturier.accounts.models import MarketplaceConnection
from facturier.core.clock import now
from facturier.invoicing.models import Invoice
from facturier.marketplace.errors import MarketplaceError
from facturier.sales.connector import client_for

logger = logging.getLogger(__name__)
FINAL_FAILURE = {"Failure", "PartialSuccess"}


def _update(invoice: Invoice, **fields) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(upload_at=now(), **fields)


def upload_one(invoice: Invoice, client) -> None:
    try:
        with invoice.pdf.open("rb") as handle:
            import_id = client.upload_invoice(invoice.order_reference, f"{invoice.order_reference}.pdf", handle.read())
    except MarketplaceError as exc:
        _update(invoice, upload_status=Invoice.UPLOAD_FAILURE, upload_message=exc.message)
        return
    _update(invoice, upload_status=Invoice.UPLOAD_RUNNING, upload_import_id=import_id, upload_message="")


def follow_one(invoice: Invoice, client) -> None:
    try:
        result = client.get_invoice_import(invoice.upload_import_id)
    except MarketplaceError as exc:
        logger.warning("upload status unavailable", extra={"invoice": invoice.number, "error": exc.message})
        return
    if result.status == "Success":
        _update(invoice, upload_status=Invoice.UPLOAD_SUCCESS, upload_message="")
    elif result.status in FINAL_FAILURE:
        _update(invoice, upload_status=Invoice.UPLOAD_FAILURE, upload_message="; ".join(result.errors))


def follow_uploads(*, seller=None, limit: int = 500) -> int:
    """Upload pending invoices (credit notes stay with the seller: the API's handling of them is undocumented)."""
    invoices = (
        Invoice.objects.filter(
            kind=Invoice.KIND_INVOICE,
            upload_status__in=[Invoice.UPLOAD_PENDING, Invoice.UPLOAD_RUNNING],
            seller__connection__status=MarketplaceConnection.STATUS_OK,
        )
        .exclude(pdf="")
        .select_related("seller__connection")
    )
    if seller is not None:
        invoices = invoices.filter(seller=seller)
    handled = 0
    clients: dict[int, object] = {}
    for invoice in invoices.order_by("id")[:limit]:
        client = clients.setdefault(invoice.seller_id, client_for(invoice.seller.connection))
        (upload_one if invoice.upload_status == Invoice.UPLOAD_PENDING else follow_one)(invoice, client)
        handled += 1
    return handled
