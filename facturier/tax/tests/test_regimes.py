from decimal import Decimal

import pytest

from facturier.tax.regimes import RegimeError, SaleContext, VatProfile, VatRegime, choose_line_rate, decide_regime

FR_NUMBER = "FR44732829320"
DE_NUMBER = "DE136695976"
BE_BUYER = "BE0403170701"
FR_BUYER = "FR40303265045"

FR_SELLER = VatProfile("FR", fr_vat_number=FR_NUMBER)
FR_MICRO = VatProfile("FR", franchise_en_base=True)
DE_SMALL = VatProfile("DE")
DE_SMALL_WITH_FR_NUMBER = VatProfile("DE", fr_vat_number=FR_NUMBER)
DE_OSS = VatProfile("DE", oss_registered=True, above_distance_threshold=True)
DE_OSS_UNDER_THRESHOLD = VatProfile("DE", oss_registered=True)
DE_OSS_AND_FR_NUMBER = VatProfile("DE", oss_registered=True, fr_vat_number=FR_NUMBER, above_distance_threshold=True)
DE_FR_REGISTERED = VatProfile("DE", fr_vat_number=FR_NUMBER, above_distance_threshold=True)

FROM_FR = SaleContext("FR", "FR")
FROM_DE = SaleContext("DE", "FR")


def french_vat(case, number):
    return VatRegime(case=case, rate_country="FR", category="S", seller_vat_number_to_print=number, uses_sku_rates=True)


FRANCHISE = VatRegime(
    case="FRANCHISE",
    rate_country="FR",
    category="E",
    exemption_code="VATEX-FR-FRANCHISE",
    exemption_text="TVA non applicable, art. 293 B du CGI",
    seller_vat_number_to_print="",
    uses_sku_rates=False,
)
HOME_DE = VatRegime(
    case="A_HOME_STATE",
    rate_country="DE",
    category="S",
    seller_vat_number_to_print=DE_NUMBER,
    uses_sku_rates=False,
)
INTRA_EU = VatRegime(
    case="B2B_INTRA_EU_EXEMPT",
    rate_country="FR",
    category="K",
    exemption_code="VATEX-EU-IC",
    exemption_text="Exonération de TVA, art. 138 de la directive 2006/112/CE (livraison intracommunautaire)",
    seller_vat_number_to_print=DE_NUMBER,
    uses_sku_rates=False,
)


def reverse_charge(number):
    return VatRegime(
        case="B2B_REVERSE_CHARGE",
        rate_country="FR",
        category="AE",
        exemption_code="VATEX-EU-AE",
        exemption_text="Autoliquidation",
        mentions=("Autoliquidation : TVA due par le preneur, art. 283-1 du CGI",),
        seller_vat_number_to_print=number,
        uses_sku_rates=False,
    )


@pytest.mark.parametrize(
    ("_case", "profile", "sale", "home_number", "expected"),
    [
        ("fr_seller_domestic_b2c", FR_SELLER, FROM_FR, FR_NUMBER, french_vat("FR_DOMESTIC", FR_NUMBER)),
        (
            "fr_seller_domestic_b2b_no_reverse_charge",
            FR_SELLER,
            SaleContext("FR", "FR", True, FR_BUYER),
            FR_NUMBER,
            french_vat("FR_DOMESTIC", FR_NUMBER),
        ),
        (
            "fr_seller_home_number_when_profile_has_none",
            VatProfile("FR"),
            FROM_FR,
            FR_NUMBER,
            french_vat("FR_DOMESTIC", FR_NUMBER),
        ),
        ("fr_franchise_b2c", FR_MICRO, FROM_FR, "", FRANCHISE),
        ("fr_franchise_b2b", FR_MICRO, SaleContext("FR", "FR", True, FR_BUYER), "", FRANCHISE),
        ("a_home_state_under_threshold", DE_SMALL, FROM_DE, DE_NUMBER, HOME_DE),
        ("a_fr_number_alone_is_not_an_option", DE_SMALL_WITH_FR_NUMBER, FROM_DE, DE_NUMBER, HOME_DE),
        (
            "a_greek_seller_el_code",
            VatProfile("EL"),
            SaleContext("GR", "FR"),
            "EL094014201",
            VatRegime(
                case="A_HOME_STATE",
                rate_country="GR",
                category="S",
                seller_vat_number_to_print="EL094014201",
                uses_sku_rates=False,
            ),
        ),
        ("b_oss_over_threshold", DE_OSS, FROM_DE, DE_NUMBER, french_vat("B_OSS", DE_NUMBER)),
        ("b_oss_from_first_euro", DE_OSS_UNDER_THRESHOLD, FROM_DE, DE_NUMBER, french_vat("B_OSS", DE_NUMBER)),
        (
            "b_oss_wins_over_fr_number",
            DE_OSS_AND_FR_NUMBER,
            FROM_DE,
            DE_NUMBER,
            french_vat("B_OSS", DE_NUMBER),
        ),
        (
            "b_business_without_vat_number_is_a_consumer",
            DE_OSS,
            SaleContext("DE", "FR", True, ""),
            DE_NUMBER,
            french_vat("B_OSS", DE_NUMBER),
        ),
        (
            "b_vat_number_of_a_consumer_ignored",
            DE_OSS,
            SaleContext("DE", "FR", False, FR_BUYER),
            DE_NUMBER,
            french_vat("B_OSS", DE_NUMBER),
        ),
        (
            "c_fr_registered_no_oss",
            DE_FR_REGISTERED,
            FROM_DE,
            DE_NUMBER,
            french_vat("C_FR_REGISTERED", FR_NUMBER),
        ),
        (
            "d_stock_in_france",
            DE_SMALL_WITH_FR_NUMBER,
            FROM_FR,
            DE_NUMBER,
            french_vat("D_STOCK_IN_FRANCE", FR_NUMBER),
        ),
        (
            "d_oss_does_not_cover_stock_in_france",
            DE_OSS_AND_FR_NUMBER,
            FROM_FR,
            DE_NUMBER,
            french_vat("D_STOCK_IN_FRANCE", FR_NUMBER),
        ),
        (
            "d_belgian_business_buyer_pays_french_vat",
            DE_SMALL_WITH_FR_NUMBER,
            SaleContext("FR", "FR", True, BE_BUYER),
            DE_NUMBER,
            french_vat("D_STOCK_IN_FRANCE", FR_NUMBER),
        ),
        (
            "k_french_business_from_home_stock",
            DE_OSS,
            SaleContext("DE", "FR", True, FR_BUYER),
            DE_NUMBER,
            INTRA_EU,
        ),
        (
            "k_belgian_business_from_home_stock",
            DE_SMALL,
            SaleContext("DE", "FR", True, BE_BUYER),
            DE_NUMBER,
            INTRA_EU,
        ),
        (
            "k_buyer_number_lower_case",
            DE_SMALL,
            SaleContext("de", "fr", True, "fr40303265045"),
            DE_NUMBER,
            INTRA_EU,
        ),
        (
            "buyer_identified_in_departure_state_is_taxed_there",
            DE_OSS,
            SaleContext("DE", "FR", True, DE_NUMBER),
            DE_NUMBER,
            HOME_DE,
        ),
        (
            "ae_stock_in_france_french_business",
            DE_SMALL_WITH_FR_NUMBER,
            SaleContext("FR", "FR", True, FR_BUYER),
            DE_NUMBER,
            reverse_charge(FR_NUMBER),
        ),
        (
            "ae_needs_no_french_registration",
            DE_SMALL,
            SaleContext("FR", "FR", True, FR_BUYER),
            DE_NUMBER,
            reverse_charge(DE_NUMBER),
        ),
    ],
)
def test_decide_regime(_case, profile, sale, home_number, expected):
    assert decide_regime(profile, sale, home_vat_number=home_number) == expected


@pytest.mark.parametrize(
    ("_case", "profile", "sale", "home_number", "message"),
    [
        (
            "d_without_french_number",
            DE_SMALL,
            FROM_FR,
            DE_NUMBER,
            "Marchandise expédiée depuis la France (stock en France) : "
            "un numéro de TVA français est nécessaire pour facturer la TVA française. "
            "Renseignez-le dans votre profil TVA.",
        ),
        (
            "over_threshold_without_oss_or_french_number",
            VatProfile("DE", above_distance_threshold=True),
            FROM_DE,
            DE_NUMBER,
            "Seuil européen de 10 000 € de ventes à distance dépassé : "
            "la TVA française est due, "
            "mais le profil n'indique ni guichet unique OSS ni numéro de TVA français.",
        ),
        (
            "non_eu_seller",
            VatProfile("US"),
            SaleContext("US", "FR"),
            "",
            "Vendeur établi hors de l'Union européenne (US) : non pris en charge.",
        ),
        (
            "delivery_outside_france",
            DE_OSS,
            SaleContext("DE", "BE"),
            DE_NUMBER,
            "Livraison hors de France (BE) : non prise en charge.",
        ),
        (
            "stock_in_a_third_member_state",
            DE_OSS,
            SaleContext("IT", "FR"),
            DE_NUMBER,
            "Expédition depuis IT : seuls l'État d'établissement (DE) et la France sont pris en charge.",
        ),
        (
            "french_seller_stock_abroad",
            FR_SELLER,
            SaleContext("DE", "FR"),
            FR_NUMBER,
            "Expédition depuis DE : seuls l'État d'établissement (FR) et la France sont pris en charge.",
        ),
        (
            "franchise_outside_france",
            VatProfile("BE", franchise_en_base=True),
            SaleContext("BE", "FR"),
            BE_BUYER,
            "La franchise en base (art. 293 B du CGI) est réservée aux vendeurs établis en France.",
        ),
        (
            "missing_seller_vat_number",
            DE_SMALL,
            FROM_DE,
            " ",
            "Numéro de TVA du vendeur manquant : impossible d'émettre la facture.",
        ),
    ],
)
def test_decide_regime_refuses(_case, profile, sale, home_number, message):
    with pytest.raises(RegimeError) as caught:
        decide_regime(profile, sale, home_vat_number=home_number)
    assert str(caught.value) == message


FR_DOMESTIC = french_vat("FR_DOMESTIC", FR_NUMBER)


@pytest.mark.parametrize(
    ("_case", "regime", "sku_rate", "default_rate", "expected"),
    [
        ("sku_rate_wins", FR_DOMESTIC, Decimal("5.5"), Decimal("20"), Decimal("5.5")),
        ("no_sku_rate_uses_default", FR_DOMESTIC, None, Decimal("10"), Decimal("10")),
        ("oss_uses_sku_rate", french_vat("B_OSS", DE_NUMBER), Decimal("2.1"), Decimal("20"), Decimal("2.1")),
        ("home_state_standard_rate", HOME_DE, Decimal("5.5"), Decimal("20"), Decimal("19")),
        (
            "home_state_finland",
            VatRegime(
                case="A_HOME_STATE",
                rate_country="FI",
                category="S",
                seller_vat_number_to_print="FI20774740",
                uses_sku_rates=False,
            ),
            None,
            Decimal("20"),
            Decimal("25.5"),
        ),
        ("franchise_zero", FRANCHISE, Decimal("20"), Decimal("20"), Decimal("0")),
        ("intra_eu_zero", INTRA_EU, Decimal("5.5"), Decimal("20"), Decimal("0")),
        ("reverse_charge_zero", reverse_charge(FR_NUMBER), Decimal("10"), Decimal("20"), Decimal("0")),
    ],
)
def test_line_rate(_case, regime, sku_rate, default_rate, expected):
    assert choose_line_rate(regime, sku_rate=sku_rate, default_rate=default_rate).rate == expected


def test_line_rate_refuses_a_non_french_rate_under_french_vat():
    with pytest.raises(RegimeError) as caught:
        choose_line_rate(FR_DOMESTIC, sku_rate=Decimal("19.6"), default_rate=Decimal("20"))
    assert str(caught.value) == "Taux de TVA 19,6 non autorisé en France (20, 10, 5,5 ou 2,1)."
