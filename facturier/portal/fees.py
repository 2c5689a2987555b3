"""Facturier's monthly fee as the dashboard shows it, and the seller's own fee invoices (billing owns both)."""

from __future__ import annotations

from facturier.billing.selectors import fee_invoices_for
from facturier.billing.tiers import Tier, fee_for
from facturier.core.clock import today_in_paris


def projected_fee(invoice_count: int) -> Tier:
    """The tier this month's invoices so far would be billed at on the 1st of next month."""
    return fee_for(invoice_count, today_in_paris().replace(day=1))


def fee_invoices(seller) -> list:
    return list(fee_invoices_for(seller)[:120])
