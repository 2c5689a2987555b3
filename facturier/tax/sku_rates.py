"""CSV import of the seller's French VAT rate per SKU (or per EAN).

Accepted: a header naming the key column (`sku` or `ean`) and the rate column (`taux`, `rate`, `tva`
or `vat`), separated by ";" or ","; rates written "5,5", "5.5" or "5,5 %". Every bad line yields one
precise error, in French and in English (as tax.identifiers does: this package stays free of Django), and is
skipped; the good lines are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from facturier.tax.eu import FRENCH_RATES, FRENCH_RATES_TEXT, FRENCH_RATES_TEXT_EN
from facturier.tax.identifiers import IdentifierError, validate_ean

KEY_COLUMNS = ("sku", "ean")
RATE_COLUMNS = ("taux", "rate", "tva", "vat")


@dataclass
class RateImport:
    rows: list[tuple[str, Decimal]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    key_column: str = ""  # "sku" or "ean"
    errors_en: list[str] = field(default_factory=list, compare=False)  # the same problems, in English

    def problems(self, language: str | None) -> list[str]:
        return self.errors_en if language == "en" else self.errors


class _LineError(ValueError):
    def __init__(self, french: str, english: str) -> None:
        super().__init__(french)
        self.french = french
        self.english = english

    def found_in(self, result: RateImport) -> None:
        result.errors.append(self.french)
        result.errors_en.append(self.english)


def parse_rate_csv(text: str) -> RateImport:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        return RateImport(
            errors=["Fichier vide : en-tête « sku;taux » attendu."],
            errors_en=["Empty file: header “sku;rate” expected."],
        )
    delimiter = ";" if ";" in lines[header_index] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    result = RateImport()
    header_seen = False
    first_line: dict[str, int] = {}
    for cells in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if not header_seen:
            header_seen = True
            try:
                result.key_column = _header(cells, delimiter, number)
            except _LineError as error:
                refused = RateImport()
                error.found_in(refused)
                return refused
            continue
        try:
            key, rate = _row(cells, delimiter, result.key_column, number, first_line)
        except _LineError as error:
            error.found_in(result)
            continue
        first_line[key] = number
        result.rows.append((key, rate))
    return result


def _header(cells: list[str], delimiter: str, number: int) -> str:
    names = [cell.strip().lower() for cell in cells]
    if len(names) != 2 or names[0] not in KEY_COLUMNS or names[1] not in RATE_COLUMNS:
        typed = delimiter.join(cells)
        raise _LineError(
            f"ligne {number} : en-tête « {typed} » non reconnu (attendu : « sku;taux », « sku,rate » ou « ean;taux »).",
            f"line {number}: header “{typed}” not recognised (expected: “sku;rate”, “sku,rate” or “ean;rate”).",
        )
    return names[0]


def _row(
    cells: list[str], delimiter: str, key_column: str, number: int, first_line: dict[str, int]
) -> tuple[str, Decimal]:
    if delimiter == "," and len(cells) == 3:
        # "SKU1,5,5" with an unquoted decimal comma: the rate is the last two cells joined back.
        cells = [cells[0], f"{cells[1]},{cells[2]}"]
    if len(cells) != 2:
        plural = "s" if len(cells) > 1 else ""
        raise _LineError(
            f"ligne {number} : {len(cells)} colonne{plural}, 2 attendues ({key_column}, taux).",
            f"line {number}: {len(cells)} column{plural}, 2 expected ({key_column}, rate).",
        )
    key = _key(cells[0].strip(), key_column, number)
    if key in first_line:
        raise _LineError(
            f"ligne {number} : {key_column.upper()} {key} déjà présent ligne {first_line[key]}.",
            f"line {number}: {key_column.upper()} {key} already on line {first_line[key]}.",
        )
    return key, _rate(cells[1].strip(), number)


def _key(raw: str, key_column: str, number: int) -> str:
    if not raw:
        column = key_column.upper()
        raise _LineError(f"ligne {number} : {column} manquant.", f"line {number}: {column} missing.")
    if key_column == "ean":
        try:
            return validate_ean(raw)
        except IdentifierError as error:
            raise _LineError(f"ligne {number} : {error.message}", f"line {number}: {error.message_en}") from None
    return raw


def _rate(raw: str, number: int) -> Decimal:
    if not raw:
        raise _LineError(f"ligne {number} : taux manquant.", f"line {number}: rate missing.")
    shown = raw.removesuffix("%").strip()
    try:
        rate = Decimal(shown.replace(",", "."))
    except InvalidOperation:
        raise _unreadable(raw, number) from None
    if not rate.is_finite():
        raise _unreadable(raw, number)
    for allowed in FRENCH_RATES:
        if rate == allowed:
            return allowed
    raise _LineError(
        f"ligne {number} : taux {shown} non autorisé ({FRENCH_RATES_TEXT}).",
        f"line {number}: rate {shown} not allowed ({FRENCH_RATES_TEXT_EN}).",
    )


def _unreadable(raw: str, number: int) -> _LineError:
    return _LineError(f"ligne {number} : taux « {raw} » illisible.", f"line {number}: rate “{raw}” unreadable.")
