from datetime import date
from decimal import Decimal

import pytest

from facturier.billing.tiers import TIER_TABLES, NoTierTable, Tier, TierTable, fee_for

OCTOBER = date(2026, 10, 1)


@pytest.mark.parametrize(
    ("count", "label", "amount"),
    [
        (0, "0-100", "9.99"),
        (100, "0-100", "9.99"),
        (101, "101-200", "19.99"),
        (200, "101-200", "19.99"),
        (201, "201-300", "29.99"),
        (300, "201-300", "29.99"),
        (301, "301+", "39.99"),
        (100_000, "301+", "39.99"),
    ],
)
def test_fee_for_each_boundary(count, label, amount):
    tier = fee_for(count, OCTOBER)

    assert (tier.label, tier.amount_excl_vat) == (label, Decimal(amount))


def test_a_later_price_table_never_reprices_past_months():
    raised = TierTable(date(2027, 3, 1), (Tier("tout", 0, None, Decimal("12.00")),))
    tables = (*TIER_TABLES, raised)

    assert fee_for(50, date(2027, 2, 1), tables).amount_excl_vat == Decimal("9.99")
    assert fee_for(50, date(2027, 3, 1), tables).amount_excl_vat == Decimal("12.00")
    assert fee_for(50, date(2027, 3, 17), tables).amount_excl_vat == Decimal("12.00")


def test_a_month_before_any_table_and_negative_counts_are_refused():
    with pytest.raises(NoTierTable):
        fee_for(10, date(2024, 12, 1))
    with pytest.raises(ValueError, match="negative"):
        fee_for(-1, OCTOBER)
