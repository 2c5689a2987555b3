"""The seller pipeline: sync orders → issue invoices and credit notes (rendering and email follow per document)."""

from __future__ import annotations

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.invoicing import services as invoicing
from facturier.sales.models import SyncRun
from facturier.sales.sync import sync_seller


def sellers_to_sync():
    return Seller.objects.filter(status=Seller.STATUS_ACTIVE, connection__isnull=False).exclude(
        connection__status=MarketplaceConnection.STATUS_REJECTED
    )


def run_seller(seller: Seller, *, trigger: str = "schedule") -> SyncRun:
    run = sync_seller(seller, trigger=trigger)
    invoices, invoice_errors = invoicing.issue_pending_invoices(seller)
    credit_notes, credit_errors = invoicing.issue_pending_credit_notes(seller)
    run.invoices_issued, run.credit_notes_issued = invoices, credit_notes
    messages = [run.message, *invoice_errors, *credit_errors]
    run.message = "\n".join(m for m in messages if m)
    run.save(update_fields=["invoices_issued", "credit_notes_issued", "message"])
    return run
