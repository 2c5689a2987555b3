"""Render an issued document once, store it with its SHA-256, then release its email.

One path for every kind of document: a seller's invoices and credit notes, and Facturier's own fee invoices
(billing), each described by a DocumentKind. Each is issued in its transaction and rendered after commit; a
document a crash left without its file is rendered by the sweeper (`render_missing`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from facturier.core import stored_files
from facturier.core.clock import now
from facturier.core.db import in_batches, values_rows
from facturier.documents.logo import MAX_LOGO_BYTES, usable_logo
from facturier.documents.render import RenderedDocument, render_document
from facturier.documents.snapshot import DocumentSnapshot
from facturier.invoicing import copies, email_keys, emails
from facturier.invoicing.models import Invoice
from facturier.invoicing.snapshot import to_snapshot

logger = logging.getLogger(__name__)
RENDER_BATCH = 50


def _no_extra_file(document, snapshot: DocumentSnapshot, name: str) -> None:
    return None


@dataclass(frozen=True)
class DocumentKind:
    """What the rendering path needs to know about one kind of issued document. Its model has `seller`,
    `issue_date` and the file columns `pdf`, `pdf_sha256`, `rendered_at` (attached once, empty -> file)."""

    model: type[models.Model]
    # Files go under <storage_root>/<seller id>/<yyyy>/<mm>/: a seller's purge empties "invoices/<seller id>"
    # and must never reach Facturier's own invoices, which are kept under another root.
    storage_root: str
    queryset: Callable[[], models.QuerySet]  # the documents with what their snapshot and email read
    snapshot: Callable[..., DocumentSnapshot]  # (document, logo=None)
    release_emails: Callable[[list], int]  # queue the held emails of rendered documents, their file attached
    email_key_prefix: str  # the outbox related_key of a document is this prefix and its pk
    draws_seller_logo: bool = True
    store_extra_files: Callable[[Any, DocumentSnapshot, str], None] = _no_extra_file


INVOICES = DocumentKind(
    model=Invoice,
    storage_root="invoices",
    queryset=lambda: Invoice.objects.select_related("seller", "credited_invoice").prefetch_related("lines"),
    snapshot=to_snapshot,
    release_emails=emails.release_document_emails,
    email_key_prefix=email_keys.KEY_PREFIX,
    store_extra_files=copies.store_copy,
)


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


def storage_parent(document, kind: DocumentKind = INVOICES) -> str:
    return f"{kind.storage_root}/{document.seller_id}/{document.issue_date:%Y/%m}"


def render_invoices(invoice_ids: list[int]) -> int:
    """Render and store the documents not rendered yet, then release their emails together; return how many
    documents have their file. A document that fails to render is logged and left to `render_missing`."""
    return render_documents(invoice_ids, INVOICES)


def render_documents(document_ids: list[int], kind: DocumentKind) -> int:
    """`render_invoices` for any kind of document."""
    documents = list(kind.queryset().filter(pk__in=document_ids).order_by("pk"))
    stored = store_documents([document for document in documents if not document.pdf], kind)
    _attach(stored, kind)
    rendered = [document for document in documents if document.pdf]
    kind.release_emails(rendered)
    return len(rendered)


def store_documents(documents: list, kind: DocumentKind = INVOICES) -> list[StoredDocument]:
    """Render and store each document in a folder reserved for it first (so a crash before `_attach` leaves
    nothing a sweeper cannot find); a document that fails to render is logged and its folder released."""
    folders = stored_files.reserve_folders([storage_parent(document, kind) for document in documents])
    logos: dict[int, bytes | None] = {}
    stored: list[StoredDocument] = []
    failed: list[str] = []
    for document, folder in zip(documents, folders, strict=True):
        if document.seller_id not in logos:
            logos[document.seller_id] = _logo_bytes(document.seller) if kind.draws_seller_logo else None
        try:
            stored.append(_render_and_store(document, logos[document.seller_id], folder, kind))
        except Exception:  # one broken document never holds back the others' emails
            logger.exception("document could not be rendered",
                             extra={"document": kind.model._meta.label, "document_id": document.pk})
            failed.append(folder)
    stored_files.discard(failed)
    return stored


@dataclass(frozen=True)
class StoredDocument:
    document: Any  # an instance of its kind's model
    name: str
    sha256: str


def _render_and_store(document, logo: bytes | None, folder: str, kind: DocumentKind) -> StoredDocument:
    snapshot, rendered = _render_with_logo_fallback(document, logo, kind)
    name = default_storage.save(f"{folder}/{rendered.filename}", ContentFile(rendered.pdf))
    kind.store_extra_files(document, snapshot, name)
    return StoredDocument(document, name, rendered.sha256)


def _render_with_logo_fallback(
    document, logo: bytes | None, kind: DocumentKind
) -> tuple[DocumentSnapshot, RenderedDocument]:
    if logo is not None:
        snapshot = kind.snapshot(document, logo=logo)
        try:
            return snapshot, render_document(snapshot)
        except Exception:  # a logo the PDF library cannot draw: the document goes out without it
            logger.warning("seller logo could not be drawn: document drawn without it",
                           extra={"seller_id": document.seller_id, "invoice_id": document.pk}, exc_info=True)
    snapshot = kind.snapshot(document)
    return snapshot, render_document(snapshot)


def _attach(stored: list[StoredDocument], kind: DocumentKind = INVOICES) -> None:
    """Attach the stored files to their documents, each once: one UPDATE for the batch, on rows still
    without a file (a concurrent renderer may have attached its own; ours are then duplicates and go), and only
    files whose folder reservation was not swept meanwhile (those documents are rendered again)."""
    if not stored:
        return
    rendered_at = now()
    with transaction.atomic():
        held = stored_files.claim(stored_files.folder_of(item.name) for item in stored)
        rows = [(s.document.pk, s.name, s.sha256) for s in stored if stored_files.folder_of(s.name) in held]
        attached = set(_attach_where_missing(rows, rendered_at, kind.model))
        stored_files.settle(stored_files.folder_of(s.name) for s in stored if s.document.pk in attached)
    duplicates = [item for item in stored if item.document.pk not in attached]
    stored_files.discard(stored_files.folder_of(item.name) for item in duplicates)
    for item in stored:
        if item.document.pk in attached:
            item.document.pdf.name, item.document.pdf_sha256, item.document.rendered_at = (
                item.name, item.sha256, rendered_at
            )
        else:
            item.document.refresh_from_db(fields=["pdf", "pdf_sha256", "rendered_at"])


def _attach_where_missing(rows: list[tuple[int, str, str]], rendered_at, model: type[models.Model]) -> list[int]:
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(rendered_at)
    values, params = values_rows([(*row, at) for row in rows])
    sql = (
        f"UPDATE {table} SET pdf = v.column2, pdf_sha256 = v.column3, rendered_at = v.column4 "
        f"FROM {values} WHERE {table}.id = v.column1 AND {table}.pdf = '' RETURNING {table}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def render_missing(*, limit: int = 500, kind: DocumentKind = INVOICES) -> int:
    """Documents issued but never rendered (a worker died after commit): render them now."""
    pending = list(kind.model.objects.filter(pdf="").order_by("id").values_list("id", flat=True)[:limit])
    for batch in in_batches(pending, RENDER_BATCH):
        render_documents(batch, kind)
    return len(pending)


def release_held_emails(kind: DocumentKind) -> int:
    """The sweeper's part for any kind: release the held emails whose document has its file."""
    return emails.release_held(kind.email_key_prefix, kind.model.objects.all(), kind.release_emails)
