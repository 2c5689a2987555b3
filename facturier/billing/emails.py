"""The seller's e-mail carrying its monthly fee invoice (French), queued in the issuing transaction."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from facturier.billing.fee_document import month_name
from facturier.billing.models import FeeInvoice
from facturier.core.money import format_eur
from facturier.documents.labels import french_number
from facturier.outbox import services as outbox


def related_key(fee: FeeInvoice) -> str:
    return f"fee:{fee.pk}"


def subject_for(fee: FeeInvoice) -> str:
    return f"Votre facture Facturier {fee.number} – {month_name(fee.month)}"


def _context(fee: FeeInvoice) -> dict:
    return {
        "number": fee.number,
        "month_name": month_name(fee.month),
        "invoice_count": fee.invoice_count,
        "tier_label": fee.tier_label,
        "excl_vat": format_eur(fee.amount_excl_vat),
        "vat": format_eur(fee.vat_amount),
        "vat_rate": french_number(fee.vat_rate),
        "total": format_eur(fee.total_incl_vat),
        "due_date": fee.due_date,
        "reverse_charge": fee.vat_case == FeeInvoice.VAT_REVERSE_CHARGE,
        "operator_name": settings.FACTURIER_OPERATOR["name"],
    }


def queue_fee_email(fee: FeeInvoice):
    context = _context(fee)
    return outbox.enqueue(
        seller=fee.seller,
        to=fee.seller.owner.email,
        subject=subject_for(fee),
        text_body=render_to_string("billing/email/fee_invoice.txt", context),
        html_body=render_to_string("billing/email/fee_invoice.html", context),
        reply_to=settings.FACTURIER_OPERATOR["email"],
        from_name=settings.FACTURIER_OPERATOR["name"],
        related_key=related_key(fee),
        attachments=[
            {"filename": fee.pdf.name.rsplit("/", 1)[-1], "storage_name": fee.pdf.name, "mimetype": "application/pdf"}
        ],
    )
