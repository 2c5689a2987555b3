from decimal import Decimal

import pytest

from facturier.tax.eu import (
    EU_MEMBER_STATES,
    FRENCH_RATES_TEXT,
    format_rate_fr,
    is_eu_member,
    is_french_rate,
    normalize_country,
    standard_rate,
    vat_prefix,
)


def test_the_union_has_27_member_states():
    assert len(EU_MEMBER_STATES) == 27
    assert "GB" not in EU_MEMBER_STATES
    assert "XI" not in EU_MEMBER_STATES


@pytest.mark.parametrize(
    ("_case", "country", "rate"),
    [
        ("france", "FR", "20"),
        ("germany", "DE", "19"),
        ("belgium", "BE", "21"),
        ("spain", "ES", "21"),
        ("italy", "IT", "22"),
        ("netherlands", "NL", "21"),
        ("poland", "PL", "23"),
        ("luxembourg", "LU", "17"),
        ("austria", "AT", "20"),
        ("portugal", "PT", "23"),
        ("ireland", "IE", "23"),
        ("finland_since_sept_2024", "FI", "25.5"),
        ("denmark", "DK", "25"),
        ("sweden", "SE", "25"),
        ("hungary", "HU", "27"),
        ("romania_since_aug_2025", "RO", "21"),
        ("slovakia_since_2025", "SK", "23"),
        ("estonia_since_july_2025", "EE", "24"),
        ("greece_by_iso_code", "GR", "24"),
        ("greece_by_vat_prefix", "EL", "24"),
        ("lower_case_with_spaces", " de ", "19"),
    ],
)
def test_standard_rate(_case, country, rate):
    assert standard_rate(country) == Decimal(rate)


@pytest.mark.parametrize(
    ("_case", "country"), [("uk", "GB"), ("northern_ireland", "XI"), ("swiss", "CH"), ("empty", "")]
)
def test_standard_rate_refuses_non_members(_case, country):
    with pytest.raises(ValueError, match="is not an EU member state"):
        standard_rate(country)


@pytest.mark.parametrize(
    ("_case", "code", "member"),
    [
        ("fr", "fr", True),
        ("el_alias", "EL", True),
        ("gr", "GR", True),
        ("us", "US", False),
        ("gb", "GB", False),
    ],
)
def test_is_eu_member(_case, code, member):
    assert is_eu_member(code) is member


def test_greek_prefix_quirk():
    assert normalize_country("el") == "GR"
    assert vat_prefix("GR") == "EL"
    assert vat_prefix("EL") == "EL"
    assert vat_prefix("de") == "DE"


def test_french_rates():
    assert [is_french_rate(Decimal(r)) for r in ("20", "10", "5.5", "2.1", "5.50", "19.6", "7", "0")] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert FRENCH_RATES_TEXT == "20, 10, 5,5 ou 2,1"
    assert format_rate_fr(Decimal("20.00")) == "20"
    assert format_rate_fr(Decimal("25.5")) == "25,5"
