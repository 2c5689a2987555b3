"""Which invoice lines a refund naming its lines gives money back on (invoicing-rules §4). [I]

A cancellation or a return credits exactly the lines it names, at their own rates: each named line up to
what remains of it, then anything refunded beyond the goods (their shipping) on the invoice's shipping
lines of the same rates. Less than the named goods on a single line credits the units it pays for when it
is a whole number of them (a partial return), otherwise exactly the amount on that line's rate.
Amount-only refunds (no line named) are not decided here: `allocation.allocate_refund` spreads them pro
rata over the whole invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from facturier.core.money import ZERO
from facturier.tax.allocation import Allocation, AllocationError, NetLine, remaining_gross, spread_cents


@dataclass(frozen=True)
class RefundSplit:
    parts: dict[str, Decimal]  # gross refunded, by invoice line key
    quantities: dict[str, Decimal] = field(default_factory=dict)  # units returned, where they are known


def split_line_refund(
    original: Allocation,
    refund_gross: Decimal,
    goods_keys: Sequence[str],
    shipping_keys: Sequence[str],
    *,
    previous_refunds: Sequence[Allocation] = (),
) -> RefundSplit:
    remaining = remaining_gross(original, previous_refunds)
    lines = {line.key: line for line in original.lines}
    chosen = [key for key in goods_keys if remaining[key] > 0]
    if not chosen:
        raise AllocationError("the refunded lines were already credited in full")
    goods_value = sum((remaining[key] for key in chosen), ZERO)
    if refund_gross >= goods_value:
        parts = {key: remaining[key] for key in chosen}
        quantities = {key: units for key in chosen if (units := _units(lines[key], remaining[key]))}
        extra = refund_gross - goods_value
        if extra:
            shipping = [lines[key] for key in shipping_keys]
            parts.update(_shipping_parts(extra, [lines[key] for key in chosen], shipping, remaining))
        return RefundSplit(parts, quantities)
    if len(chosen) == 1:
        key = chosen[0]
        units = _units(lines[key], refund_gross)
        return RefundSplit({key: refund_gross}, {key: units} if units else {})
    highs = [remaining[key] for key in chosen]
    shares = spread_cents(refund_gross, highs, [ZERO] * len(chosen), highs)
    return RefundSplit({key: share for key, share in zip(chosen, shares, strict=True) if share})


def _units(line: NetLine, gross: Decimal) -> Decimal | None:
    """How many whole units of `line` `gross` pays for; None when it is not a whole number of them."""
    units = gross * line.quantity / line.gross_amount if line.gross_amount else ZERO
    return units if units > 0 and units == units.to_integral_value() else None


def _shipping_parts(
    extra: Decimal, goods: Sequence[NetLine], shipping: Sequence[NetLine], remaining: dict[str, Decimal]
) -> dict[str, Decimal]:
    """`extra` on the shipping lines, those of the refunded goods' rates first (pro rata to those goods)."""
    highs = [remaining[line.key] for line in shipping]
    if extra > sum(highs, ZERO):
        raise AllocationError(f"refund exceeds the refunded lines and the shipping left by {extra - sum(highs, ZERO)}")
    weights = [sum((g.gross_amount for g in goods if g.rate == line.rate), ZERO) for line in shipping]
    shares = spread_cents(extra, weights, [ZERO] * len(shipping), highs)
    return {line.key: share for line, share in zip(shipping, shares, strict=True) if share}
