"""What a month's fee is computed from: the Europe/Paris month, who was subscribed, how many invoices."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.db.models import Q, QuerySet

from facturier.accounts.models import Seller
from facturier.core.clock import PARIS
from facturier.core.errors import FacturierError
from facturier.invoicing.models import Invoice

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
PURGED_STATES = (Seller.STATUS_PURGING, Seller.STATUS_PURGED)


class InvalidMonth(FacturierError):
    pass


class UsageUnknown(FacturierError):
    pass


def parse_month(text: str) -> date:
    """'2026-10' -> date(2026, 10, 1); InvalidMonth for anything else."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise InvalidMonth(f"Mois « {text} » invalide : format attendu AAAA-MM, par exemple 2026-10.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def first_day(month: date) -> date:
    return month.replace(day=1)


def next_month(month: date) -> date:
    month = first_day(month)
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    month = first_day(month)
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def last_day(month: date) -> date:
    return date.fromordinal(next_month(month).toordinal() - 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month in Europe/Paris, as aware datetimes."""
    start = datetime.combine(first_day(month), time.min, tzinfo=PARIS)
    end = datetime.combine(next_month(month), time.min, tzinfo=PARIS)
    return start, end


def subscribed_sellers(month: date) -> QuerySet[Seller]:
    """Sellers subscribed at any time in the month: registered before its end, not unsubscribed before its start."""
    start, end = month_bounds(month)
    return (
        Seller.objects.filter(registered_at__lt=end)
        .filter(Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__gte=start))
        .order_by("pk")
    )


def live_invoice_count(seller: Seller, month: date) -> int:
    start, end = month_bounds(month)
    return Invoice.objects.filter(
        seller=seller, kind=Invoice.KIND_INVOICE, issued_at__gte=start, issued_at__lt=end
    ).count()


def count_invoices(seller: Seller, month: date) -> int:
    """Invoices (not credit notes) issued for the seller in the month; frozen counts once its data is purged."""
    if seller.status in PURGED_STATES:
        from facturier.billing.models import FrozenUsage

        frozen = FrozenUsage.objects.filter(seller=seller, month=first_day(month)).first()
        if frozen is None:
            raise UsageUnknown(
                f"{seller} : données purgées sans relevé figé pour {first_day(month):%Y-%m}, montant inconnu."
            )
        return frozen.invoice_count
    return live_invoice_count(seller, month)
