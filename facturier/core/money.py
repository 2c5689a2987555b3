"""Money is Decimal end to end. One rounding rule for the whole project: half-up to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The model fields of an amount in euros.
MONEY = {"max_digits": 14, "decimal_places": 2}
UNIT_PRICE_PLACES = 4


def to_decimal(value: object) -> Decimal:
    """A Decimal from an API value; floats go through str() so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)  # type: ignore[arg-type]


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def quantize_unit_price(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), rounding=ROUND_HALF_UP)


def format_eur(amount: Decimal, *, language: str = "fr") -> str:
    """12345.6 -> '12 345,60 €' (fr) or '€12,345.60' (en)."""
    text = f"{quantize(amount):,.2f}"
    if language == "en":
        return f"€{text}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"
