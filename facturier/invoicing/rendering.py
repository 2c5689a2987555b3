"""Render an issued document once, store it with its SHA-256, then release the buyer's email."""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from facturier.core.clock import now
from facturier.documents.render import render_document
from facturier.invoicing import emails
from facturier.invoicing.models import Invoice
from facturier.invoicing.snapshot import to_snapshot

logger = logging.getLogger(__name__)


def _logo_bytes(invoice: Invoice) -> bytes | None:
    logo = invoice.seller.logo
    if not logo:
        return None
    try:
        with logo.open("rb") as handle:
            return handle.read()
    except OSError:
        logger.warning("seller logo unreadable", extra={"seller_id": invoice.seller_id})
        return None


def storage_name(invoice: Invoice, filename: str) -> str:
    # A random segment: a document's path cannot be guessed; files are only served by permission-checked views.
    return f"invoices/{invoice.seller_id}/{invoice.issue_date:%Y/%m}/{secrets.token_hex(8)}/{filename}"


def render_invoice(invoice_id: int) -> Invoice:
    invoice = Invoice.objects.select_related("seller", "credited_invoice").get(pk=invoice_id)
    if not invoice.pdf:
        _render_and_store(invoice)
    emails.release_document_email(invoice)
    return invoice


def _render_and_store(invoice: Invoice) -> None:
    document = render_document(to_snapshot(invoice, logo=_logo_bytes(invoice)))
    name = default_storage.save(storage_name(invoice, document.filename), ContentFile(document.pdf))
    attached = Invoice.objects.filter(pk=invoice.pk, pdf="").update(
        pdf=name, pdf_sha256=document.sha256, rendered_at=now()
    )
    if not attached:
        # A concurrent renderer attached its file first; ours is a duplicate nobody references.
        default_storage.delete(name)
    invoice.refresh_from_db(fields=["pdf", "pdf_sha256", "rendered_at"])


def render_missing(*, limit: int = 500) -> int:
    """Documents issued but never rendered (a worker died after commit): render them now."""
    pending = list(Invoice.objects.filter(pdf="").order_by("id").values_list("id", flat=True)[:limit])
    for invoice_id in pending:
        render_invoice(invoice_id)
    return len(pending)
