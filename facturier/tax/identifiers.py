"""Validation of the identifiers printed on invoices: SIREN, SIRET, VAT numbers, EAN, country.

Each validator returns the compact form and raises `IdentifierError` with a precise French message
(`str(error)`, `error.message`), an English variant (`error.message_en`) and a stable `error.code`
usable as a translation key. Format and check digits come from python-stdnum (invoicing-rules §1.3).
"""

from __future__ import annotations

from stdnum import ean as stdnum_ean
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from facturier.tax.eu import EU_MEMBER_STATES, is_eu_member, normalize_country, vat_prefix


class IdentifierError(ValueError):
    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_en = message_en


def _reason(error: ValidationError) -> tuple[str, str, str]:
    """(code suffix, French reason, English reason) for a stdnum failure."""
    if isinstance(error, InvalidLength):
        return "length", "longueur incorrecte", "wrong length"
    if isinstance(error, InvalidFormat):
        return "format", "format incorrect", "wrong format"
    if isinstance(error, InvalidChecksum):
        return "checksum", "clé de contrôle incorrecte", "wrong check digits"
    return "invalid", "numéro non reconnu", "unrecognised number"


def _require(value: str, kind: str, label_fr: str, label_en: str) -> str:
    if not (value or "").strip():
        raise IdentifierError(f"{kind}.empty", f"{label_fr} manquant.", f"Missing {label_en}.")
    return value


def _fail(kind: str, label_fr: str, label_en: str, value: str, error: ValidationError) -> IdentifierError:
    code, reason_fr, reason_en = _reason(error)
    return IdentifierError(
        f"{kind}.{code}",
        f"{label_fr} « {value} » invalide : {reason_fr}.",
        f"Invalid {label_en} '{value}': {reason_en}.",
    )


def validate_siren(value: str) -> str:
    """9 digits with a Luhn check; spaces and dots are accepted and removed."""
    try:
        return stdnum_siren.validate(_require(value, "siren", "SIREN", "SIREN"))
    except ValidationError as error:
        raise _fail("siren", "SIREN", "SIREN", value, error) from None


def validate_siret(value: str) -> str:
    """14 digits (SIREN + 5-digit establishment code), Luhn check (La Poste's special rule included)."""
    try:
        return stdnum_siret.validate(_require(value, "siret", "SIRET", "SIRET"))
    except ValidationError as error:
        raise _fail("siret", "SIRET", "SIRET", value, error) from None


def validate_vat_number(value: str, country: str | None = None) -> str:
    """Compact EU VAT number ("FR44732829320", "EL094014201"), checked for format and check digits.

    With `country`, the number must belong to that member state; a number typed without its prefix
    gets the country's prefix. Only the 27 member states' prefixes are accepted (not XI, EU or IM).
    """
    number = _clean(value)
    if not number:
        raise IdentifierError("vat.empty", "Numéro de TVA manquant.", "Missing VAT number.")
    if country is not None and not number[:2].isalpha():
        number = vat_prefix(country) + number
    prefix = number[:2]
    if normalize_country(prefix) not in EU_MEMBER_STATES:
        raise IdentifierError(
            "vat.country",
            f"Numéro de TVA « {value} » invalide : le préfixe « {prefix} » n'est pas celui d'un État membre "
            "de l'UE.",
            f"Invalid VAT number '{value}': '{prefix}' is not an EU member state prefix.",
        )
    if country is not None and normalize_country(prefix) != normalize_country(country):
        expected = vat_prefix(country)
        raise IdentifierError(
            "vat.country_mismatch",
            f"Numéro de TVA « {value} » invalide : un numéro de TVA {expected} est attendu.",
            f"Invalid VAT number '{value}': a {expected} VAT number is expected.",
        )
    return _checked_vat_number(value, number)


def _clean(value: str) -> str:
    """Separators removed, upper case; the country modules finish the job (stdnum's own `compact`
    refuses unknown prefixes before we can say which one is wrong)."""
    return "".join(ch for ch in (value or "") if ch not in " -./,:").upper()


def _checked_vat_number(value: str, number: str) -> str:
    # Greek numbers are stored with the VIES prefix "EL" even when typed with the ISO code "GR".
    number = vat_prefix(number[:2]) + number[2:]
    try:
        if number.startswith("FR"):
            return "FR" + stdnum_tva.validate(number)
        return stdnum_vat.validate(number)
    except ValidationError as error:
        raise _fail("vat", "Numéro de TVA", "VAT number", value, error) from None


def validate_ean(value: str) -> str:
    """GTIN-8, UPC-A (12), EAN-13 or GTIN-14 with a valid check digit."""
    try:
        return stdnum_ean.validate(_require(value, "ean", "EAN", "EAN"))
    except ValidationError as error:
        raise _fail("ean", "EAN", "EAN", value, error) from None


def validate_country(value: str) -> str:
    """ISO code of an EU member state ("el" -> "GR"); Facturier serves EU-established sellers only."""
    country = normalize_country(value)
    if len(country) != 2 or not country.isalpha():
        raise IdentifierError(
            "country.format",
            f"Code pays « {value} » invalide : deux lettres ISO 3166-1 attendues (ex. FR).",
            f"Invalid country code '{value}': two ISO 3166-1 letters expected (e.g. FR).",
        )
    if not is_eu_member(country):
        raise IdentifierError(
            "country.not_eu",
            f"Facturier est réservé aux vendeurs établis dans l'Union européenne (pays : {country}).",
            f"Facturier is reserved for sellers established in the European Union (country: {country}).",
        )
    return country


def siren_of_french_vat(vat_number: str) -> str:
    """The SIREN inside a valid French VAT number (FRkk + SIREN), '' for anything else."""
    if not _clean(vat_number).startswith("FR"):
        return ""
    try:
        return stdnum_tva.to_siren(validate_vat_number(vat_number, "FR"))
    except (IdentifierError, ValidationError):
        return ""
