"""Property tests for the allocation (invoicing-rules §3.5) over random baskets.

What is checked, for every basket:
- the invoice total equals what the buyer paid (goods + shipping), to the cent;
- per rate, net + VAT = gross, and the lines' nets sum exactly to the rate's taxable amount (BR-CO-10);
- per rate, EN 16931 BR-S-09 (VAT = round(base x rate / 100)) holds exactly whenever some base can meet it
  for that gross, and otherwise misses by exactly 0.01 (the official schematron tolerates up to 1.00);
- every net has 2 decimals, every unit price 4, and 0 <= net <= gross on each line;
- credit notes, however many, never exceed the invoice per line or per rate, and refunding what remains
  makes them add up to the invoice exactly. Their VAT is clamped to what remains of the invoice's, so
  BR-S-09 is only held to the official schematron tolerance (|VAT - round(base x rate)| <= 1.00); a few
  cents of gap can appear on the note that closes a series of partial refunds.
"""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from facturier.core.money import CENT, quantize
from facturier.tax.allocation import GrossLine, allocate_order, allocate_refund, split_shipping

RATES = [Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"), Decimal("0")]
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, database=None)

cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
line_strategy = st.tuples(st.sampled_from(RATES), st.integers(min_value=1, max_value=20), cents)
basket_strategy = st.lists(line_strategy, min_size=1, max_size=30)
shipping_strategy = st.integers(min_value=0, max_value=5_000).map(lambda c: Decimal(c) / 100)


def _goods(basket):
    return [GrossLine(f"line-{i}", Decimal(quantity), gross, rate) for i, (rate, quantity, gross) in enumerate(basket)]


def _br_s_09_achievable(gross, rate):
    centre = quantize(gross * 100 / (100 + rate))
    return any(b + quantize(b * rate / 100) == gross for b in (centre - CENT, centre, centre + CENT) if b >= 0)


@PROPERTY_SETTINGS
@given(basket_strategy, shipping_strategy)
def test_invoice_matches_payment_and_en16931_sums(basket, shipping):
    goods = _goods(basket)
    allocation = allocate_order(goods, shipping)
    paid = sum((line.gross_amount for line in goods), Decimal(0)) + shipping
    assert allocation.total_gross == paid
    assert allocation.total_net + allocation.total_vat == paid
    assert [t.rate for t in allocation.totals] == sorted({t.rate for t in allocation.totals}, reverse=True)
    for total in allocation.totals:
        lines = [line for line in allocation.lines if line.rate == total.rate]
        assert sum(line.net_amount for line in lines) == total.taxable_amount
        assert sum(line.gross_amount for line in lines) == total.gross_amount
        assert total.taxable_amount + total.tax_amount == total.gross_amount
        gap = abs(total.tax_amount - quantize(total.taxable_amount * total.rate / 100))
        assert gap == (Decimal("0.00") if _br_s_09_achievable(total.gross_amount, total.rate) else CENT)
    for line in allocation.lines:
        assert line.net_amount.as_tuple().exponent == -2
        assert line.unit_net_price.as_tuple().exponent == -4
        assert Decimal(0) <= line.net_amount <= line.gross_amount


@PROPERTY_SETTINGS
@given(basket_strategy, shipping_strategy)
def test_shipping_parts_add_up_and_follow_the_goods_rates(basket, shipping):
    goods = _goods(basket)
    parts = split_shipping(shipping, goods)
    assert sum((part.gross_amount for part in parts), Decimal(0)) == shipping
    assert {part.rate for part in parts} <= {line.rate for line in goods}
    assert len({part.rate for part in parts}) == len(parts)


@PROPERTY_SETTINGS
@given(basket_strategy, shipping_strategy, st.data())
def test_credit_notes_never_exceed_the_invoice(basket, shipping, data):
    invoice = allocate_order(_goods(basket), shipping)
    keys = [line.key for line in invoice.lines]
    refunds = []
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        chosen = data.draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
        left = _remaining_gross(invoice, refunds, chosen)
        if left == 0:
            continue
        amount = Decimal(data.draw(st.integers(min_value=1, max_value=int(left * 100)))) / 100
        refunds.append(allocate_refund(invoice, amount, chosen, previous_refunds=refunds))
        _assert_within_invoice(invoice, refunds)
    rest = _remaining_gross(invoice, refunds, keys)
    if rest:
        refunds.append(allocate_refund(invoice, rest, previous_refunds=refunds))
    for refund in refunds:
        assert refund.total_net + refund.total_vat == refund.total_gross
        for total in refund.totals:
            assert abs(total.tax_amount - quantize(total.taxable_amount * total.rate / 100)) <= Decimal("1.00")
    assert _per_line(refunds) == {line.key: (line.gross_amount, line.net_amount) for line in invoice.lines}
    assert _per_rate(refunds) == {t.rate: (t.gross_amount, t.taxable_amount, t.tax_amount) for t in invoice.totals}


def _remaining_gross(invoice, refunds, keys):
    refunded = _per_line(refunds)
    return sum(
        (line.gross_amount - refunded.get(line.key, (0, 0))[0] for line in invoice.lines if line.key in keys),
        Decimal(0),
    )


def _per_line(refunds):
    sums = {}
    for refund in refunds:
        for line in refund.lines:
            gross, net = sums.get(line.key, (Decimal(0), Decimal(0)))
            sums[line.key] = (gross + line.gross_amount, net + line.net_amount)
    return sums


def _per_rate(refunds):
    sums = {}
    for refund in refunds:
        for total in refund.totals:
            gross, base, tax = sums.get(total.rate, (Decimal(0), Decimal(0), Decimal(0)))
            sums[total.rate] = (gross + total.gross_amount, base + total.taxable_amount, tax + total.tax_amount)
    return sums


def _assert_within_invoice(invoice, refunds):
    lines = _per_line(refunds)
    for line in invoice.lines:
        gross, net = lines.get(line.key, (Decimal(0), Decimal(0)))
        assert Decimal(0) <= net <= line.net_amount
        assert Decimal(0) <= gross - net <= line.gross_amount - line.net_amount
    rates = _per_rate(refunds)
    for total in invoice.totals:
        gross, base, tax = rates.get(total.rate, (Decimal(0), Decimal(0), Decimal(0)))
        assert gross <= total.gross_amount
        assert base <= total.taxable_amount
        assert tax <= total.tax_amount
