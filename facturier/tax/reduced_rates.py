"""Reduced VAT rates by product category and member state: the one table the rate inference reads.

Rates are in percent, for goods sold to consumers, as in force on 7 December 2026: printed books (EAN ISBN),
newspapers and periodicals (EAN ISSN), general foodstuffs. A state missing from a category means "no
reduced rate we could confirm from a source, or one that depends on something the order does not tell us"
(the book's language, the periodical's frequency...): the line then keeps the seller's default (home state:
its standard rate). A wrong inferred rate is worse than the default, so a value stays here only with a
source. Food is never inferred (the EAN says nothing about food); its rates only widen `rates_of`, the
rates a seller's per-SKU rate may take in its home state.

Checked on 7 December 2026 (`search` over stored public pages; the date in brackets is the source's):
(The Commission's "VAT rates applied in the Member States of the European Union" table was not among the
stored pages; each value below rests on the national or professional source named.)
- AT 10 books/press/basic food: crossbordervat.com EU rates table. BE 6 books, some food:
  crossbordervat.com, mobilexpense.com. DE 7 books/magazines/food: caponeshop.it rates list.
- BG 9 books and periodicals, permanent from 2023: vatupdate.com (2023-02-22, Eurofast).
- CY 3 books, newspapers, magazines: Orbitax (2023-08-03), Andersen Greece (law harmonising Directive
  2022/542). The table said 5: corrected.
- CZ 0 books (exempt with right of deduction), 12 newspapers/magazines and food, from 1 Jan 2024: Sovos,
  vatupdate.com (2024-01-09, 2023-06-05).
- EE 9 books (Tolley, 2025-03-17) and press publications (5 -> 9 on 1 Jan 2025: Tungsten, 2023 plan).
- ES 4 books, newspapers, magazines (also electronic, from 23 Apr 2020); 10 general food.
- FI 13.5 books from 1 Jan 2026 (14 in 2025): Aallon Group, vatapi.com (2026-01-01); 10 newspapers and
  periodicals (unchanged, same sources). The table said 14: corrected.
- FR 5.5 books, 2.1 press (CGI 278-0 bis, 298 septies), 5.5 food (278-0 bis A).
- GR 6 books, newspapers, periodicals: rydoo.com, Baker McKenzie resource hub.
- HR 5 books: marosavat.com Croatia manual.
- HU 5 books, newspapers and periodicals: Avalara (2025-12-24).
- IE 0 printed books: Revenue information note "Printing & printed matter". Press dropped: newspapers 0
  from 1 Jan 2023 but periodicals 9 (oireachtas.ie, 2024-07-11), an ISSN does not tell which.
- IT 4 books, newspapers, periodicals (DPR 633/72, Tabella A parte II n. 18: fiscomania.com); 10 food.
- LT 5 books from 1 Jan 2026 (9 before): Sovos (2026-01-05), Law XV-287. The table said 9: corrected.
- LU 3 books, press, food: vat-solutions.com, chronicle.lu (2023), Avalara (2019-02-25).
- MT 5 books: Accordance (2018). NL 9 books, newspapers, periodicals, food; the planned rise to 21 was
  dropped (vatcalc.com; vatupdate.com 2025-10-20: 9 kept for culture and media).
- PL 5 books and basic food: JB Fiscal, Avalara (2020-01-29). Press dropped: 8 newspapers, 5 some
  specialist periodicals.
- PT 6 books, newspapers, magazines: CIVA Lista I verba 2.1 (Lei 71/2018, observador.pt 2021-08-24).
- RO 11 books, periodicals, food from 1 Aug 2025 (Law 141/2025): marosavat.com, vatupdate.com.
- SE 6 books, newspapers and some periodicals: mobilexpense.com, marosavat.com (2025).
- SI 5 books, newspapers, periodicals (from 1 Jan 2020): vatcalc.com.
Dropped (so the default applies), for want of a source that settles today's rate:
- DK books: 25 until the 2026 Finance Bill's announced abolition (regfollower.com, 2025-08-29); whether and
  from when it applies is not confirmed. DK press: 0 only for newspapers published more than monthly.
- LV books and press: 5, but from 2026 only for publications in specified languages (vatupdate.com,
  2025-12-19): a book's EAN does not give its language. The table said 12: wrong either way.
- SK books: 5 from 1 Jan 2025 per EY (2024-10-23), 23 per another summary (asd-int.com), and a 2025
  announcement of a rise (vatupdate.com, 2025-06-02): conflicting.
Not re-checked here and absent as before: BE/HR/LT/LV/MT/PL/SK press.
CZ and IE books are 0 %: such a line is a zero-rated supply, category Z (`regimes.vat_category_at`).
Re-check this table at each 1 January and 1 July, and update TABLE_DATE.
"""

from __future__ import annotations

from decimal import Decimal

from facturier.tax.eu import normalize_country, standard_rate
from facturier.tax.products import BOOK, FOOD, PRESS

TABLE_DATE = "2026-12-07"

_BOOKS = {
    "AT": "10", "BE": "6", "BG": "9", "CY": "3", "CZ": "0", "DE": "7", "EE": "9", "ES": "4", "FI": "13.5",
    "FR": "5.5", "GR": "6", "HR": "5", "HU": "5", "IE": "0", "IT": "4", "LT": "5", "LU": "3", "MT": "5",
    "NL": "9", "PL": "5", "PT": "6", "RO": "11", "SE": "6", "SI": "5",
}  # fmt: skip
_PRESS = {
    "AT": "10", "BG": "9", "CY": "3", "CZ": "12", "DE": "7", "EE": "9", "ES": "4", "FI": "10", "FR": "2.1",
    "GR": "6", "HU": "5", "IT": "4", "LU": "3", "NL": "9", "PT": "6", "RO": "11", "SE": "6", "SI": "5",
}  # fmt: skip
_FOOD = {
    "AT": "10", "BE": "6", "CZ": "12", "DE": "7", "ES": "10", "FR": "5.5", "IT": "10", "LU": "3", "NL": "9",
    "PL": "5", "RO": "11",
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
