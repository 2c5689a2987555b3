"""What kind of product a line is, from what the order tells us, for the reduced VAT rates (`reduced_rates`).

The Octopia order carries no product category (only the seller's SKU, the EAN/GTIN and the title), so the
only inference the data allows is from the EAN: ISBN EANs (prefixes 978/979, checked with python-stdnum's
ISBN validation) are books; EANs of serial publications (prefix 977, the ISSN range) are press. Anything
else keeps the seller's rate or default.
"""

from __future__ import annotations

from stdnum import ean, isbn

BOOK = "book"
PRESS = "press"
FOOD = "food"
SERIAL_PUBLICATION_PREFIX = "977"


def product_category(gtin: str) -> str | None:
    """BOOK, PRESS or None (unknown) for a line's EAN/GTIN."""
    code = (gtin or "").strip().replace("-", "").replace(" ", "")
    if len(code) == 13 and isbn.is_valid(code):
        return BOOK
    if code.startswith(SERIAL_PUBLICATION_PREFIX) and ean.is_valid(code):
        return PRESS
    return None
