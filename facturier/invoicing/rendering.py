"""Render an issued document once, store it with its SHA-256, then release the buyer's email."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from facturier.core import stored_files
from facturier.core.clock import now
from facturier.core.db import in_batches, values_rows
from facturier.documents.logo import MAX_LOGO_BYTES, usable_logo
from facturier.documents.render import RenderedDocument, render_document
from facturier.documents.snapshot import DocumentSnapshot
from facturier.invoicing import copies, emails
from facturier.invoicing.models import Invoice
from facturier.invoicing.snapshot import to_snapshot

logger = logging.getLogger(__name__)
RENDER_BATCH = 50


def _logo_bytes(seller) -> bytes | None:
    """The seller's logo when it can be drawn; an unreadable or corrupt one never blocks a document."""
    logo = seller.logo
    if not logo:
        return None
    try:
        with logo.open("rb") as handle:
            data = usable_logo(handle.read(MAX_LOGO_BYTES + 1))
    except OSError:
        data = None
    if data is None:
        logger.warning("seller logo unreadable: documents are drawn without it", extra={"seller_id": seller.pk})
    return data


def storage_parent(invoice: Invoice) -> str:
    return f"invoices/{invoice.seller_id}/{invoice.issue_date:%Y/%m}"


def render_invoices(invoice_ids: list[int]) -> int:
    """Render and store the documents not rendered yet, then release their emails together; return how many
    documents have their file. A document that fails to render is logged and left to `render_missing`."""
    invoices = list(
        Invoice.objects.select_related("seller", "credited_invoice")
        .prefetch_related("lines")
        .filter(pk__in=invoice_ids)
        .order_by("pk")
    )
    stored = store_documents([invoice for invoice in invoices if not invoice.pdf])
    _attach(stored)
    rendered = [invoice for invoice in invoices if invoice.pdf]
    emails.release_document_emails(rendered)
    return len(rendered)


def store_documents(invoices: list[Invoice]) -> list[StoredDocument]:
    """Render and store each document in a folder reserved for it first (so a crash before `_attach` leaves
    nothing a sweeper cannot find); a document that fails to render is logged and its folder released."""
    folders = stored_files.reserve_folders([storage_parent(invoice) for invoice in invoices])
    logos: dict[int, bytes | None] = {}
    stored: list[StoredDocument] = []
    failed: list[str] = []
    for invoice, folder in zip(invoices, folders, strict=True):
        if invoice.seller_id not in logos:
            logos[invoice.seller_id] = _logo_bytes(invoice.seller)
        try:
            stored.append(_render_and_store(invoice, logos[invoice.seller_id], folder))
        except Exception:  # one broken document never holds back the others' emails
            logger.exception("document could not be rendered", extra={"invoice_id": invoice.pk})
            failed.append(folder)
    stored_files.discard(failed)
    return stored


@dataclass(frozen=True)
class StoredDocument:
    invoice: Invoice
    name: str
    sha256: str


def _render_and_store(invoice: Invoice, logo: bytes | None, folder: str) -> StoredDocument:
    snapshot, document = _render_with_logo_fallback(invoice, logo)
    name = default_storage.save(f"{folder}/{document.filename}", ContentFile(document.pdf))
    copies.store_copy(invoice, snapshot, name)
    return StoredDocument(invoice, name, document.sha256)


def _render_with_logo_fallback(invoice: Invoice, logo: bytes | None) -> tuple[DocumentSnapshot, RenderedDocument]:
    if logo is not None:
        snapshot = to_snapshot(invoice, logo=logo)
        try:
            return snapshot, render_document(snapshot)
        except Exception:  # a logo the PDF library cannot draw: the document goes out without it
            logger.warning("seller logo could not be drawn: document drawn without it",
                           extra={"seller_id": invoice.seller_id, "invoice_id": invoice.pk}, exc_info=True)
    snapshot = to_snapshot(invoice)
    return snapshot, render_document(snapshot)


def _attach(stored: list[StoredDocument]) -> None:
    """Attach the stored files to their documents, each once: one UPDATE for the batch, on rows still
    without a file (a concurrent renderer may have attached its own; ours are then duplicates and go), and only
    files whose folder reservation was not swept meanwhile (those documents are rendered again)."""
    if not stored:
        return
    rendered_at = now()
    with transaction.atomic():
        held = stored_files.claim(stored_files.folder_of(item.name) for item in stored)
        rows = [(s.invoice.pk, s.name, s.sha256) for s in stored if stored_files.folder_of(s.name) in held]
        attached = set(_attach_where_missing(rows, rendered_at))
        stored_files.settle(stored_files.folder_of(s.name) for s in stored if s.invoice.pk in attached)
    duplicates = [item for item in stored if item.invoice.pk not in attached]
    stored_files.discard(stored_files.folder_of(item.name) for item in duplicates)
    for item in stored:
        if item.invoice.pk in attached:
            item.invoice.pdf.name, item.invoice.pdf_sha256, item.invoice.rendered_at = (
                item.name, item.sha256, rendered_at
            )
        else:
            item.invoice.refresh_from_db(fields=["pdf", "pdf_sha256", "rendered_at"])


def _attach_where_missing(rows: list[tuple[int, str, str]], rendered_at) -> list[int]:
    if not rows:
        return []
    table = connection.ops.quote_name(Invoice._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(rendered_at)
    values, params = values_rows([(*row, at) for row in rows])
    sql = (
        f"UPDATE {table} SET pdf = v.column2, pdf_sha256 = v.column3, rendered_at = v.column4 "
        f"FROM {values} WHERE {table}.id = v.column1 AND {table}.pdf = '' RETURNING {table}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def render_missing(*, limit: int = 500) -> int:
    """Documents issued but never rendered (a worker died after commit): render them now."""
    pending = list(Invoice.objects.filter(pdf="").order_by("id").values_list("id", flat=True)[:limit])
    for batch in in_batches(pending, RENDER_BATCH):
        render_invoices(batch)
    return len(pending)
