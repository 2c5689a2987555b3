from decimal import Decimal as D

import pytest

from facturier.tax.allocation import (
    Allocation,
    AllocationError,
    GrossLine,
    NetLine,
    RateTotal,
    allocate,
    allocate_order,
    allocate_refund,
    is_shipping_key,
    split_shipping,
    taxable_base,
)

WORKED_EXAMPLE = [
    GrossLine("jeu", D("1"), D("59.99"), D("20")),
    GrossLine("livre", D("2"), D("24.00"), D("5.5")),
]


def test_worked_example_from_the_reference_pays_to_the_cent():
    # §3.5: rounding the unit price first (11.37 x 2) would give 83.98; per-rate allocation gives 83.99.
    assert allocate(WORKED_EXAMPLE) == Allocation(
        lines=(
            NetLine("jeu", D("1"), D("20"), D("49.99"), D("49.9900"), D("59.99")),
            # 11.37 is 12.00 net of 5.5 % to the cent; no quantity-1 line at 5.5 % can take the spare cent.
            NetLine("livre", D("2"), D("5.5"), D("22.75"), D("11.3700"), D("24.00")),
        ),
        totals=(
            RateTotal(D("20"), D("49.99"), D("10.00"), D("59.99")),
            RateTotal(D("5.5"), D("22.75"), D("1.25"), D("24.00")),
        ),
        total_net=D("72.74"),
        total_vat=D("11.25"),
        total_gross=D("83.99"),
    )


def test_base_is_spread_by_largest_remainder_with_ties_to_the_first_line():
    # base = round(3.00 / 1.2) = 2.50; each line is owed 0.8333..., the spare cent goes to the first.
    lines = [GrossLine(key, D("1"), D("1.00"), D("20")) for key in ("a", "b", "c")]
    allocation = allocate(lines)
    assert [line.net_amount for line in allocation.lines] == [D("0.84"), D("0.83"), D("0.83")]
    assert allocation.totals == (RateTotal(D("20"), D("2.50"), D("0.50"), D("3.00")),)


def test_largest_remainder_goes_to_the_largest_fraction_not_the_first_line():
    # G = 12.00, base = 10.00; owed 1.6667 and 8.3333 -> floors 1.66 + 8.33, the spare cent to "a" (.0067).
    lines = [GrossLine("a", D("1"), D("2.00"), D("20")), GrossLine("b", D("1"), D("10.00"), D("20"))]
    assert [line.net_amount for line in allocate(lines).lines] == [D("1.67"), D("8.33")]


def test_unit_price_is_the_unit_gross_net_of_vat_to_the_cent():
    allocation = allocate([GrossLine("a", D("3"), D("12.00"), D("20"))])
    assert (allocation.lines[0].net_amount, allocation.lines[0].unit_net_price) == (D("10.00"), D("3.3300"))


def test_the_same_item_has_one_unit_price_and_shipping_takes_the_cents():
    # 9.55 incl. 20 % is 7.9583 net: 7.96 on both lines of the item. base = round(44.20 / 1.2) = 36.83, one cent
    # less than 7.96 + 3 x 7.96 + 5.00: the shipping line (quantity 1, its own price) takes it.
    allocation = allocate([
        GrossLine("a", D("1"), D("9.55"), D("20")),
        GrossLine("b", D("3"), D("28.65"), D("20")),
        GrossLine("shipping@20", D("1"), D("6.00"), D("20")),
    ])
    assert [(line.net_amount, line.unit_net_price) for line in allocation.lines] == [
        (D("7.96"), D("7.9600")),
        (D("23.88"), D("7.9600")),
        (D("4.99"), D("4.9900")),
    ]
    assert allocation.totals == (RateTotal(D("20"), D("36.83"), D("7.37"), D("44.20")),)


def test_zero_rate_and_free_lines():
    allocation = allocate([GrossLine("k", D("2"), D("30.00"), D("0")), GrossLine("cadeau", D("1"), D("0.00"), D("0"))])
    assert [line.net_amount for line in allocation.lines] == [D("30.00"), D("0.00")]
    assert allocation.totals == (RateTotal(D("0"), D("30.00"), D("0.00"), D("30.00")),)


def test_totals_are_sorted_by_rate_and_lines_keep_their_order():
    allocation = allocate(
        [
            GrossLine("a", D("1"), D("10.55"), D("5.5")),
            GrossLine("b", D("1"), D("12.00"), D("20")),
            GrossLine("c", D("1"), D("11.00"), D("10")),
        ]
    )
    assert [line.key for line in allocation.lines] == ["a", "b", "c"]
    assert allocation.totals == (
        RateTotal(D("20"), D("10.00"), D("2.00"), D("12.00")),
        RateTotal(D("10"), D("10.00"), D("1.00"), D("11.00")),
        RateTotal(D("5.5"), D("10.00"), D("0.55"), D("10.55")),
    )


@pytest.mark.parametrize(
    ("_case", "gross", "rate", "base"),
    [
        ("reachable_20", D("59.99"), D("20"), D("49.99")),
        ("reachable_5_5", D("24.00"), D("5.5"), D("22.75")),
        # 0.03 / 1.2 = 0.025 -> 0.03 (half up); no base b has b + round(b x 20 %) = 0.03.
        ("unreachable_gross", D("0.03"), D("20"), D("0.03")),
    ],
)
def test_taxable_base(_case, gross, rate, base):
    assert taxable_base(gross, rate) == base


@pytest.mark.parametrize(
    ("_case", "lines", "message"),
    [
        ("duplicate_key", [GrossLine("a", D("1"), D("1.00"), D("20"))] * 2, "line keys must be unique"),
        ("negative_gross", [GrossLine("a", D("1"), D("-1.00"), D("20"))], "a: amount must be a non-negative"),
        ("sub_cent_gross", [GrossLine("a", D("1"), D("1.005"), D("20"))], "a: amount must be a non-negative"),
        ("zero_quantity", [GrossLine("a", D("0"), D("1.00"), D("20"))], "a: quantity must be positive"),
        ("negative_rate", [GrossLine("a", D("1"), D("1.00"), D("-5"))], "a: VAT rate must not be negative"),
    ],
)
def test_allocate_refuses_bad_lines(_case, lines, message):
    with pytest.raises(AllocationError, match=message):
        allocate(lines)


def test_shipping_single_rate_is_one_line():
    goods = [GrossLine("a", D("1"), D("10.00"), D("20")), GrossLine("b", D("1"), D("5.00"), D("20"))]
    assert split_shipping(D("4.99"), goods) == [GrossLine("shipping@20", D("1"), D("4.99"), D("20"))]


def test_shipping_is_split_pro_rata_to_each_rate_gross():
    # 4.99 x 59.99 / 83.99 = 3.5642, 4.99 x 24.00 / 83.99 = 1.4258; the spare cent goes to .4258 (.0058).
    assert split_shipping(D("4.99"), WORKED_EXAMPLE) == [
        GrossLine("shipping@20", D("1"), D("3.56"), D("20")),
        GrossLine("shipping@5.5", D("1"), D("1.43"), D("5.5")),
    ]


def test_shipping_on_free_goods_takes_the_highest_rate():
    goods = [GrossLine("a", D("1"), D("0.00"), D("5.5")), GrossLine("b", D("1"), D("0.00"), D("20"))]
    assert split_shipping(D("3.00"), goods) == [GrossLine("shipping@20", D("1"), D("3.00"), D("20"))]


def test_no_shipping_gives_no_line():
    assert split_shipping(D("0.00"), WORKED_EXAMPLE) == []


def test_shipping_needs_goods():
    with pytest.raises(AllocationError, match="shipping needs at least one goods line"):
        split_shipping(D("4.99"), [])


def test_order_with_shipping_matches_what_was_paid():
    allocation = allocate_order(WORKED_EXAMPLE, D("4.99"))
    # 20 %: G = 59.99 + 3.56 = 63.55, base = 52.96 (63.55 / 1.2 = 52.958); 5.5 %: G = 25.43, base = 24.10.
    assert allocation.totals == (
        RateTotal(D("20"), D("52.96"), D("10.59"), D("63.55")),
        RateTotal(D("5.5"), D("24.10"), D("1.33"), D("25.43")),
    )
    assert allocation.total_gross == D("88.98")
    assert [(line.key, line.net_amount) for line in allocation.lines] == [
        ("jeu", D("49.99")),
        ("livre", D("22.74")),
        ("shipping@20", D("2.97")),
        ("shipping@5.5", D("1.36")),
    ]
    assert [is_shipping_key(line.key) for line in allocation.lines] == [False, False, True, True]


def test_full_refund_reproduces_the_invoice():
    invoice = allocate_order(WORKED_EXAMPLE, D("4.99"))
    assert allocate_refund(invoice, D("88.98")) == invoice


def test_partial_refund_is_pro_rata_over_all_lines():
    invoice = allocate(WORKED_EXAMPLE)
    refund = allocate_refund(invoice, D("10.00"))
    # Gross: 10 x 59.99/83.99 = 7.1425 -> 7.14, 10 x 24/83.99 = 2.8575 -> 2.86 (larger remainder).
    # Bases: 7.14 / 1.2 = 5.95; 2.86 / 1.055 = 2.7109 -> 2.71. Partly refunded lines have quantity 1.
    assert refund.lines == (
        NetLine("jeu", D("1"), D("20"), D("5.95"), D("5.9500"), D("7.14")),
        NetLine("livre", D("1"), D("5.5"), D("2.71"), D("2.7100"), D("2.86")),
    )
    assert refund.totals == (
        RateTotal(D("20"), D("5.95"), D("1.19"), D("7.14")),
        RateTotal(D("5.5"), D("2.71"), D("0.15"), D("2.86")),
    )
    assert (refund.total_net, refund.total_vat, refund.total_gross) == (D("8.66"), D("1.34"), D("10.00"))


def test_refund_of_one_whole_line_keeps_its_quantity_and_amounts():
    invoice = allocate(WORKED_EXAMPLE)
    refund = allocate_refund(invoice, D("24.00"), ["livre"])
    assert refund.lines == (invoice.lines[1],)
    assert refund.totals == (invoice.totals[1],)


def test_successive_partial_refunds_never_exceed_the_invoice_vat():
    # Two refunds of 12.00 at 5.5 %: round(12 / 1.055) = 11.37 each would credit 0.63 + 0.63 = 1.26 VAT
    # against 1.25 invoiced. The second refund takes exactly what remains: 11.38 + 0.62.
    invoice = allocate(WORKED_EXAMPLE)
    first = allocate_refund(invoice, D("12.00"), ["livre"])
    second = allocate_refund(invoice, D("12.00"), ["livre"], previous_refunds=[first])
    assert first.totals == (RateTotal(D("5.5"), D("11.37"), D("0.63"), D("12.00")),)
    assert second.totals == (RateTotal(D("5.5"), D("11.38"), D("0.62"), D("12.00")),)


@pytest.mark.parametrize(
    ("_case", "amount", "keys", "previous", "message"),
    [
        ("more_than_paid", D("84.00"), None, 0, "refund of 84.00 must be positive and at most 83.99"),
        ("more_than_the_line", D("24.01"), ["livre"], 0, "refund of 24.01 must be positive and at most 24.00"),
        ("zero", D("0.00"), None, 0, "refund of 0.00 must be positive and at most 83.99"),
        ("sub_cent", D("1.001"), None, 0, "refund: amount must be a non-negative number of cents"),
        ("unknown_line", D("1.00"), ["nope"], 0, r"unknown invoice lines: \['nope'\]"),
        ("already_refunded", D("0.01"), ["livre"], 1, "refund of 0.01 must be positive and at most 0.00"),
    ],
)
def test_refund_refusals(_case, amount, keys, previous, message):
    invoice = allocate(WORKED_EXAMPLE)
    earlier = [allocate_refund(invoice, D("24.00"), ["livre"])] * previous
    with pytest.raises(AllocationError, match=message):
        allocate_refund(invoice, amount, keys, previous_refunds=earlier)


def test_previous_refunds_must_belong_to_the_invoice():
    invoice = allocate(WORKED_EXAMPLE)
    other = allocate([GrossLine("autre", D("1"), D("5.00"), D("20"))])
    with pytest.raises(AllocationError, match="previous refund line 'autre' is not on the invoice"):
        allocate_refund(invoice, D("1.00"), previous_refunds=[other])
