"""The frozen content of an issued document, typed: its parties and VAT rows, stored as JSON on its row.

Issued documents are immutable, so this JSON format is the one of every document already issued: the builder
(`FrozenDocument.to_fields`, `FrozenParty.to_json`) writes it and the reader (`FrozenDocument.of`,
`FrozenParty.from_json`) reads it back. The reader refuses a key it does not know rather than dropping it: a
misspelt key fails loudly instead of printing an invoice without what it meant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from facturier.core.errors import FacturierError
from facturier.documents.snapshot import Party, VatBreakdown

_PARTY_FIELDS = tuple(field.name for field in fields(Party))


class UnknownFrozenKey(FacturierError):
    """Stored frozen data holds a key no reader knows: it is never dropped silently."""


@dataclass(frozen=True)
class FrozenParty(Party):
    """A party as frozen into a document: what is printed (Party), and what was decided with it at issue."""

    is_business: bool = False  # the buyer: a B2B document, with the L441-9 payment mentions
    vat_on_debits: bool = False  # the issuer opted to pay VAT on debits (BT-8)
    reform_mentions: bool = False  # the issuer prints the decree 2022-1299 mentions

    @property
    def printed(self) -> Party:
        return Party(**{name: getattr(self, name) for name in _PARTY_FIELDS})

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["address_lines"] = list(self.address_lines)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FrozenParty:
        _refuse_unknown(data, cls, "party")
        return cls(**{**data, "address_lines": tuple(data.get("address_lines", ()))})


def vat_row_json(row: VatBreakdown) -> dict[str, str]:
    """One VAT breakdown row as stored: amounts as their exact decimal text."""
    return {
        "category": row.category,
        "rate": str(row.rate),
        "taxable_amount": str(row.taxable_amount),
        "tax_amount": str(row.tax_amount),
        "exemption_reason": row.exemption_reason,
        "exemption_reason_code": row.exemption_reason_code,
    }


def vat_row(data: dict[str, str]) -> VatBreakdown:
    _refuse_unknown(data, VatBreakdown, "VAT breakdown row")
    return VatBreakdown(
        category=data["category"],
        rate=Decimal(data["rate"]),
        taxable_amount=Decimal(data["taxable_amount"]),
        tax_amount=Decimal(data["tax_amount"]),
        exemption_reason=data.get("exemption_reason", ""),
        exemption_reason_code=data.get("exemption_reason_code", ""),
    )


def _refuse_unknown(data: dict[str, Any], kind: type, what: str) -> None:
    unknown = sorted(set(data) - {field.name for field in fields(kind)})
    if unknown:
        raise UnknownFrozenKey(f"Donnée figée inconnue dans {what} : {', '.join(unknown)}.")


@dataclass(frozen=True)
class FrozenDocument:
    """The parties and VAT rows an invoice or credit note froze at issue (the Invoice row's JSON columns)."""

    seller: FrozenParty
    buyer: FrozenParty
    delivery: FrozenParty | None
    vat_breakdown: tuple[VatBreakdown, ...]

    def to_fields(self) -> dict[str, Any]:
        """The Invoice columns that store this content (the one place that writes them)."""
        return {
            "seller_snapshot": self.seller.to_json(),
            "buyer_snapshot": self.buyer.to_json(),
            "delivery_snapshot": self.delivery.to_json() if self.delivery else None,
            "vat_breakdown": [vat_row_json(row) for row in self.vat_breakdown],
        }

    @classmethod
    def of(cls, invoice) -> FrozenDocument:
        """Read back what `to_fields` stored on an Invoice row."""
        delivery = invoice.delivery_snapshot
        return cls(
            seller=FrozenParty.from_json(invoice.seller_snapshot),
            buyer=FrozenParty.from_json(invoice.buyer_snapshot),
            delivery=FrozenParty.from_json(delivery) if delivery else None,
            vat_breakdown=tuple(vat_row(row) for row in invoice.vat_breakdown),
        )
