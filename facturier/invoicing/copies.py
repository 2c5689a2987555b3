"""The buyer's copy of a B2B e-invoice: the original goes through the seller's PA, the e-mail carries a PDF
marked as a copy (reform-and-markets §A3) so the buyer never books two originals."""

from __future__ import annotations

from dataclasses import replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from facturier.accounts.reform import ReformProfile
from facturier.documents.labels import label
from facturier.documents.render import render_document
from facturier.documents.snapshot import DocumentSnapshot
from facturier.invoicing.models import Invoice
from facturier.tax.identifiers import siren_of_french_vat
from facturier.tax.regimes import FRENCH_ISSUER_CASES

COPY_SUFFIX = "-copie.pdf"


def copy_name(pdf_name: str) -> str:
    return pdf_name.removesuffix(".pdf") + COPY_SUFFIX


def is_e_invoice(invoice: Invoice) -> bool:
    """Whether the original goes through the seller's PA (a B2B e-invoice under the reform): a seller established
    in France, from its reform date, invoicing a business established in France (a French VAT number, hence a
    SIREN)."""
    buyer_vat = (invoice.buyer_snapshot or {}).get("vat_number", "")
    if invoice.vat_case not in FRENCH_ISSUER_CASES or not siren_of_french_vat(buyer_vat):
        return False
    profile = ReformProfile.objects.filter(seller_id=invoice.seller_id).first()
    return bool(profile and profile.established_in_france and invoice.issue_date >= profile.start)


def store_copy(invoice: Invoice, snapshot: DocumentSnapshot, original_name: str) -> None:
    """Beside the original of a B2B e-invoice, a copy to e-mail."""
    if not is_e_invoice(invoice):
        return
    kind = label("credit_note" if snapshot.is_credit_note else "invoice", snapshot.languages)
    document = render_document(replace(snapshot, title=f"{kind} – COPIE"))
    default_storage.save(copy_name(original_name), ContentFile(document.pdf))


def emailed_file(invoice: Invoice) -> str:
    """The file the buyer's e-mail attaches: the copy for a B2B e-invoice, else the original."""
    if is_e_invoice(invoice):
        name = copy_name(invoice.pdf.name)
        if default_storage.exists(name):
            return name
    return invoice.pdf.name
