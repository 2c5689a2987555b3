"""Exports of issued documents: a ZIP streamed in constant memory (PDFs + index.csv) and the lines CSV.

The ZIP is written by `zipfile` into a buffer that is emptied after every chunk, so a million invoices
never sit in memory: each PDF is copied from storage in 64 KiB pieces, and the rows are read in batches.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet

from facturier.core.csv_safety import csv_cell
from facturier.invoicing.email_keys import related_key
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.outbox import services as outbox

CHUNK_SIZE = 64 * 1024
BATCH_SIZE = 500
INDEX_COLUMNS = [
    "fichier", "numero", "type", "date_emission", "commande", "acheteur", "total_ht", "total_tva", "total_ttc",
    "devise", "facture_d_origine", "statut_email", "statut_depot", "sha256",
]  # fmt: skip
LINE_COLUMNS = [
    "numero", "type", "date_emission", "commande", "acheteur", "position", "nature", "description", "sku", "ean",
    "quantite", "prix_unitaire_ht", "montant_ht", "categorie_tva", "taux_tva", "montant_ttc",
]  # fmt: skip
CENT = Decimal("0.01")
KIND_LABELS = {Invoice.KIND_INVOICE: "facture", Invoice.KIND_CREDIT_NOTE: "avoir"}


class _Drain(io.RawIOBase):
    """A write-only, unseekable sink; `zipfile` then writes data descriptors instead of seeking back."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def archive_name(invoice: Invoice) -> str:
    folder = "avoirs" if invoice.is_credit_note else "factures"
    return f"{folder}/{invoice.number}.pdf"


def batched(invoices: QuerySet[Invoice]) -> Iterator[Invoice]:
    return invoices.select_related("credited_invoice").iterator(chunk_size=BATCH_SIZE)


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


Row = list[str | Decimal]


def index_rows(invoices: QuerySet[Invoice]) -> Iterator[Row]:
    batch: list[Invoice] = []
    for invoice in batched(invoices):
        batch.append(invoice)
        if len(batch) == BATCH_SIZE:
            yield from _index_batch(batch)
            batch = []
    yield from _index_batch(batch)


def _index_batch(batch: list[Invoice]) -> Iterator[Row]:
    statuses = outbox.status_for(related_key(invoice.pk) for invoice in batch)
    for invoice in batch:
        status = statuses.get(related_key(invoice.pk))
        yield [
            archive_name(invoice) if invoice.pdf else "", invoice.number, KIND_LABELS[invoice.kind],
            invoice.issue_date.isoformat(), invoice.order_reference, invoice.buyer_name,
            _money(invoice.total_net), _money(invoice.total_vat), _money(invoice.total_gross), invoice.currency,
            invoice.credited_invoice.number if invoice.credited_invoice_id else "",
            status.state if status else "", invoice.upload_status, invoice.pdf_sha256,
        ]  # fmt: skip


def line_rows(invoices: QuerySet[Invoice]) -> Iterator[Row]:
    lines = (
        InvoiceLine.objects.filter(invoice__in=invoices.values("pk"))
        .select_related("invoice")
        .order_by("invoice__issued_at", "invoice_id", "position")
    )
    for line in lines.iterator(chunk_size=BATCH_SIZE * 4):
        invoice = line.invoice
        yield [
            invoice.number, KIND_LABELS[invoice.kind], invoice.issue_date.isoformat(), invoice.order_reference,
            invoice.buyer_name, line.position, line.kind, line.description, line.sku, line.ean,
            line.quantity.normalize(), _money(line.unit_net_price), _money(line.net_amount),
            line.vat_category, line.vat_rate, _money(line.gross_amount),
        ]  # fmt: skip


def csv_chunks(header: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """CSV text for Excel in France: UTF-8 with BOM, ';' separator, one chunk per row, no formula in any cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(cell) for cell in row])
        yield buffer.getvalue()


def stream_zip(invoices: QuerySet[Invoice], *, with_lines: bool = False) -> Iterator[bytes]:
    """The ZIP bytes: index.csv first (one pass over the rows), then every rendered PDF (a second pass)."""
    sink = _Drain()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        yield from _write_text(archive, sink, "index.csv", csv_chunks(INDEX_COLUMNS, index_rows(invoices)))
        if with_lines:
            yield from _write_text(archive, sink, "lignes.csv", csv_chunks(LINE_COLUMNS, line_rows(invoices)))
        for invoice in batched(invoices.exclude(pdf="")):
            yield from _write_pdf(archive, sink, invoice)
    yield sink.take()


def _write_text(archive: zipfile.ZipFile, sink: _Drain, name: str, chunks: Iterable[str]) -> Iterator[bytes]:
    with archive.open(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), mode="w") as entry:
        for chunk in chunks:
            entry.write(chunk.encode("utf-8"))
            data = sink.take()
            if data:
                yield data
    yield sink.take()


def _write_pdf(archive: zipfile.ZipFile, sink: _Drain, invoice: Invoice) -> Iterator[bytes]:
    issued = invoice.issued_at
    info = zipfile.ZipInfo(archive_name(invoice), date_time=(issued.year, issued.month, issued.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED  # PDFs are compressed already
    with invoice.pdf.open("rb") as source, archive.open(info, mode="w") as entry:
        while chunk := source.read(CHUNK_SIZE):
            entry.write(chunk)
            yield sink.take()
    yield sink.take()
