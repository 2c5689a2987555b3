"""The VAT of Facturier's own monthly fee (invoicing-rules §7), one case per kind of seller."""

from decimal import Decimal

import pytest

from facturier.tax.fees import (
    DOMESTIC,
    FR_VAT_NO_NUMBER,
    REVERSE_CHARGE,
    FeeAmounts,
    FeeBuyer,
    FeeVat,
    fee_amounts,
    fee_vat,
    vat_on_debits_applies,
)

AUTOLIQUIDATION = "Autoliquidation - reverse charge, art. 196 Directive 2006/112/CE"
FRENCH_20 = (Decimal("20.00"), "S", "", "")


@pytest.mark.parametrize(
    ("buyer", "case", "printed_number", "rate_category_reason_code"),
    [
        # (a) established in France: 20 %, its number printed as given
        (FeeBuyer("FR", "FR44732829320"), DOMESTIC, "FR44732829320", FRENCH_20),
        (FeeBuyer("fr", "", "FR44732829320"), DOMESTIC, "FR44732829320", FRENCH_20),
        # (a) under the franchise en base, without a VAT number: still charged 20 %
        (FeeBuyer("FR"), DOMESTIC, "", FRENCH_20),
        # (b) another member state with a valid number of that state: reverse charge, category AE
        (FeeBuyer("DE", "DE136695976"), REVERSE_CHARGE, "DE136695976",
         (Decimal("0.00"), "AE", AUTOLIQUIDATION, "VATEX-EU-AE")),
        (FeeBuyer("GR", "EL094014201"), REVERSE_CHARGE, "EL094014201",
         (Decimal("0.00"), "AE", AUTOLIQUIDATION, "VATEX-EU-AE")),
        (FeeBuyer("DE", "136695976"), REVERSE_CHARGE, "DE136695976",
         (Decimal("0.00"), "AE", AUTOLIQUIDATION, "VATEX-EU-AE")),
        # (c) no valid number of its own state: business status unproven, French VAT, no number printed
        (FeeBuyer("DE"), FR_VAT_NO_NUMBER, "", FRENCH_20),
        (FeeBuyer("DE", "DE136695977"), FR_VAT_NO_NUMBER, "", FRENCH_20),
        (FeeBuyer("DE", "ATU13585627"), FR_VAT_NO_NUMBER, "", FRENCH_20),
        (FeeBuyer("BE", "", "FR44732829320"), FR_VAT_NO_NUMBER, "", FRENCH_20),
        # outside the EU (not covered by §7): French VAT until the case is settled with an accountant
        (FeeBuyer("CH", "CHE123456789"), FR_VAT_NO_NUMBER, "", FRENCH_20),
    ],
)
def test_fee_vat_follows_the_sellers_establishment_and_vat_number(buyer, case, printed_number,
                                                                  rate_category_reason_code):
    rate, category, reason, code = rate_category_reason_code

    assert fee_vat(buyer) == FeeVat(case, rate, category, printed_number, reason, code)


@pytest.mark.parametrize(
    ("buyer", "excl_vat", "amounts"),
    [
        (FeeBuyer("FR"), "9.99", ("20.00", "9.99", "2.00", "11.99")),
        (FeeBuyer("FR"), "29.99", ("20.00", "29.99", "6.00", "35.99")),
        (FeeBuyer("FR"), "0.03", ("20.00", "0.03", "0.01", "0.04")),  # 0.006 rounds up to a cent
        (FeeBuyer("DE", "DE136695976"), "39.99", ("0.00", "39.99", "0.00", "39.99")),
        (FeeBuyer("DE"), "19.99", ("20.00", "19.99", "4.00", "23.99")),
    ],
)
def test_fee_amounts_round_the_vat_half_up_once(buyer, excl_vat, amounts):
    assert fee_amounts(Decimal(excl_vat), fee_vat(buyer)) == FeeAmounts(*(Decimal(value) for value in amounts))


def test_only_reverse_charge_is_free_of_french_vat():
    assert [fee_vat(buyer).french_vat for buyer in (FeeBuyer("FR"), FeeBuyer("DE", "DE136695976"), FeeBuyer("DE"))] \
        == [True, False, True]


@pytest.mark.parametrize(
    ("case", "opted", "applies"),
    [(DOMESTIC, True, True), (FR_VAT_NO_NUMBER, True, True), (REVERSE_CHARGE, True, False), (DOMESTIC, False, False)],
)
def test_the_debits_option_is_stated_only_where_french_vat_is_charged(case, opted, applies):
    assert vat_on_debits_applies(case, provider_opted=opted) is applies
