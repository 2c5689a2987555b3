from __future__ import annotations

from datetime import date

import pytest

from facturier.ereporting.calendar import period_of, periods_between


@pytest.mark.parametrize(
    ("day", "regime", "start", "end", "deadline"),
    [
        (date(2027, 9, 5), "normal_monthly", date(2027, 9, 1), date(2027, 9, 10), date(2027, 9, 20)),
        (date(2027, 9, 15), "normal_monthly", date(2027, 9, 11), date(2027, 9, 20), date(2027, 9, 30)),
        (date(2027, 9, 30), "normal_monthly", date(2027, 9, 21), date(2027, 9, 30), date(2027, 10, 10)),
        (date(2027, 9, 30), "normal_quarterly", date(2027, 9, 1), date(2027, 9, 30), date(2027, 10, 10)),
        (date(2027, 9, 30), "simplified", date(2027, 9, 1), date(2027, 9, 30), date(2027, 10, 31)),
        (date(2027, 9, 30), "franchise", date(2027, 9, 1), date(2027, 10, 31), date(2027, 11, 30)),
        (date(2027, 12, 2), "franchise", date(2027, 11, 1), date(2027, 12, 31), date(2028, 1, 31)),
        (date(2028, 2, 29), "franchise", date(2028, 1, 1), date(2028, 2, 29), date(2028, 3, 31)),
    ],
)
def test_period_and_deadline_by_regime(day, regime, start, end, deadline):
    period = period_of(day, regime)
    assert (period.start, period.end, period.deadline) == (start, end, deadline)


def test_ten_day_periods_tile_a_month():
    periods = periods_between(date(2027, 2, 1), date(2027, 2, 28), "normal_monthly")
    assert [(p.start.day, p.end.day) for p in periods] == [(1, 10), (11, 20), (21, 28)]
