"""Pricing as the seller sees it: the tier table (billing/tiers.py, the one copy), this month's projected fee,
and what unsubscribing now would still bill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from facturier.billing.lifecycle import download_deadline
from facturier.billing.tiers import ProjectedFee, Tier, projected_fee, table_for
from facturier.billing.usage import next_month
from facturier.core.clock import now, paris_date, today_in_paris


@dataclass(frozen=True)
class TierRow:
    invoices: str
    amount_excl_vat: Decimal
    current: bool


@dataclass(frozen=True)
class UnsubscribeBill:
    fee: ProjectedFee
    billed_on: date
    download_until: datetime


def invoice_range(tier: Tier) -> str:
    if tier.max_invoices is None:
        return _("%(min)d et plus") % {"min": tier.min_invoices}
    return f"{tier.min_invoices} – {tier.max_invoices}"


def tier_rows(month: date, current: Tier | None = None) -> list[TierRow]:
    return [TierRow(invoice_range(tier), tier.amount_excl_vat, tier == current) for tier in table_for(month).tiers]


def this_month(seller) -> ProjectedFee:
    return projected_fee(seller, today_in_paris())


def unsubscribe_bill(seller) -> UnsubscribeBill:
    """The last fee: the month of unsubscription on its invoice count, billed on the 1st of the next month."""
    moment = seller.unsubscribed_at or now()
    fee = projected_fee(seller, paris_date(moment))
    download_until = seller.download_until or download_deadline(moment)
    return UnsubscribeBill(fee=fee, billed_on=next_month(fee.month), download_until=download_until)
