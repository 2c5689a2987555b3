"""Flux 10.3 aggregation (§A2.3): B2C sales per day x category x VAT-due option, with a per-rate breakdown.

The database sums the lines (net and gross per day, document kind, category and rate); a rate's VAT is its
gross minus its net, which is how the invoice's own breakdown was allocated (facturier.tax.allocation).
Credit notes count negatively on the day they are issued.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from facturier.accounts.models import Seller
from facturier.ereporting.scope import category_of, profile_of, reported_vat_cases
from facturier.invoicing.models import Invoice, InvoiceLine

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineSum:
    """Lines of one day, document kind, currency, line kind and rate, summed."""

    day: date
    credit_note: bool
    currency: str
    line_kind: str
    rate: Decimal
    net: Decimal
    gross: Decimal


@dataclass(frozen=True)
class RateAmounts:
    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class TransactionBlock:
    """One TG-31 `Transactions` block."""

    day: date
    currency: str
    category: str
    due_option: str  # TT-80; "" for goods, whose VAT falls due on delivery
    rates: tuple[RateAmounts, ...]

    @property
    def taxable(self) -> Decimal:
        return sum((r.taxable for r in self.rates), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((r.tax for r in self.rates), ZERO)


def aggregate(sums: Iterable[LineSum]) -> tuple[TransactionBlock, ...]:
    totals: dict[tuple, dict[Decimal, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO]))
    for line in sums:
        sign = -1 if line.credit_note else 1
        key = (line.day, line.currency, category_of(line.line_kind), "")
        amounts = totals[key][line.rate]
        amounts[0] += sign * line.net
        amounts[1] += sign * (line.gross - line.net)
    blocks = []
    for (day, currency, category, due), by_rate in sorted(totals.items()):
        rates = tuple(
            RateAmounts(rate, taxable, tax)
            for rate, (taxable, tax) in sorted(by_rate.items(), reverse=True)
            if taxable or tax
        )
        if rates:  # a day whose sales were all credited the same day has nothing left to report
            blocks.append(TransactionBlock(day, currency, category, due, rates))
    return tuple(blocks)


def b2c_documents(seller: Seller, start: date, end: date):
    """The seller's B2C documents of the period on which it owes French VAT."""
    return Invoice.objects.filter(
        seller=seller,
        issue_date__range=(start, end),
        vat_case__in=reported_vat_cases(profile_of(seller)),
    ).filter(
        # A business buyer without a VAT number is invoiced as a consumer (drafting.sale_context), so B2C here.
        Q(buyer_snapshot__vat_number="") | ~Q(buyer_snapshot__has_key="vat_number")
    )


def line_sums(seller: Seller, start: date, end: date) -> list[LineSum]:
    rows = (
        InvoiceLine.objects.filter(invoice__in=b2c_documents(seller, start, end))
        .values("invoice__issue_date", "invoice__kind", "invoice__currency", "kind", "vat_rate")
        .annotate(net=Sum("net_amount"), gross=Sum("gross_amount"))
        .order_by()
    )
    return [
        LineSum(
            day=row["invoice__issue_date"],
            credit_note=row["invoice__kind"] == Invoice.KIND_CREDIT_NOTE,
            currency=row["invoice__currency"],
            line_kind=row["kind"],
            rate=row["vat_rate"],
            # SQLite sums decimals as floats: back to cents (PostgreSQL's numeric sums are exact already).
            net=row["net"].quantize(ZERO),
            gross=row["gross"].quantize(ZERO),
        )
        for row in rows
    ]


def period_blocks(seller: Seller, start: date, end: date) -> tuple[TransactionBlock, ...]:
    return aggregate(line_sums(seller, start, end))
