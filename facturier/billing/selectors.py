"""Reads for the portal and the API: a seller's own fee invoices, newest first.

A fee invoice is shown once its document exists: it is rendered seconds after its issue commits (or by the
rendering sweeper after a crash), and there is nothing to download before that.
"""

from __future__ import annotations

from django.db.models import QuerySet

from facturier.accounts.models import Seller
from facturier.billing.models import FeeInvoice


def fee_invoices_for(seller: Seller) -> QuerySet[FeeInvoice]:
    return FeeInvoice.objects.filter(seller=seller).exclude(pdf="").order_by("-month", "-sequence")


def fee_invoice_for(seller: Seller, fee_id: int) -> FeeInvoice | None:
    """The rendered fee invoice if it belongs to this seller (tenant isolation), else None."""
    return FeeInvoice.objects.filter(seller=seller, pk=fee_id).exclude(pdf="").first()
