"""The seller's e-mail carrying its monthly fee invoice (French): queued (held) in the issuing transaction,
released with the PDF attached once the document is rendered, as a seller's invoice email is."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from facturier.billing.fee_document import month_name
from facturier.billing.models import FeeInvoice
from facturier.core.money import format_eur
from facturier.documents.labels import french_number
from facturier.outbox import services as outbox

KEY_PREFIX = "fee:"


def related_key(fee: FeeInvoice) -> str:
    return f"{KEY_PREFIX}{fee.pk}"


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
    """Queued inside the issuing transaction, held until the PDF is rendered: a crash loses nothing."""
    context = _context(fee)
    email = outbox.new_email(
        seller=fee.seller,
        to=fee.seller.owner.email,
        subject=subject_for(fee),
        text_body=render_to_string("billing/email/fee_invoice.txt", context),
        html_body=render_to_string("billing/email/fee_invoice.html", context),
        reply_to=settings.FACTURIER_OPERATOR["email"],
        from_name=settings.FACTURIER_OPERATOR["name"],
        related_key=related_key(fee),
    )
    return outbox.store_many([email], hold=True)[0]


def release_fee_emails(fees: list[FeeInvoice]) -> int:
    """Queue the held emails of rendered fee invoices, each with its PDF attached (one transaction)."""
    return outbox.release_many({related_key(fee): [_attachment(fee)] for fee in fees if fee.pdf})


def _attachment(fee: FeeInvoice) -> dict:
    return {"filename": fee.pdf.name.rsplit("/", 1)[-1], "storage_name": fee.pdf.name, "mimetype": "application/pdf"}
