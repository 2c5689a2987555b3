"""Issue #19 item 3: the frozen parties and VAT rows of an invoice are typed, written by one builder and read back
strictly; invoices stored before that (their JSON written key by key) still render to the same bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from facturier.core.clock import PARIS
from facturier.documents.render import render_document
from facturier.documents.snapshot import Party, VatBreakdown
from facturier.invoicing.frozen import FrozenDocument, FrozenParty, UnknownFrozenKey
from facturier.invoicing.models import Invoice
from facturier.invoicing.snapshot import to_snapshot
from facturier.invoicing.tests.orders import ADDRESS, issue_invoice, market_order, order_line, sales_order

PLACED = datetime(2026, 11, 18, 10, 0, tzinfo=PARIS)
BUYER_COMPANY = replace(ADDRESS, company_name="Client Pro SARL", company_vat_number="FR88100000009")
RELAY = replace(ADDRESS, line1="Tabac de la Gare", pickup_id="FR-123", pickup_name="Relais Gare")
# The keys each JSON column held before the typed snapshot, as issuing.seller_party, drafting.buyer_party and
# drafting.delivery_party wrote them.
OLD_SELLER_KEYS = (
    "name", "address_lines", "postal_code", "city", "country_code", "vat_number", "siren", "siret", "legal_form",
    "share_capital", "rcs_city", "trade_register", "email", "electronic_address", "electronic_address_scheme",
    "vat_on_debits", "reform_mentions",
)  # fmt: skip
OLD_BUYER_KEYS = (
    "name", "contact_name", "address_lines", "postal_code", "city", "country_code", "vat_number", "siren",
    "electronic_address", "electronic_address_scheme", "email", "is_business",
)  # fmt: skip
OLD_DELIVERY_KEYS = ("name", "address_lines", "postal_code", "city", "country_code")


def issued_b2b_invoice(seller) -> Invoice:
    line = order_line("1", "120.00", shipping="6.00", sku="SKU-OLD")
    raw = market_order("ORD-FROZEN", [line], business=True, billing=BUYER_COMPANY, delivery=RELAY, placed=PLACED)
    return issue_invoice(sales_order(seller, raw))


def loaded_as_stored_the_old_way(invoice: Invoice) -> Invoice:
    """The same invoice as loaded with its JSON columns as the code before the typed snapshot wrote them (an issued
    row cannot be updated, even by a test: the database's triggers refuse it)."""
    old = Invoice.objects.get(pk=invoice.pk)
    old.seller_snapshot = {key: invoice.seller_snapshot[key] for key in OLD_SELLER_KEYS}
    old.buyer_snapshot = {key: invoice.buyer_snapshot[key] for key in OLD_BUYER_KEYS}
    old.delivery_snapshot = {key: invoice.delivery_snapshot[key] for key in OLD_DELIVERY_KEYS}
    return old


@pytest.mark.django_db
def test_an_invoice_stored_in_the_old_format_renders_the_same_bytes(make_seller):
    seller = make_seller(vat_on_debits=True, english_translation=True)
    invoice = issued_b2b_invoice(seller)
    fresh = render_document(to_snapshot(invoice))

    old = loaded_as_stored_the_old_way(invoice)
    snapshot = to_snapshot(old)

    assert render_document(snapshot).pdf == fresh.pdf
    assert snapshot.buyer == Party(
        name="Client Pro SARL", contact_name="Zoë Martin", address_lines=("3 rue Bât. B",), postal_code="75011",
        city="Paris", country_code="FR", vat_number="FR88100000009", siren="100000009",
        electronic_address="100000009", electronic_address_scheme="0225", email="zoe.martin@example.org",
    )  # fmt: skip
    assert snapshot.delivery_address == Party(
        name="Relais Gare (point relais FR-123)", address_lines=("À l'attention de Zoë Martin", "Tabac de la Gare"),
        postal_code="75011", city="Paris", country_code="FR",
    )  # fmt: skip
    assert snapshot.vat_breakdown == (VatBreakdown("S", Decimal("20"), Decimal("105.00"), Decimal("21.00")),)
    assert (snapshot.operation_category, snapshot.vat_on_debits, snapshot.ctc_fr is not None) == ("goods", True, True)
    assert snapshot.languages == ("fr", "en")


@pytest.mark.django_db
def test_what_issuing_stores_reads_back_to_the_same_typed_content(make_seller):
    invoice = issued_b2b_invoice(make_seller())
    frozen = FrozenDocument.of(invoice)

    assert frozen.to_fields() == {
        "seller_snapshot": invoice.seller_snapshot,
        "buyer_snapshot": invoice.buyer_snapshot,
        "delivery_snapshot": invoice.delivery_snapshot,
        "vat_breakdown": invoice.vat_breakdown,
    }
    assert (frozen.buyer.is_business, frozen.seller.reform_mentions) == (True, True)


@pytest.mark.django_db
def test_a_misspelt_frozen_key_is_refused_rather_than_dropped(make_seller):
    invoice = issued_b2b_invoice(make_seller())
    invoice.buyer_snapshot["vat_numbr"] = invoice.buyer_snapshot.pop("vat_number")

    with pytest.raises(UnknownFrozenKey) as refused:
        to_snapshot(invoice)

    assert refused.value.message == "Donnée figée inconnue dans party : vat_numbr."


def test_a_misspelt_vat_row_key_is_refused():
    row = {"category": "S", "rate": "20", "taxable_amount": "10.00", "tax_amount": "2.00", "exemption_reson": "x"}

    with pytest.raises(UnknownFrozenKey):
        FrozenDocument.of(
            Invoice(seller_snapshot={"name": "A", "address_lines": [], "postal_code": "", "city": "",
                                     "country_code": "FR"},
                    buyer_snapshot={"name": "B", "address_lines": [], "postal_code": "", "city": "",
                                    "country_code": "FR"},
                    vat_breakdown=[row])
        )  # fmt: skip


def test_a_party_is_written_with_its_address_lines_as_a_json_list():
    party = FrozenParty(name="A", address_lines=("1 rue X",), postal_code="75001", city="Paris", country_code="FR")

    assert party.to_json()["address_lines"] == ["1 rue X"]
    assert FrozenParty.from_json(party.to_json()) == party
