"""Facturier's monthly fee: the tier table, in ONE place, versioned by the date it takes effect.

A price change adds a new TierTable with a later `valid_from`; past months keep being priced (and re-priced by a
rerun) with the table that was in force for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from facturier.billing.usage import count_invoices


@dataclass(frozen=True)
class Tier:
    label: str
    min_invoices: int
    max_invoices: int | None  # None: no upper bound
    amount_excl_vat: Decimal

    def covers(self, count: int) -> bool:
        return count >= self.min_invoices and (self.max_invoices is None or count <= self.max_invoices)


@dataclass(frozen=True)
class TierTable:
    valid_from: date
    tiers: tuple[Tier, ...]


TIER_TABLES: tuple[TierTable, ...] = (
    TierTable(
        valid_from=date(2025, 1, 1),
        tiers=(
            Tier("0-100", 0, 100, Decimal("9.99")),
            Tier("101-200", 101, 200, Decimal("19.99")),
            Tier("201-300", 201, 300, Decimal("29.99")),
            Tier("301+", 301, None, Decimal("39.99")),
        ),
    ),
)


class NoTierTable(LookupError):
    pass


def table_for(month: date, tables: tuple[TierTable, ...] = TIER_TABLES) -> TierTable:
    """The table in force on the first day of `month`."""
    first_day = month.replace(day=1)
    in_force = [table for table in tables if table.valid_from <= first_day]
    if not in_force:
        raise NoTierTable(f"no fee table in force for {first_day:%Y-%m}")
    return max(in_force, key=lambda table: table.valid_from)


def fee_for(count: int, month: date, tables: tuple[TierTable, ...] = TIER_TABLES) -> Tier:
    """The tier that prices `count` invoices issued in `month`."""
    if count < 0:
        raise ValueError("an invoice count cannot be negative")
    for tier in table_for(month, tables).tiers:
        if tier.covers(count):
            return tier
    raise NoTierTable(f"no tier covers {count} invoices in {month:%Y-%m}")


@dataclass(frozen=True)
class ProjectedFee:
    month: date
    invoice_count: int
    tier: Tier


def projected_fee(seller, today: date) -> ProjectedFee:
    """This month's fee if the month ended today: the invoices issued so far (Europe/Paris month), counted where
    the fee invoice counts them (`usage.count_invoices`)."""
    month = today.replace(day=1)
    count = count_invoices(seller, month)
    return ProjectedFee(month=month, invoice_count=count, tier=fee_for(count, month))
