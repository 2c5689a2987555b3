"""Exports of issued documents: a ZIP streamed in constant memory (PDFs + index.csv) and the lines CSV.

The ZIP is written by `zipfile` into a buffer that is emptied after every chunk, so a million invoices
never sit in memory: each PDF is copied from storage in 64 KiB pieces, and the rows are read in batches.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from facturier.core.csv_safety import csv_cell
from facturier.invoicing.email_keys import related_key
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.outbox import services as outbox
from facturier.outbox.models import OutgoingEmail

CHUNK_SIZE = 64 * 1024
BATCH_SIZE = 500
CENT = Decimal("0.01")
# The columns in the page's language; a cell never carries an internal code (goods, AE, sent...) but its word.
INDEX_HEADERS = [
    _("Fichier"), _("Numéro"), _("Type"), _("Date d'émission"), _("Commande"), _("Acheteur"), _("Total HT"),
    _("Total TVA"), _("Total TTC"), _("Devise"), _("Facture d'origine"), _("État de l'e-mail"), _("Dépôt marketplace"),
    _("Empreinte SHA-256"),
]  # fmt: skip
LINE_HEADERS = [
    _("Numéro"), _("Type"), _("Date d'émission"), _("Commande"), _("Acheteur"), _("Ligne"), _("Nature"),
    _("Désignation"), _("SKU"), _("EAN"), _("Quantité"), _("Prix unitaire HT"), _("Montant HT"),
    _("Catégorie de TVA"), _("Taux de TVA (%)"), _("Montant TTC"),
]  # fmt: skip
LINE_KIND_LABELS = {InvoiceLine.KIND_GOODS: _("Marchandise"), InvoiceLine.KIND_SHIPPING: _("Frais de port")}
# EN 16931 VAT category codes (UNTDID 5305) in words.
VAT_CATEGORY_LABELS = {
    "S": _("Taux normal ou réduit"), "Z": _("Taux zéro"), "E": _("Exonération"),
    "AE": _("TVA autoliquidée par l'acheteur"),
    "K": _("Livraison intracommunautaire exonérée"), "G": _("Exportation hors UE exonérée"),
    "O": _("Hors du champ de la TVA"),
}  # fmt: skip


@dataclass(frozen=True)
class CsvWording:
    """Everything a CSV export writes in words, resolved in one language before the rows stream out."""

    language: str
    index_headers: list[str]
    line_headers: list[str]
    kinds: dict[str, str]
    line_kinds: dict[str, str]
    vat_categories: dict[str, str]
    uploads: dict[str, str]
    email_states: dict[str, str]

    @property
    def decimal_comma(self) -> bool:
        return self.language == "fr"

    def cell(self, value: str | Decimal | int) -> str:
        """Every cell goes through csv_cell (no formula); numbers then take the language's decimal mark."""
        text = csv_cell(value)
        return text.replace(".", ",") if self.decimal_comma and isinstance(value, Decimal) else text

    def day(self, value: date) -> str:
        return f"{value:%d/%m/%Y}" if self.language == "fr" else value.isoformat()


def csv_wording(language: str | None = None) -> CsvWording:
    """The wording of the active language (English only when the page is English; French otherwise)."""
    language = "en" if (language or get_language() or "fr").startswith("en") else "fr"
    with override(language):
        return CsvWording(
            language=language,
            index_headers=[str(header) for header in INDEX_HEADERS],
            line_headers=[str(header) for header in LINE_HEADERS],
            kinds={code: str(label) for code, label in Invoice.KIND_CHOICES},
            line_kinds={code: str(label) for code, label in LINE_KIND_LABELS.items()},
            vat_categories={code: str(label) for code, label in VAT_CATEGORY_LABELS.items()},
            uploads={code: str(label) for code, label in Invoice.UPLOAD_CHOICES},
            email_states={code: str(label) for code, label in OutgoingEmail.STATE_CHOICES},
        )


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


Row = list[str | Decimal | int]


def _word(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)  # a code without a word yet is shown as it is, never dropped


def index_rows(invoices: QuerySet[Invoice], wording: CsvWording) -> Iterator[Row]:
    batch: list[Invoice] = []
    for invoice in batched(invoices):
        batch.append(invoice)
        if len(batch) == BATCH_SIZE:
            yield from _index_batch(batch, wording)
            batch = []
    yield from _index_batch(batch, wording)


def _index_batch(batch: list[Invoice], wording: CsvWording) -> Iterator[Row]:
    statuses = outbox.status_for(related_key(invoice.pk) for invoice in batch)
    for invoice in batch:
        status = statuses.get(related_key(invoice.pk))
        yield [
            archive_name(invoice) if invoice.pdf else "", invoice.number, _word(wording.kinds, invoice.kind),
            wording.day(invoice.issue_date), invoice.order_reference, invoice.buyer_name,
            _money(invoice.total_net), _money(invoice.total_vat), _money(invoice.total_gross), invoice.currency,
            invoice.credited_invoice.number if invoice.credited_invoice_id else "",
            _word(wording.email_states, status.state) if status else "",
            _word(wording.uploads, invoice.upload_status), invoice.pdf_sha256,
        ]  # fmt: skip


def line_rows(invoices: QuerySet[Invoice], wording: CsvWording) -> Iterator[Row]:
    lines = (
        InvoiceLine.objects.filter(invoice__in=invoices.values("pk"))
        .select_related("invoice")
        .order_by("invoice__issued_at", "invoice_id", "position")
    )
    for line in lines.iterator(chunk_size=BATCH_SIZE * 4):
        invoice = line.invoice
        yield [
            invoice.number, _word(wording.kinds, invoice.kind), wording.day(invoice.issue_date),
            invoice.order_reference, invoice.buyer_name, line.position, _word(wording.line_kinds, line.kind),
            line.description, line.sku, line.ean, line.quantity.normalize(), _money(line.unit_net_price),
            _money(line.net_amount), _word(wording.vat_categories, line.vat_category), line.vat_rate,
            _money(line.gross_amount),
        ]  # fmt: skip


def csv_chunks(header: list[str], rows: Iterable[Row], wording: CsvWording) -> Iterator[str]:
    """CSV text for Excel: UTF-8 with BOM, ';' separator, one chunk per row, no formula in any cell, numbers
    with the wording's decimal mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([wording.cell(cell) for cell in row])
        yield buffer.getvalue()


def stream_zip(
    invoices: QuerySet[Invoice], *, with_lines: bool = False, wording: CsvWording | None = None
) -> Iterator[bytes]:
    """The ZIP bytes: index.csv first (one pass over the rows), then every rendered PDF (a second pass).

    The wording is settled now, in the caller's language, not when the response streams out."""
    return _zip_chunks(invoices, with_lines, wording or csv_wording())


def _zip_chunks(invoices: QuerySet[Invoice], with_lines: bool, wording: CsvWording) -> Iterator[bytes]:
    sink = _Drain()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        index = csv_chunks(wording.index_headers, index_rows(invoices, wording), wording)
        yield from _write_text(archive, sink, "index.csv", index)
        if with_lines:
            lines = csv_chunks(wording.line_headers, line_rows(invoices, wording), wording)
            yield from _write_text(archive, sink, "lignes.csv", lines)
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
