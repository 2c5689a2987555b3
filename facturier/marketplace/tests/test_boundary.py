"""Issue #14 acceptance: only the marketplace code (and the simulator, which speaks the wire) knows Octopia's field
names; sales, invoicing and the rest, tests included, work on the normalized orders of marketplace.dto."""

from __future__ import annotations

import re
from pathlib import Path

import facturier

OCTOPIA_FIELD_NAMES = (
    "orderLineId", "sellingPrice", "unitSalesPrice", "shippingCost", "purchasedAt", "shippedAtMax", "statusEvents",
    "billingAddress", "shippingAddress", "currencyCode", "businessOrder", "productGtin", "sellerProductId",
    "productTitle", "supplyMode", "salesChannel", "companyVatNumber", "companyName", "pickupId", "pickupName",
    "addressLine1", "addressLine2", "totalPrice", "offerPrice",
)  # fmt: skip
ROOT = Path(facturier.__file__).parent
ALLOWED = (ROOT / "marketplace", ROOT / "simulator")
# Outside the package, the developer tooling kept out of the wheel (tools/bench) and the cross-app acceptance suite
# keep the rule too.
OUTSIDE_THE_PACKAGE = (ROOT.parent / "tools", ROOT.parent / "acceptance")
SCANNED_SUFFIXES = {".py", ".html", ".txt", ".md"}  # the message catalogue holds marketplace/'s messages too


def test_no_octopia_field_name_outside_the_marketplace_code_and_the_simulator():
    pattern = re.compile("|".join(OCTOPIA_FIELD_NAMES))
    found = [
        f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}"
        for path in sorted([*ROOT.rglob("*"), *(path for folder in OUTSIDE_THE_PACKAGE for path in folder.rglob("*"))])
        if path.suffix in SCANNED_SUFFIXES and not any(path.is_relative_to(allowed) for allowed in ALLOWED)
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []
