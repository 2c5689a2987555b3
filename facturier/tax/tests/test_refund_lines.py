"""Refunds naming their lines (tax.refund_lines): exactly those lines, then their shipping; property-tested
over random baskets and refund sequences (issue #15 item 3)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facturier.tax.allocation import (
    AllocationError,
    GrossLine,
    allocate_order,
    allocate_refund_parts,
    is_shipping_key,
    remaining_gross,
)
from facturier.tax.refund_lines import RefundSplit, split_line_refund

RATES = [Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1")]


def invoice(*lines, shipping="0.00"):
    goods = [
        GrossLine(f"L{i}", Decimal(qty), Decimal(gross), Decimal(rate)) for i, (rate, qty, gross) in enumerate(lines)
    ]
    return allocate_order(goods, Decimal(shipping))


def keys(allocation):
    goods = [line.key for line in allocation.lines if not is_shipping_key(line.key)]
    return goods, [line.key for line in allocation.lines if is_shipping_key(line.key)]


def test_a_line_and_its_shipping_share_at_that_line_s_rate():
    original = invoice(("20", 1, "24.90"), ("5.5", 1, "19.95"), shipping="6.40")
    _, shipping = keys(original)

    split = split_line_refund(original, Decimal("22.45"), ["L1"], shipping)

    assert split == RefundSplit({"L1": Decimal("19.95"), "shipping@5.5": Decimal("2.50")}, {"L1": Decimal("1")})


def test_shipping_beyond_the_line_s_rate_share_spills_onto_the_other_rates_shipping():
    original = invoice(("20", 1, "100.00"), ("5.5", 1, "5.00"), shipping="2.10")  # 2.00 at 20 %, 0.10 at 5.5 %
    _, shipping = keys(original)

    split = split_line_refund(original, Decimal("6.00"), ["L1"], shipping)

    assert split.parts == {"L1": Decimal("5.00"), "shipping@5.5": Decimal("0.10"), "shipping@20": Decimal("0.90")}


def test_whole_units_of_a_line_are_credited_as_units():
    original = invoice(("20", 4, "40.00"))

    assert split_line_refund(original, Decimal("30.00"), ["L0"], []) == RefundSplit(
        {"L0": Decimal("30.00")}, {"L0": Decimal("3")}
    )
    assert split_line_refund(original, Decimal("7.00"), ["L0"], []) == RefundSplit({"L0": Decimal("7.00")}, {})


def test_more_than_the_lines_and_the_shipping_left_is_refused():
    original = invoice(("20", 1, "10.00"), shipping="1.00")
    with pytest.raises(AllocationError):
        split_line_refund(original, Decimal("11.01"), ["L0"], ["shipping@20"])


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.sampled_from(RATES), st.integers(1, 5), st.integers(1, 20_000)), min_size=1, max_size=6),
    st.integers(0, 3_000),
    st.data(),
)
def test_each_credit_note_is_exactly_the_refund_on_the_named_lines_and_shipping(basket, shipping_cents, data):
    lines = [(str(rate), quantity, str(Decimal(cents) / 100)) for rate, quantity, cents in basket]
    original = invoice(*lines, shipping=str(Decimal(shipping_cents) / 100))
    goods, shipping = keys(original)
    previous = []
    for _ in range(3):
        named = data.draw(st.lists(st.sampled_from(goods), min_size=1, unique=True))
        left = remaining_gross(original, previous)
        ceiling = sum(left[k] for k in named) + sum(left[k] for k in shipping)
        if ceiling <= 0:
            break
        amount = Decimal(data.draw(st.integers(1, int(ceiling * 100)))) / 100
        try:
            split = split_line_refund(original, amount, named, shipping, previous_refunds=previous)
        except AllocationError:
            assert all(left[k] == 0 for k in named)
            break
        credit = allocate_refund_parts(original, split.parts, quantities=split.quantities, previous_refunds=previous)
        assert credit.total_gross == amount
        assert credit.total_net + credit.total_vat == amount
        assert {line.key for line in credit.lines} <= set(named) | set(shipping)
        assert all(split.parts.get(k, 0) == left[k] for k in named) or not set(split.parts) & set(shipping)
        previous.append(credit)
