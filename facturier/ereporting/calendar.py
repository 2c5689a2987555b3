"""E-reporting periods and deadlines by French VAT regime (§A2.4), from pyfrctc's calendar helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pyfrctc.ereporting import get_ereporting_end_date_and_deadline_from_start_date

from facturier.accounts.reform import ReformProfile

# pyfrctc's codes: "1" monthly réel normal, "3" quarterly réel normal, "12" simplifié, None franchise.
PYFRCTC_PERIODICITY = {
    ReformProfile.REGIME_MONTHLY: "1",
    ReformProfile.REGIME_QUARTERLY: "3",
    ReformProfile.REGIME_SIMPLIFIED: "12",
    ReformProfile.REGIME_FRANCHISE: None,
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    deadline: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_start(day: date, regime: str) -> date:
    """First day of the regime's period holding `day`: 1st/11th/21st (ten days), 1st of the month, or of an odd
    month (two months, January-February first)."""
    if regime == ReformProfile.REGIME_MONTHLY:
        return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)
    if regime == ReformProfile.REGIME_FRANCHISE:
        return day.replace(month=day.month - (day.month + 1) % 2, day=1)
    return day.replace(day=1)


def period_of(day: date, regime: str) -> Period:
    start = period_start(day, regime)
    end, deadline = get_ereporting_end_date_and_deadline_from_start_date(
        start, "out_transaction", PYFRCTC_PERIODICITY[regime]
    )
    return Period(start, end, deadline)


def periods_between(first: date, last: date, regime: str) -> list[Period]:
    periods = []
    day = first
    while day <= last:
        period = period_of(day, regime)
        periods.append(period)
        day = period.end + timedelta(days=1)
    return periods
