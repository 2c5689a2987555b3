"""The seller's e-mail carrying its monthly fee invoice, in the seller's chosen language (the PDF stays French):
queued (held) in the issuing transaction, released with the PDF attached once the document is rendered, as a
seller's invoice email is."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from facturier.accounts.models import Seller
from facturier.billing.models import FeeInvoice
from facturier.core.money import format_eur
from facturier.documents.labels import french_number
from facturier.outbox import services as outbox

KEY_PREFIX = "fee:"


def related_key(fee: FeeInvoice) -> str:
    return f"{KEY_PREFIX}{fee.pk}"


def seller_language(seller: Seller) -> str:
    return seller.owner.preferred_language or "fr"


def subject_for(fee: FeeInvoice) -> str:
    """In the active language (the caller chooses it)."""
    return _("Votre facture Facturier %(number)s – %(month)s") % {
        "number": fee.number, "month": date_format(fee.month, "F Y"),
    }  # fmt: skip


def _context(fee: FeeInvoice, language: str) -> dict:
    return {
        "number": fee.number,
        "month_name": date_format(fee.month, "F Y"),
        "invoice_count": fee.invoice_count,
        "tier_label": fee.tier_label,
        "excl_vat": format_eur(fee.amount_excl_vat, language=language),
        "vat": format_eur(fee.vat_amount, language=language),
        "vat_rate": french_number(fee.vat_rate) if language == "fr" else f"{fee.vat_rate.normalize():f}",
        "total": format_eur(fee.total_incl_vat, language=language),
        "due_date": fee.due_date,
        "reverse_charge": fee.vat_case == FeeInvoice.VAT_REVERSE_CHARGE,
        "operator_name": settings.FACTURIER_OPERATOR["name"],
    }


def queue_fee_email(fee: FeeInvoice):
    """Queued inside the issuing transaction, held until the PDF is rendered: a crash loses nothing."""
    language = seller_language(fee.seller)
    with translation.override(language):
        context = _context(fee, language)
        subject = subject_for(fee)
        text_body = render_to_string("billing/email/fee_invoice.txt", context)
        html_body = render_to_string("billing/email/fee_invoice.html", context)
    email = outbox.new_email(
        seller=fee.seller,
        to=fee.seller.owner.email,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
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
