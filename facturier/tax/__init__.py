"""VAT decisions as pure functions over dataclasses: EU tables, identifiers, regimes, allocation."""
