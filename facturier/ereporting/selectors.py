"""What the portal shows about the reform for one seller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from facturier.accounts.models import Seller
from facturier.accounts.reform import PAConnection, ReformProfile
from facturier.ereporting.aggregate import period_blocks
from facturier.ereporting.calendar import Period, period_of
from facturier.ereporting.models import EReport, PADeposit
from facturier.ereporting.scope import Obligations, obligations, profile_of


@dataclass(frozen=True)
class ReformOverview:
    profile: ReformProfile
    obligations: Obligations
    in_force: bool
    current_period: Period
    next_deadline: date
    reports: list[EReport]
    connection: PAConnection | None
    deposits: list[PADeposit]
    current_taxable: Decimal
    current_tax: Decimal


def reform_overview(seller: Seller, today: date) -> ReformOverview:
    profile = profile_of(seller)
    current = period_of(max(today, profile.start), profile.vat_regime)
    previous = period_of(current.start - timedelta(days=1), profile.vat_regime)
    open_deadlines = [
        r.deadline for r in EReport.objects.filter(
            seller=seller, status__in=[EReport.STATUS_PENDING, EReport.STATUS_DOWNLOAD, EReport.STATUS_INVALID],
            deadline__gte=today,
        )
    ]
    so_far = period_blocks(seller, current.start, min(today, current.end)) if today >= profile.start else ()
    upcoming = [d for d in (previous.deadline, current.deadline, *open_deadlines) if d >= today]
    return ReformOverview(
        profile=profile,
        obligations=obligations(profile),
        in_force=today >= profile.start,
        current_period=current,
        next_deadline=min(upcoming) if upcoming else current.deadline,
        reports=list(EReport.objects.filter(seller=seller).exclude(status=EReport.STATUS_SUPERSEDED)[:60]),
        connection=PAConnection.objects.filter(seller=seller).first(),
        deposits=list(PADeposit.objects.filter(seller=seller).select_related("invoice").order_by("-id")[:50]),
        current_taxable=sum((b.taxable for b in so_far), Decimal("0.00")),
        current_tax=sum((b.tax for b in so_far), Decimal("0.00")),
    )


def downloadable_report(seller: Seller, pk: int) -> EReport | None:
    """A valid report of this seller (an invalid one is never handed out)."""
    return EReport.objects.filter(seller=seller, pk=pk).exclude(status=EReport.STATUS_INVALID).first()
