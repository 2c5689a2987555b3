"""A product's VAT rate when the seller has not set one: inferred from its EAN (ISBN -> book, ISSN -> press)
in the rate country's reduced-rate table, else the seller's default (issue #15 item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturier.tax.eu import EU_MEMBER_STATES
from facturier.tax.products import BOOK, PRESS, product_category
from facturier.tax.reduced_rates import REDUCED_RATES, category_rate, rates_of
from facturier.tax.regimes import LineRate, VatRegime, choose_line_rate

FRENCH_VAT = VatRegime(case="B_OSS", rate_country="FR", category="S", seller_vat_number_to_print="BE0477472701",
                       uses_sku_rates=True)  # fmt: skip
BELGIAN_VAT = VatRegime(case="A_HOME_STATE", rate_country="BE", category="S",
                        seller_vat_number_to_print="BE0477472701", uses_sku_rates=False)  # fmt: skip


@pytest.mark.parametrize(
    ("gtin", "expected"),
    [
        ("9782070612758", BOOK),  # Le Petit Prince, ISBN 978-2-07-061275-8
        ("978-2-07-061275-8", BOOK),
        ("9796358131824", BOOK),  # 979 range
        ("9782070612759", None),  # wrong check digit: not an ISBN
        ("9773938481364", PRESS),  # ISSN range 977
        ("3401758352767", None),  # an ordinary product
        ("", None),
    ],
)
def test_product_category_from_the_ean(gtin, expected):
    assert product_category(gtin) == expected


def test_the_book_table_has_every_member_state_but_the_three_left_to_the_default():
    # DK (abolition announced, not confirmed), LV (5 % only for some languages), SK (sources conflict).
    assert EU_MEMBER_STATES - set(REDUCED_RATES[BOOK]) == {"DK", "LV", "SK"}
    assert (category_rate("BE", BOOK), category_rate("DE", BOOK), category_rate("FR", BOOK)) == (
        Decimal("6"), Decimal("7"), Decimal("5.5"),
    )  # fmt: skip
    assert category_rate("FR", PRESS) == Decimal("2.1")
    assert rates_of("BE") == (Decimal("21"), Decimal("6"))


@pytest.mark.parametrize(
    ("country", "category", "expected"),
    [
        ("FI", BOOK, Decimal("13.5")),  # 14 -> 13.5 on 1 Jan 2026
        ("FI", PRESS, Decimal("10")),
        ("LT", BOOK, Decimal("5")),  # 9 -> 5 on 1 Jan 2026
        ("CY", BOOK, Decimal("3")),
        ("RO", BOOK, Decimal("11")),  # 5 -> 11 on 1 Aug 2025
        ("CZ", BOOK, Decimal("0")),
        ("EE", PRESS, Decimal("9")),
        ("DK", BOOK, None),
        ("LV", BOOK, None),
        ("SK", BOOK, None),
        ("IE", PRESS, None),  # newspapers 0 %, other periodicals 9 %: an ISSN does not tell
        ("DK", PRESS, None),
    ],
)
def test_checked_rates_and_the_ones_left_to_the_default(country, category, expected):
    assert category_rate(country, category) == expected


@pytest.mark.parametrize(
    ("_case", "regime", "sku_rate", "category", "expected"),
    [
        ("French VAT, seller's SKU rate wins", FRENCH_VAT, Decimal("10"), BOOK, LineRate(Decimal("10"), "sku")),
        ("French VAT, ISBN book", FRENCH_VAT, None, BOOK, LineRate(Decimal("5.5"), "inferred")),
        ("French VAT, ISSN press", FRENCH_VAT, None, PRESS, LineRate(Decimal("2.1"), "inferred")),
        ("French VAT, unknown product", FRENCH_VAT, None, None, LineRate(Decimal("20"), "default")),
        ("Belgian VAT, ISBN book", BELGIAN_VAT, None, BOOK, LineRate(Decimal("6"), "inferred")),
        ("Belgian VAT, a French SKU rate means nothing", BELGIAN_VAT, Decimal("5.5"), BOOK,
         LineRate(Decimal("6"), "inferred")),
        ("Belgian VAT, a Belgian SKU rate", BELGIAN_VAT, Decimal("6.00"), None, LineRate(Decimal("6.00"), "sku")),
        ("Belgian VAT, unknown product", BELGIAN_VAT, None, None, LineRate(Decimal("21"), "default")),
    ],
)  # fmt: skip
def test_choose_line_rate_and_its_source(_case, regime, sku_rate, category, expected):
    assert choose_line_rate(regime, sku_rate=sku_rate, default_rate=Decimal("20"), category=category) == expected
