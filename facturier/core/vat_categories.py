"""The EN 16931 VAT category codes (UNCL5305, BT-118 / BT-151) Facturier stores and prints."""

STANDARD = "S"
ZERO_RATED = "Z"
EXEMPT = "E"
INTRA_COMMUNITY = "K"
REVERSE_CHARGE = "AE"
EXPORT = "G"
OUT_OF_SCOPE = "O"
# Categories where VAT is charged: the amounts carry no exemption reason.
CHARGED = frozenset({STANDARD, ZERO_RATED})
