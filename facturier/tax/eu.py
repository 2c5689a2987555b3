"""EU member states, their standard VAT rates and the French rates a seller may use.

Country codes are ISO 3166-1 alpha-2. Greece is the one member state whose VAT prefix differs from its
ISO code ("EL" on VAT numbers, "GR" everywhere else); `normalize_country` accepts both and returns "GR".
Northern Ireland's "XI" prefix is not a member state and is not listed.
"""

from __future__ import annotations

from decimal import Decimal

ISO_TO_VAT_PREFIX = {"GR": "EL"}
VAT_PREFIX_TO_ISO = {prefix: iso for iso, prefix in ISO_TO_VAT_PREFIX.items()}

# Standard VAT rates in percent, as in force on 1 January 2026 (table written late 2026, no change known
# since). Recent changes worth re-checking at each update: SK 20 -> 23 (1 Jan 2025), FI 24 -> 25.5
# (1 Sep 2024), EE 22 -> 24 (1 Jul 2025), RO 19 -> 21 (1 Aug 2025).
STANDARD_RATES: dict[str, Decimal] = {
    "AT": Decimal("20"),
    "BE": Decimal("21"),
    "BG": Decimal("20"),
    "CY": Decimal("19"),
    "CZ": Decimal("21"),
    "DE": Decimal("19"),
    "DK": Decimal("25"),
    "EE": Decimal("24"),
    "ES": Decimal("21"),
    "FI": Decimal("25.5"),
    "FR": Decimal("20"),
    "GR": Decimal("24"),
    "HR": Decimal("25"),
    "HU": Decimal("27"),
    "IE": Decimal("23"),
    "IT": Decimal("22"),
    "LT": Decimal("21"),
    "LU": Decimal("17"),
    "LV": Decimal("21"),
    "MT": Decimal("18"),
    "NL": Decimal("21"),
    "PL": Decimal("23"),
    "PT": Decimal("23"),
    "RO": Decimal("21"),
    "SE": Decimal("25"),
    "SI": Decimal("22"),
    "SK": Decimal("23"),
}

EU_MEMBER_STATES: frozenset[str] = frozenset(STANDARD_RATES)

# Mainland France (CGI 278, 279, 278-0 bis, 281 quater): the only rates a seller's SKUs may carry.
# Corsica and the overseas departments have other rates and are out of scope.
FRENCH_RATES: tuple[Decimal, ...] = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"))


def normalize_country(code: str) -> str:
    """Upper-cased, stripped ISO code; the Greek VAT prefix "EL" becomes "GR"."""
    cleaned = (code or "").strip().upper()
    return VAT_PREFIX_TO_ISO.get(cleaned, cleaned)


def vat_prefix(country: str) -> str:
    """The prefix VAT numbers of this member state carry ("GR" -> "EL", "DE" -> "DE")."""
    iso = normalize_country(country)
    return ISO_TO_VAT_PREFIX.get(iso, iso)


def is_eu_member(code: str) -> bool:
    return normalize_country(code) in EU_MEMBER_STATES


def standard_rate(country: str) -> Decimal:
    """Standard VAT rate (percent) of a member state; ValueError for any other country."""
    iso = normalize_country(country)
    try:
        return STANDARD_RATES[iso]
    except KeyError:
        raise ValueError(f"{country!r} is not an EU member state") from None


def is_french_rate(rate: Decimal) -> bool:
    return rate in FRENCH_RATES


def format_rate_fr(rate: Decimal) -> str:
    """5.5 -> "5,5", 20.0 -> "20" (how a rate reads in French text)."""
    text = format(rate.normalize(), "f")
    return text.replace(".", ",")


FRENCH_RATES_TEXT = (
    ", ".join(format_rate_fr(r) for r in FRENCH_RATES[:-1]) + " ou " + format_rate_fr(FRENCH_RATES[-1])
)
FRENCH_RATES_TEXT_EN = (
    ", ".join(format(r.normalize(), "f") for r in FRENCH_RATES[:-1])
    + " or "
    + format(FRENCH_RATES[-1].normalize(), "f")
)
