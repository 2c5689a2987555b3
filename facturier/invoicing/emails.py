"""The buyer's email for an invoice or credit note: queued (held) at issue, released once the PDF exists."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.template.loader import render_to_string

from facturier.core.db import in_batches
from facturier.core.money import format_eur
from facturier.invoicing import email_keys
from facturier.invoicing.copies import emailed_file
from facturier.invoicing.models import Invoice
from facturier.outbox import services as outbox
from facturier.outbox.models import OutgoingEmail

RELEASE_BATCH = 500


def related_key(invoice: Invoice) -> str:
    return email_keys.related_key(invoice.pk)


def _context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "seller_name": invoice.seller_snapshot["name"],
        "marketplace_name": invoice.marketplace_name,
        "buyer_name": invoice.buyer_snapshot.get("contact_name") or invoice.buyer_snapshot["name"],
        "total": format_eur(invoice.total_gross),
        "is_credit_note": invoice.is_credit_note,
        "credited_number": invoice.credited_invoice.number if invoice.credited_invoice_id else "",
    }


def subject_for(invoice: Invoice) -> str:
    label = "Votre avoir" if invoice.is_credit_note else "Votre facture"
    return f"{label} {invoice.number} – commande {invoice.marketplace_name} {invoice.order_reference}"


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


def queue_document_emails(invoices: list[Invoice], *, to: str | None = None) -> list:
    """Queued inside the issuing transaction, held until the PDF is rendered: a crash loses nothing."""
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


def release_held_of_rendered() -> int:
    """The sweeper's part: release the held emails whose document has its file (a crash between attaching the
    PDF and releasing the email would hold them forever); return how many were released."""
    return release_held(email_keys.KEY_PREFIX, Invoice.objects.all(), release_document_emails)


def release_held(key_prefix: str, documents: QuerySet, release: Callable[[list], int]) -> int:
    """`release_held_of_rendered` for any kind of document: its emails' key prefix, its documents and the
    function releasing the emails of rendered ones."""
    held = OutgoingEmail.objects.filter(state=OutgoingEmail.STATE_HELD, related_key__startswith=key_prefix)
    document_ids = sorted({int(key.removeprefix(key_prefix)) for key in held.values_list("related_key", flat=True)})
    released = 0
    for batch in in_batches(document_ids, RELEASE_BATCH):
        released += release(list(documents.filter(pk__in=batch).exclude(pdf="").order_by("pk")))
    return released


def resend_document_email(invoice: Invoice, email: OutgoingEmail, *, to: str | None = None) -> OutgoingEmail:
    """Send the document's email again. One still held although the document has its file (a crash came
    between the two) is released instead, its first sending; a corrected address then gets a copy too."""
    if email.state == OutgoingEmail.STATE_HELD and invoice.pdf:
        release_document_email(invoice)
        email.refresh_from_db()
        if not to or to.strip() == email.to:
            return email
    return outbox.resend(email=email, to=to)
