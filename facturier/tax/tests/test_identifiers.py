import pytest

from facturier.tax.identifiers import (
    IdentifierError,
    validate_country,
    validate_ean,
    validate_siren,
    validate_siret,
    validate_vat_number,
)


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("plain", "732829320", "732829320"),
        ("spaced", "732 829 320", "732829320"),
        ("la_poste", "356000000", "356000000"),
    ],
)
def test_valid_siren(_case, value, expected):
    assert validate_siren(value) == expected


@pytest.mark.parametrize(
    ("_case", "value", "code", "message"),
    [
        (
            "bad_luhn",
            "732829321",
            "siren.checksum",
            "SIREN « 732829321 » invalide : clé de contrôle incorrecte.",
        ),
        ("too_short", "73282932", "siren.length", "SIREN « 73282932 » invalide : longueur incorrecte."),
        ("letters", "73282932A", "siren.format", "SIREN « 73282932A » invalide : format incorrect."),
        ("empty", " ", "siren.empty", "SIREN manquant."),
    ],
)
def test_invalid_siren(_case, value, code, message):
    with pytest.raises(IdentifierError) as caught:
        validate_siren(value)
    assert (caught.value.code, str(caught.value), caught.value.message) == (code, message, message)


def test_identifier_error_has_an_english_variant_and_is_a_value_error():
    with pytest.raises(ValueError) as caught:
        validate_siren("732829321")
    assert caught.value.message_en == "Invalid SIREN '732829321': wrong check digits."


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [("head_office", "73282932000074", "73282932000074"), ("spaced", "732 829 320 00074", "73282932000074")],
)
def test_valid_siret(_case, value, expected):
    assert validate_siret(value) == expected


@pytest.mark.parametrize(
    ("_case", "value", "code"),
    [
        ("bad_luhn", "73282932000075", "siret.checksum"),
        ("siren_only", "732829320", "siret.length"),
        ("empty", "", "siret.empty"),
    ],
)
def test_invalid_siret(_case, value, code):
    with pytest.raises(IdentifierError) as caught:
        validate_siret(value)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("_case", "value", "country", "expected"),
    [
        ("fr", "FR44732829320", None, "FR44732829320"),
        ("fr_spaced_lower", "fr 44 732 829 320", None, "FR44732829320"),
        ("fr_expected_country", "FR44732829320", "FR", "FR44732829320"),
        ("de", "DE136695976", None, "DE136695976"),
        ("be", "BE0403170701", None, "BE0403170701"),
        ("be_dotted", "BE 0403.170.701", "BE", "BE0403170701"),
        ("it", "IT00743110157", None, "IT00743110157"),
        ("nl", "NL004495445B01", None, "NL004495445B01"),
        ("es", "ESA28015865", None, "ESA28015865"),
        ("at", "ATU13585627", None, "ATU13585627"),
        ("pl", "PL5260250995", None, "PL5260250995"),
        ("lu", "LU15027442", None, "LU15027442"),
        ("greece_el_prefix", "EL094014201", None, "EL094014201"),
        ("greece_typed_with_iso_code", "GR094014201", None, "EL094014201"),
        ("greece_without_prefix", "094014201", "GR", "EL094014201"),
        ("de_without_prefix", "136695976", "DE", "DE136695976"),
    ],
)
def test_valid_vat_number(_case, value, country, expected):
    assert validate_vat_number(value, country) == expected


@pytest.mark.parametrize(
    ("_case", "value", "country", "code", "message"),
    [
        (
            "fr_wrong_key",
            "FR45732829320",
            None,
            "vat.checksum",
            "Numéro de TVA « FR45732829320 » invalide : clé de contrôle incorrecte.",
        ),
        (
            "de_wrong_check_digit",
            "DE136695975",
            None,
            "vat.checksum",
            "Numéro de TVA « DE136695975 » invalide : clé de contrôle incorrecte.",
        ),
        (
            "fr_too_short",
            "FR4473282932",
            None,
            "vat.length",
            "Numéro de TVA « FR4473282932 » invalide : longueur incorrecte.",
        ),
        (
            "northern_ireland",
            "XI925901618",
            None,
            "vat.country",
            "Numéro de TVA « XI925901618 » invalide : le préfixe « XI » n'est pas celui d'un État membre de l'UE.",
        ),
        (
            "uk",
            "GB980780684",
            None,
            "vat.country",
            "Numéro de TVA « GB980780684 » invalide : le préfixe « GB » n'est pas celui d'un État membre de l'UE.",
        ),
        (
            "other_country_than_expected",
            "DE136695976",
            "FR",
            "vat.country_mismatch",
            "Numéro de TVA « DE136695976 » invalide : un numéro de TVA FR est attendu.",
        ),
        (
            "greece_expected_el",
            "DE136695976",
            "GR",
            "vat.country_mismatch",
            "Numéro de TVA « DE136695976 » invalide : un numéro de TVA EL est attendu.",
        ),
        ("empty", "  ", None, "vat.empty", "Numéro de TVA manquant."),
    ],
)
def test_invalid_vat_number(_case, value, country, code, message):
    with pytest.raises(IdentifierError) as caught:
        validate_vat_number(value, country)
    assert (caught.value.code, str(caught.value)) == (code, message)


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("ean13", "4006381333931", "4006381333931"),
        ("ean8", "73513537", "73513537"),
        ("spaced", "400 6381 33393 1", "4006381333931"),
    ],
)
def test_valid_ean(_case, value, expected):
    assert validate_ean(value) == expected


def test_invalid_ean():
    with pytest.raises(IdentifierError) as caught:
        validate_ean("4006381333932")
    assert (caught.value.code, str(caught.value)) == (
        "ean.checksum",
        "EAN « 4006381333932 » invalide : clé de contrôle incorrecte.",
    )


@pytest.mark.parametrize(
    ("_case", "value", "expected"), [("fr", "fr", "FR"), ("el_alias", "EL", "GR"), ("de", " DE ", "DE")]
)
def test_valid_country(_case, value, expected):
    assert validate_country(value) == expected


@pytest.mark.parametrize(
    ("_case", "value", "code", "message"),
    [
        (
            "us",
            "us",
            "country.not_eu",
            "Facturier est réservé aux vendeurs établis dans l'Union européenne (pays : US).",
        ),
        (
            "uk",
            "GB",
            "country.not_eu",
            "Facturier est réservé aux vendeurs établis dans l'Union européenne (pays : GB).",
        ),
        (
            "three_letters",
            "FRA",
            "country.format",
            "Code pays « FRA » invalide : deux lettres ISO 3166-1 attendues (ex. FR).",
        ),
        (
            "digits",
            "12",
            "country.format",
            "Code pays « 12 » invalide : deux lettres ISO 3166-1 attendues (ex. FR).",
        ),
    ],
)
def test_invalid_country(_case, value, code, message):
    with pytest.raises(IdentifierError) as caught:
        validate_country(value)
    assert (caught.value.code, str(caught.value)) == (code, message)
