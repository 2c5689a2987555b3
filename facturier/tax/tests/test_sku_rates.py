from decimal import Decimal as D

import pytest

from facturier.tax.sku_rates import RateImport, parse_rate_csv


@pytest.mark.parametrize(
    ("_case", "text", "expected"),
    [
        (
            "semicolon_french_decimal_comma",
            "sku;taux\nLIVRE-1;5,5\nJEU-2;20\nMED-3;2,1\nRESTO;10\n",
            RateImport(
                rows=[("LIVRE-1", D("5.5")), ("JEU-2", D("20")), ("MED-3", D("2.1")), ("RESTO", D("10"))],
                key_column="sku",
            ),
        ),
        (
            "comma_english_header",
            'SKU,Rate\nA,5.5\nB,"5,5"\nC,10.0\n',
            RateImport(rows=[("A", D("5.5")), ("B", D("5.5")), ("C", D("10"))], key_column="sku"),
        ),
        (
            "comma_separator_unquoted_decimal_comma",
            "sku,rate\nA,5,5\n",
            RateImport(rows=[("A", D("5.5"))], key_column="sku"),
        ),
        (
            "percent_sign_bom_blank_lines_crlf",
            "\ufeffsku;taux\r\n\r\nA;5,5 %\r\nB;20%\r\n",
            RateImport(rows=[("A", D("5.5")), ("B", D("20"))], key_column="sku"),
        ),
        (
            "ean_column_is_validated",
            "ean;taux\n4006381333931;20\n 400 6381 33393 1 ;10\n",
            RateImport(
                rows=[("4006381333931", D("20"))],
                errors=["ligne 3 : EAN 4006381333931 déjà présent ligne 2."],
                key_column="ean",
            ),
        ),
    ],
)
def test_parse_rate_csv(_case, text, expected):
    assert parse_rate_csv(text) == expected


def test_rates_are_returned_in_canonical_form():
    result = parse_rate_csv("sku;taux\nA;5,50\nB;20,0\n")
    assert [str(rate) for _, rate in result.rows] == ["5.5", "20"]


def test_each_bad_line_gets_one_precise_error_and_good_lines_are_kept():
    text = "\n".join(
        [
            "sku;taux",  # 1
            "A;20",  # 2
            "B;5,5",  # 3
            "C;7",  # 4
            "D;abc",  # 5
            ";10",  # 6
            "A;10",  # 7
            "E",  # 8
            "F;",  # 9
            "G;19,6",  # 10
            "H;2,1",  # 11
            "I;20;x",  # 12
            "J;NaN",  # 13
        ]
    )
    result = parse_rate_csv(text)
    assert result.rows == [("A", D("20")), ("B", D("5.5")), ("H", D("2.1"))]
    assert result.errors == [
        "ligne 4 : taux 7 non autorisé (20, 10, 5,5 ou 2,1).",
        "ligne 5 : taux « abc » illisible.",
        "ligne 6 : SKU manquant.",
        "ligne 7 : SKU A déjà présent ligne 2.",
        "ligne 8 : 1 colonne, 2 attendues (sku, taux).",
        "ligne 9 : taux manquant.",
        "ligne 10 : taux 19,6 non autorisé (20, 10, 5,5 ou 2,1).",
        "ligne 12 : 3 colonnes, 2 attendues (sku, taux).",
        "ligne 13 : taux « NaN » illisible.",
    ]


def test_bad_ean():
    result = parse_rate_csv("ean;taux\n4006381333932;20\n")
    assert result == RateImport(
        errors=["ligne 2 : EAN « 4006381333932 » invalide : clé de contrôle incorrecte."], key_column="ean"
    )


@pytest.mark.parametrize(
    ("_case", "text", "error"),
    [
        ("empty", "", "Fichier vide : en-tête « sku;taux » attendu."),
        ("blank", "\n \n", "Fichier vide : en-tête « sku;taux » attendu."),
        (
            "unknown_header",
            "ref;prix\nA;20\n",
            "ligne 1 : en-tête « ref;prix » non reconnu (attendu : « sku;taux », « sku,rate » ou « ean;taux »).",
        ),
        (
            "comma_header_echoed_as_typed",
            "ref,prix\n",
            "ligne 1 : en-tête « ref,prix » non reconnu (attendu : « sku;taux », « sku,rate » ou « ean;taux »).",
        ),
        (
            "no_header",
            "A;20\nB;10\n",
            "ligne 1 : en-tête « A;20 » non reconnu (attendu : « sku;taux », « sku,rate » ou « ean;taux »).",
        ),
    ],
)
def test_header_errors_stop_the_import(_case, text, error):
    assert parse_rate_csv(text) == RateImport(errors=[error])


def test_every_problem_is_also_said_in_english_for_an_english_page():
    text = "sku;taux\nA;7\nB;abc\n;10\nA;10\nE\nF;\n"
    result = parse_rate_csv(text)
    assert result.problems("en") == [
        "line 2: rate 7 not allowed (20, 10, 5.5 or 2.1).",
        "line 3: rate “abc” unreadable.",
        "line 4: SKU missing.",
        "line 6: 1 column, 2 expected (sku, rate).",
        "line 7: rate missing.",
    ]
    assert result.problems("fr") == result.errors
    assert parse_rate_csv("ref;prix\n").problems("en") == [
        "line 1: header “ref;prix” not recognised (expected: “sku;rate”, “sku,rate” or “ean;rate”)."
    ]
    assert parse_rate_csv("").problems("en") == ["Empty file: header “sku;rate” expected."]
    assert parse_rate_csv("ean;taux\n4006381333932;20\n4006381333931;20\n4006381333931;10\n").problems("en") == [
        "line 2: Invalid EAN '4006381333932': wrong check digits.",
        "line 4: EAN 4006381333931 already on line 3.",
    ]
