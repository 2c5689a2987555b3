"""Facturier's monthly fee as the dashboard shows it, and the seller's own fee invoices (billing owns both)."""

from __future__ import annotations

from facturier.billing import tiers
from facturier.billing.selectors import fee_invoices_for
from facturier.core.clock import today_in_paris


def projected_fee(seller) -> tiers.ProjectedFee:
    """This month's invoices so far (counted where billing counts them) and the tier they would be billed at on
    the 1st of next month."""
    return tiers.projected_fee(seller, today_in_paris())


def fee_invoices(seller) -> list:
    return list(fee_invoices_for(seller)[:120])
