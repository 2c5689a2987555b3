"""Prices including VAT -> invoice amounts (invoicing-rules §3.5, the recommended method). [I, verified]

Per VAT rate, G = what the buyer paid at that rate; base = round(G / (1 + rate)); VAT = G - base, so the VAT
is rounded once per rate (as EN 16931 BT-117 is) and the invoice total equals the payment to the cent.

Unit prices are what an accountant checks: each line's net unit price is its VAT-inclusive unit price net of
VAT, to the cent, so the same item at the same price has one unit price on the invoice; its net is quantity x
that price. The few cents between the sum of those nets and the rate's base go to a line of quantity 1 whose
price no other line shares (usually shipping), whose unit price simply becomes its net. Only when there is no
such line are the cents spread over the lines pro rata (largest remainder) and a line total may then differ
from quantity x unit price by those cents; the unit price stays the item's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

from facturier.core.money import CENT, ZERO, quantize, quantize_unit_price

HUNDRED = Decimal(100)
SHIPPING_KEY_PREFIX = "shipping@"


class AllocationError(ValueError):
    pass


@dataclass(frozen=True)
class GrossLine:
    key: str
    quantity: Decimal
    gross_amount: Decimal  # what the buyer paid for this line, VAT included
    rate: Decimal  # percent


@dataclass(frozen=True)
class NetLine:
    key: str
    quantity: Decimal
    rate: Decimal
    net_amount: Decimal  # 2 decimals (BT-131)
    unit_net_price: Decimal  # to the cent, stored with 4 decimals (BT-146)
    gross_amount: Decimal


@dataclass(frozen=True)
class RateTotal:
    rate: Decimal
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    gross_amount: Decimal


@dataclass(frozen=True)
class Allocation:
    lines: tuple[NetLine, ...]
    totals: tuple[RateTotal, ...]  # by rate, highest first
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal


def taxable_base(gross: Decimal, rate: Decimal) -> Decimal:
    """round(G / (1 + rate)). When some base b satisfies b + round(b x rate) = G, this is it (checked for
    every G up to 2 000 € at all EU rates); for the other G (about 7 %), no base can meet BR-S-09
    exactly and the VAT G - base differs from round(base x rate) by 0.01, within the ±1.00 tolerance."""
    return quantize(gross * HUNDRED / (HUNDRED + rate))


def spread_cents(
    total: Decimal, weights: Sequence[Decimal], lows: Sequence[Decimal], highs: Sequence[Decimal]
) -> list[Decimal]:
    """Split `total` (cents) pro rata to `weights` by largest remainder, each share kept within
    [low, high]; ties go to the earlier position. Requires sum(lows) <= total <= sum(highs)."""
    weight_sum = sum(weights, ZERO)
    targets = [total * w / weight_sum for w in weights] if weight_sum else list(lows)
    shares = [
        min(max(t.quantize(CENT, rounding=ROUND_FLOOR), lo), hi)
        for t, lo, hi in zip(targets, lows, highs, strict=True)
    ]
    leftover = total - sum(shares, ZERO)
    step = CENT if leftover > 0 else -CENT
    while leftover:
        eligible = [i for i in range(len(shares)) if lows[i] <= shares[i] + step <= highs[i]]
        if not eligible:
            raise AllocationError(f"cannot spread {total} within the given bounds")
        # Most under-served first when adding, most over-served first when taking back.
        eligible.sort(key=lambda i: (-(targets[i] - shares[i]) * step / CENT, i))
        for i in eligible[: int(abs(leftover) / CENT)]:
            shares[i] += step
            leftover -= step
    return shares


def allocate(lines: Sequence[GrossLine]) -> Allocation:
    _validate(lines)
    nets: list[Decimal] = [ZERO] * len(lines)
    totals: list[RateTotal] = []
    units: list[Decimal] = [ZERO] * len(lines)
    for rate, positions in _positions_by_rate(line.rate for line in lines):
        group = [lines[i] for i in positions]
        gross = sum((line.gross_amount for line in group), ZERO)
        base = taxable_base(gross, rate)
        group_nets, group_units = _nets_at_unit_prices(group, rate, base)
        for position, net, unit in zip(positions, group_nets, group_units, strict=True):
            nets[position], units[position] = net, unit
        totals.append(RateTotal(rate, base, gross - base, gross))
    net_lines = [
        NetLine(line.key, line.quantity, line.rate, net, quantize_unit_price(unit), line.gross_amount)
        for line, net, unit in zip(lines, nets, units, strict=True)
    ]
    return _assemble(net_lines, totals)


def net_unit_price(line: GrossLine, rate: Decimal) -> Decimal:
    """The line's VAT-inclusive unit price net of VAT, to the cent."""
    return quantize(line.gross_amount / line.quantity * HUNDRED / (HUNDRED + rate))


def _nets_at_unit_prices(
    group: Sequence[GrossLine], rate: Decimal, base: Decimal
) -> tuple[list[Decimal], list[Decimal]]:
    """Nets (summing to `base`) and unit prices of one rate's lines; see the module docstring."""
    units = [net_unit_price(line, rate) for line in group]
    nets = [quantize(min(unit * line.quantity, line.gross_amount)) for line, unit in zip(group, units, strict=True)]
    gap = base - sum(nets, ZERO)
    if not gap:
        return nets, units
    absorbers = _single_priced_lines(group)
    try:
        _spread_gap(gap, group, nets, absorbers)
    except AllocationError:
        absorbers = []
        _spread_gap(gap, group, nets, list(range(len(group))))
    for i in absorbers:
        units[i] = nets[i]
    return nets, units


def _single_priced_lines(group: Sequence[GrossLine]) -> list[int]:
    """Lines of quantity 1 whose unit price no other line of the rate has: their unit price may take cents."""
    prices = [line.gross_amount / line.quantity for line in group]
    return [i for i, line in enumerate(group) if line.quantity == 1 and prices.count(prices[i]) == 1]


def _spread_gap(gap: Decimal, group: Sequence[GrossLine], nets: list[Decimal], chosen: list[int]) -> None:
    """Adds `gap` to the nets of the `chosen` lines, pro rata to their gross, each net kept in [0, gross]."""
    if not chosen:
        raise AllocationError("no line to take the rounding cents")
    shares = spread_cents(
        gap,
        [group[i].gross_amount for i in chosen],
        [-nets[i] for i in chosen],
        [group[i].gross_amount - nets[i] for i in chosen],
    )
    for i, share in zip(chosen, shares, strict=True):
        nets[i] += share


def allocate_order(goods: Sequence[GrossLine], shipping_gross: Decimal = ZERO) -> Allocation:
    """Goods plus shipping (split by `split_shipping`) in one allocation."""
    return allocate([*goods, *split_shipping(shipping_gross, goods)])


def split_shipping(shipping_gross: Decimal, lines: Sequence[GrossLine]) -> list[GrossLine]:
    """Shipping charged to the buyer takes the rate of the goods (§3.1 [I]): one line per rate, split pro
    rata to each rate's goods gross by largest remainder; keys are "shipping@<rate>", highest rate first."""
    _check_cents(shipping_gross, "shipping")
    if shipping_gross == ZERO:
        return []
    if not lines:
        raise AllocationError("shipping needs at least one goods line to take its VAT rate from")
    grouped = _positions_by_rate(line.rate for line in lines)
    rates = [rate for rate, _ in grouped]
    weights = [sum((lines[i].gross_amount for i in positions), ZERO) for _, positions in grouped]
    if not any(weights):
        # Free goods only: nothing to prorate on; the highest rate is the prudent choice. [I]
        weights = [Decimal(1)] + [ZERO] * (len(rates) - 1)
    parts = spread_cents(shipping_gross, weights, [ZERO] * len(rates), [shipping_gross] * len(rates))
    return [
        GrossLine(key=shipping_key(rate), quantity=Decimal(1), gross_amount=part, rate=rate)
        for rate, part in zip(rates, parts, strict=True)
        if part
    ]


def shipping_key(rate: Decimal) -> str:
    return SHIPPING_KEY_PREFIX + format(rate.normalize(), "f")


def is_shipping_key(key: str) -> bool:
    return key.startswith(SHIPPING_KEY_PREFIX)


def _validate(lines: Sequence[GrossLine]) -> None:
    keys = [line.key for line in lines]
    if len(set(keys)) != len(keys):
        raise AllocationError(f"line keys must be unique: {keys}")
    for line in lines:
        _check_cents(line.gross_amount, line.key)
        if line.quantity <= 0:
            raise AllocationError(f"{line.key}: quantity must be positive, got {line.quantity}")
        if line.rate < 0:
            raise AllocationError(f"{line.key}: VAT rate must not be negative, got {line.rate}")


def _check_cents(amount: Decimal, label: str) -> None:
    if amount < 0 or quantize(amount) != amount:
        raise AllocationError(f"{label}: amount must be a non-negative number of cents, got {amount}")


def _positions_by_rate(rates: Iterable[Decimal]) -> list[tuple[Decimal, list[int]]]:
    """[(rate, positions)] highest rate first, positions in input order."""
    grouped: dict[Decimal, list[int]] = {}
    for position, rate in enumerate(rates):
        grouped.setdefault(rate, []).append(position)
    return sorted(grouped.items(), key=lambda item: item[0], reverse=True)


def _net_line(key: str, quantity: Decimal, rate: Decimal, net: Decimal, gross: Decimal) -> NetLine:
    return NetLine(
        key=key,
        quantity=quantity,
        rate=rate,
        net_amount=net,
        unit_net_price=quantize_unit_price(net / quantity),
        gross_amount=gross,
    )


def _assemble(lines: Sequence[NetLine], totals: Sequence[RateTotal]) -> Allocation:
    ordered = tuple(sorted(totals, key=lambda total: total.rate, reverse=True))
    return Allocation(
        lines=tuple(lines),
        totals=ordered,
        total_net=sum((t.taxable_amount for t in ordered), ZERO),
        total_vat=sum((t.tax_amount for t in ordered), ZERO),
        total_gross=sum((t.gross_amount for t in ordered), ZERO),
    )


def allocate_refund(
    original: Allocation,
    refund_gross: Decimal,
    line_keys: Iterable[str] | None = None,
    *,
    previous_refunds: Sequence[Allocation] = (),
) -> Allocation:
    """Credit-note amounts for a refund of `refund_gross` (VAT incl.) on `original`.

    The refund is spread pro rata over what remains of the original lines (all, or only `line_keys`)
    after `previous_refunds`. Each line's net and VAT stay within what remains of that line, so credit
    notes never exceed the invoice, per line and per rate, however many there are; refunding everything
    that remains gives exactly the remaining amounts (a full refund reproduces the invoice).
    A line refunded in full keeps its quantity; a partly refunded line has quantity 1.
    """
    remaining = _remaining(original, previous_refunds)
    chosen = _chosen_positions(original, remaining, line_keys)
    _check_cents(refund_gross, "refund")
    available = sum((remaining[i][0] for i in chosen), ZERO)
    if not ZERO < refund_gross <= available:
        raise AllocationError(f"refund of {refund_gross} must be positive and at most {available}")
    rem_gross = [remaining[i][0] for i in chosen]
    parts = spread_cents(refund_gross, rem_gross, [ZERO] * len(chosen), rem_gross)
    refunded = {position: part for position, part in zip(chosen, parts, strict=True) if part}
    return _refund_allocation(original, refunded, remaining)


def allocate_refund_parts(
    original: Allocation,
    parts: Mapping[str, Decimal],
    *,
    quantities: Mapping[str, Decimal] | None = None,
    previous_refunds: Sequence[Allocation] = (),
) -> Allocation:
    """Credit-note amounts when the caller has decided how much gross goes back on each line (`parts`, by
    line key); each line's net and VAT stay within what remains of it, as in `allocate_refund`.
    `quantities` names the quantity to show on a line (e.g. the units returned); by default, as above."""
    remaining = _remaining(original, previous_refunds)
    keys = [line.key for line in original.lines]
    unknown = set(parts) - set(keys)
    if unknown:
        raise AllocationError(f"unknown invoice lines: {sorted(unknown)}")
    refunded = {}
    for key, part in parts.items():
        _check_cents(part, key)
        position = keys.index(key)
        left = remaining[position][0]
        if part > left:
            raise AllocationError(f"{key}: refund of {part} exceeds what remains of the line ({left})")
        if part:
            refunded[position] = part
    if not refunded:
        raise AllocationError("refund must be positive")
    shown = {keys.index(key): quantity for key, quantity in (quantities or {}).items()}
    return _refund_allocation(original, refunded, remaining, shown)


def remaining_gross(original: Allocation, previous_refunds: Sequence[Allocation] = ()) -> dict[str, Decimal]:
    """What is still refundable (VAT incl.) on each line, by key, after `previous_refunds`."""
    remaining = _remaining(original, previous_refunds)
    return {line.key: gross for line, (gross, _net) in zip(original.lines, remaining, strict=True)}


def _refund_allocation(
    original: Allocation,
    refunded: dict[int, Decimal],
    remaining: Sequence[tuple[Decimal, Decimal]],
    quantities: Mapping[int, Decimal] | None = None,
) -> Allocation:
    """Per rate nets for the refunded gross of each line position; lines in invoice order."""
    refunded_positions = sorted(refunded)
    nets: dict[int, Decimal] = {}
    totals: list[RateTotal] = []
    for rate, indexes in _positions_by_rate(original.lines[i].rate for i in refunded_positions):
        positions = [refunded_positions[k] for k in indexes]
        rate_nets = _refund_nets(rate, [refunded[i] for i in positions], [remaining[i] for i in positions])
        nets.update(zip(positions, rate_nets, strict=True))
        gross = sum((refunded[i] for i in positions), ZERO)
        base = sum(rate_nets, ZERO)
        totals.append(RateTotal(rate, base, gross - base, gross))
    net_lines = []
    for position in refunded_positions:
        line = original.lines[position]
        # The whole original line refunded at once keeps its quantity; a partial refund is "1 x amount".
        whole = refunded[position] == line.gross_amount
        quantity = (quantities or {}).get(position, line.quantity if whole else Decimal(1))
        refund_line = _net_line(line.key, quantity, line.rate, nets[position], refunded[position])
        if whole:  # the item keeps the unit price it was invoiced at
            refund_line = replace(refund_line, unit_net_price=line.unit_net_price)
        net_lines.append(refund_line)
    return _assemble(net_lines, totals)


def _remaining(original: Allocation, previous: Sequence[Allocation]) -> list[tuple[Decimal, Decimal]]:
    """(gross, net) still refundable on each original line."""
    left = {line.key: (line.gross_amount, line.net_amount) for line in original.lines}
    for refund in previous:
        for line in refund.lines:
            if line.key not in left:
                raise AllocationError(f"previous refund line {line.key!r} is not on the invoice")
            gross, net = left[line.key]
            left[line.key] = (gross - line.gross_amount, net - line.net_amount)
    if any(gross < 0 or net < 0 or net > gross for gross, net in left.values()):
        raise AllocationError("previous refunds exceed the invoice")
    return [left[line.key] for line in original.lines]


def _chosen_positions(
    original: Allocation, remaining: Sequence[tuple[Decimal, Decimal]], line_keys: Iterable[str] | None
) -> list[int]:
    keys = [line.key for line in original.lines]
    wanted = set(keys) if line_keys is None else set(line_keys)
    unknown = wanted - set(keys)
    if unknown:
        raise AllocationError(f"unknown invoice lines: {sorted(unknown)}")
    return [i for i, key in enumerate(keys) if key in wanted and remaining[i][0] > 0]


def _refund_nets(
    rate: Decimal, parts: Sequence[Decimal], remaining: Sequence[tuple[Decimal, Decimal]]
) -> list[Decimal]:
    """Nets for one rate: the rate's base follows `taxable_base`, clamped so that on every line
    0 <= net <= remaining net and 0 <= VAT (part - net) <= remaining VAT."""
    lows = [max(ZERO, part - (gross - net)) for part, (gross, net) in zip(parts, remaining, strict=True)]
    highs = [min(net, part) for part, (_, net) in zip(parts, remaining, strict=True)]
    base = min(max(taxable_base(sum(parts, ZERO), rate), sum(lows, ZERO)), sum(highs, ZERO))
    # Weight each line by its own remaining net/gross ratio, so a line keeps its invoice proportions.
    weights = [net * part / gross for part, (gross, net) in zip(parts, remaining, strict=True)]
    return spread_cents(base, weights, lows, highs)
