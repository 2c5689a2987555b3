"""Upload each rendered invoice and credit note to its marketplace order, through the connector of the connection the
order was read through, then follow the asynchronous import to its end. A credit note whose marketplace takes none
(Cdiscount) is not sent: it stays in the seller's space and reaches the buyer by email."""

from __future__ import annotations

import logging
from contextlib import ExitStack

from django.utils.translation import gettext_noop

from facturier.accounts.models import MarketplaceConnection
from facturier.core.clock import now
from facturier.core.stored_text import message
from facturier.invoicing.models import Invoice
from facturier.marketplace.connectors import Connector, UploadState
from facturier.marketplace.errors import MarketplaceError
from facturier.sales.connections import connector_for

logger = logging.getLogger(__name__)


def _update(invoice: Invoice, **fields) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(upload_at=now(), **fields)


def upload_one(invoice: Invoice, connector: Connector) -> None:
    if invoice.is_credit_note and not connector.takes_credit_notes:
        kept = message(
            gettext_noop(
                "%(marketplace)s ne prend pas les avoirs : celui-ci reste dans votre espace et part par e-mail."
            ),
            marketplace=connector.display_name,
        )
        _update(invoice, upload_status=Invoice.UPLOAD_DISABLED, upload_message=kept.stored())
        return
    try:
        with invoice.pdf.open("rb") as handle:
            content = handle.read()
        if invoice.is_credit_note:
            upload_id = connector.upload_credit_note(invoice.order_reference, credit_note_file_name(invoice), content)
        else:
            upload_id = connector.upload_invoice(invoice.order_reference, f"{invoice.order_reference}.pdf", content)
    except MarketplaceError as exc:
        failed = message(gettext_noop("Envoi refusé par la marketplace : %(detail)s"), detail=exc.message)
        _update(invoice, upload_status=Invoice.UPLOAD_FAILURE, upload_message=failed.stored())
        return
    _update(invoice, upload_status=Invoice.UPLOAD_RUNNING, upload_import_id=upload_id, upload_message="")


def credit_note_file_name(credit_note: Invoice) -> str:
    """Distinct from the order's invoice (`<order>.pdf`) and from its other credit notes."""
    return f"{credit_note.order_reference}-{credit_note.number}.pdf"


def follow_one(invoice: Invoice, connector: Connector) -> None:
    try:
        result = connector.get_upload(invoice.upload_import_id)
    except MarketplaceError as exc:
        logger.warning("upload status unavailable", extra={"invoice": invoice.number, "error": exc.message})
        return
    if result.state == UploadState.ACCEPTED:
        _update(invoice, upload_status=Invoice.UPLOAD_SUCCESS, upload_message="")
    elif result.state == UploadState.REFUSED:
        refused = message(
            gettext_noop("Document refusé par la marketplace : %(errors)s"), errors="; ".join(result.errors)
        )
        _update(invoice, upload_status=Invoice.UPLOAD_FAILURE, upload_message=refused.stored())


def follow_uploads(*, seller=None, limit: int = 500) -> int:
    """Upload pending invoices and credit notes, and follow those under way."""
    invoices = (
        Invoice.objects.filter(
            upload_status__in=[Invoice.UPLOAD_PENDING, Invoice.UPLOAD_RUNNING],
            order__connection__status=MarketplaceConnection.STATUS_OK,
        )
        .exclude(pdf="")
        .select_related("order__connection", "seller__owner")
    )
    if seller is not None:
        invoices = invoices.filter(seller=seller)
    handled = 0
    connectors: dict[int, Connector] = {}
    with ExitStack() as open_connectors:
        for invoice in invoices.order_by("id")[:limit]:
            connection = invoice.order.connection
            if connection.pk not in connectors:
                connectors[connection.pk] = open_connectors.enter_context(connector_for(connection))
            step = upload_one if invoice.upload_status == Invoice.UPLOAD_PENDING else follow_one
            step(invoice, connectors[connection.pk])
            handled += 1
    return handled
