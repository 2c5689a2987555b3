"""The buyer's email for an invoice or credit note: queued (held) at issue, released once the PDF exists."""

from __future__ import annotations

from django.template.loader import render_to_string

from facturier.core.money import format_eur
from facturier.invoicing.copies import emailed_file
from facturier.invoicing.models import Invoice
from facturier.outbox import services as outbox


def related_key(invoice: Invoice) -> str:
    return f"invoice:{invoice.pk}"


def _context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "seller_name": invoice.seller_snapshot["name"],
        "buyer_name": invoice.buyer_snapshot.get("contact_name") or invoice.buyer_snapshot["name"],
        "total": format_eur(invoice.total_gross),
        "is_credit_note": invoice.is_credit_note,
        "credited_number": invoice.credited_invoice.number if invoice.credited_invoice_id else "",
    }


def subject_for(invoice: Invoice) -> str:
    label = "Votre avoir" if invoice.is_credit_note else "Votre facture"
    return f"{label} {invoice.number} – commande {invoice.order_reference}"


def _new_email(invoice: Invoice, to: str | None = None):
    context = _context(invoice)
    return outbox.new_email(
        seller=invoice.seller,
        to=invoice.buyer_email if to is None else to,
        subject=subject_for(invoice),
        text_body=render_to_string("invoicing/email/document.txt", context),
        html_body=render_to_string("invoicing/email/document.html", context),
        reply_to=invoice.seller.support_email,
        from_name=invoice.seller_snapshot["name"],
        related_key=related_key(invoice),
    )


def queue_document_email(invoice: Invoice, *, to: str | None = None):
    """Queued inside the issuing transaction, held until the PDF is rendered: a crash loses nothing."""
    return queue_document_emails([invoice], to=to)[0]


def queue_document_emails(invoices: list[Invoice], *, to: str | None = None) -> list:
    return outbox.store_many([_new_email(invoice, to) for invoice in invoices], hold=True)


def release_document_email(invoice: Invoice) -> int:
    return release_document_emails([invoice])


def release_document_emails(invoices: list[Invoice]) -> int:
    """Queue the held emails of rendered documents, each with its PDF attached (one transaction)."""
    return outbox.release_many({related_key(invoice): [_attachment(invoice)] for invoice in invoices if invoice.pdf})


def _attachment(invoice: Invoice) -> dict:
    name = emailed_file(invoice)
    return {
        "filename": name.rsplit("/", 1)[-1],
        "storage_name": name,
        "mimetype": "application/pdf",
    }
