"""Reduced VAT rates by product category and member state: the one table the rate inference reads.

Source: European Commission, DG TAXUD, "VAT rates applied in the Member States of the European Union"
(taxation-customs.ec.europa.eu, the table of Annex III reduced rates by category), situation at 1 January 2025,
with the later changes known to us: Romania's 5 % and 9 % rates merged into 11 % (1 August 2025). Table
written on 7 December 2026 from that source as we know it, NOT re-checked line by line against the published
table today: re-check it (and Estonia, Finland, Latvia, Denmark, whose rates moved or were announced to move
in 2025-2026) before relying on it, and update the date above when you do.

Rates are in percent, for goods sold to consumers: printed books (all 27 states), newspapers and periodicals,
general foodstuffs. A state missing from a category means "no reliable reduced rate recorded here": the
line then keeps the seller's default (or its home state's standard rate). France (CGI 278-0 bis, 281 quater):
books 5.5, press 2.1, food 5.5.
"""

from __future__ import annotations

from decimal import Decimal

from facturier.tax.eu import normalize_country, standard_rate
from facturier.tax.products import BOOK, FOOD, PRESS

TABLE_DATE = "2025-01-01 (+ RO 2025-08-01), written 2026-12-07"

_BOOKS = {
    "AT": "10", "BE": "6", "BG": "9", "CY": "5", "CZ": "0", "DE": "7", "DK": "25", "EE": "9", "ES": "4",
    "FI": "14", "FR": "5.5", "GR": "6", "HR": "5", "HU": "5", "IE": "0", "IT": "4", "LT": "9", "LU": "3",
    "LV": "12", "MT": "5", "NL": "9", "PL": "5", "PT": "6", "RO": "11", "SE": "6", "SI": "5", "SK": "5",
}  # fmt: skip
_PRESS = {
    "AT": "10", "DE": "7", "DK": "0", "ES": "4", "FR": "2.1", "GR": "6", "HU": "5", "IE": "9", "IT": "4",
    "LU": "3", "NL": "9", "PT": "6", "SE": "6", "SI": "5",
}  # fmt: skip
_FOOD = {
    "AT": "10", "BE": "6", "CZ": "12", "DE": "7", "ES": "10", "FR": "5.5", "IT": "10", "LU": "3", "NL": "9",
    "PL": "5",
}  # fmt: skip

REDUCED_RATES: dict[str, dict[str, Decimal]] = {
    category: {country: Decimal(rate) for country, rate in rates.items()}
    for category, rates in ((BOOK, _BOOKS), (PRESS, _PRESS), (FOOD, _FOOD))
}


def category_rate(country: str, category: str | None) -> Decimal | None:
    """The rate `country` applies to `category`; None when the table has none."""
    if category is None:
        return None
    return REDUCED_RATES.get(category, {}).get(normalize_country(country))


def rates_of(country: str) -> tuple[Decimal, ...]:
    """The standard rate of `country` then its reduced rates in this table, highest first, no repeats."""
    iso = normalize_country(country)
    found = {standard_rate(iso)}
    found.update(rates[iso] for rates in REDUCED_RATES.values() if iso in rates)
    return tuple(sorted(found, reverse=True))
