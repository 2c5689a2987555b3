"""CSV cells a spreadsheet cannot run: text that would start a formula is prefixed with a quote (OWASP)."""

from __future__ import annotations

from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str | Decimal | int) -> str:
    """Numbers are written as numbers (a credit note's -12.50 stays a number); text is neutralised."""
    if isinstance(value, Decimal | int):
        return f"{value:f}" if isinstance(value, Decimal) else str(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
