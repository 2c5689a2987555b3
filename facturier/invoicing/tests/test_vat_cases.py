"""Issue #4 acceptance: every VAT case of invoicing-rules §3.3 that applies to EU sellers, issued end to end and
validated against the official EN 16931 schematron (saxonche, in-process)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from facturier.documents.facturx import build_facturx_xml
from facturier.documents.render import render_document
from facturier.documents.validation import check_pdfa, errors_only, validate_en16931
from facturier.invoicing.snapshot import to_snapshot
from facturier.invoicing.tests.orders import ADDRESS, issue_invoice, market_order, order_line, sales_order

NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}
GERMAN = {
    "country": "DE",
    "vat_number": "DE136695976",
    "fr_vat_number": "",
    "siren": "",
    "rcs_city": "",
    "trade_register": "HRB 12345 Amtsgericht München",
    "legal_form": "GmbH",
    "address_line1": "Hauptstr. 1",
    "postal_code": "80331",
    "city": "München",
}
BUYER_COMPANY = replace(ADDRESS, company_name="Client Pro SARL", company_vat_number="FR88100000009")

CASES = [
    # _case, seller set-up, supply mode, business buyer, expected (vat case, category, rate, exemption code)
    ("French seller, domestic", {}, False, False, ("FR_DOMESTIC", "S", "20.00", "")),
    (
        "French micro-business",
        {"franchise_en_base": True, "vat_number": "", "fr_vat_number": ""},
        False,
        False,
        ("FRANCHISE", "E", "0.00", "VATEX-FR-FRANCHISE"),
    ),
    ("A: EU seller under the threshold", GERMAN, False, False, ("A_HOME_STATE", "S", "19.00", "")),
    ("B: EU seller using the OSS", {**GERMAN, "oss_registered": True}, False, False, ("B_OSS", "S", "20.00", "")),
    (
        "C: EU seller with a French VAT number",
        {**GERMAN, "above_distance_threshold": True, "fr_vat_number": "FR11123456782"},
        False,
        False,
        ("C_FR_REGISTERED", "S", "20.00", ""),
    ),
    (
        "D: goods stocked in France",
        {**GERMAN, "fr_vat_number": "FR11123456782"},
        True,
        False,
        ("D_STOCK_IN_FRANCE", "S", "20.00", ""),
    ),
    (
        "intra-EU supply to a French business",
        GERMAN,
        False,
        True,
        ("B2B_INTRA_EU_EXEMPT", "K", "0.00", "VATEX-EU-IC"),
    ),
    (
        "reverse charge from French stock",
        GERMAN,
        True,
        True,
        ("B2B_REVERSE_CHARGE", "AE", "0.00", "VATEX-EU-AE"),
    ),
    ("French seller, business buyer", {}, False, True, ("FR_DOMESTIC", "S", "20.00", "")),
]


def xml_values(xml: bytes, path: str) -> list[str]:
    return [node.text for node in etree.fromstring(xml).xpath(path, namespaces=NS)]


@pytest.mark.django_db
@pytest.mark.parametrize("_case, setup, fulfilled, business, expected", CASES)
def test_each_vat_case_is_issued_printed_and_encoded(make_seller, _case, setup, fulfilled, business, expected):
    seller = make_seller(**setup)
    line = order_line("1", "120.00", shipping="6.00", fulfilled_by_marketplace=fulfilled)
    raw = market_order("ORD-CASE", [line], business=business, billing=BUYER_COMPANY if business else None)

    invoice = issue_invoice(sales_order(seller, raw))

    vat_case, category, rate, exemption = expected
    assert (invoice.vat_case, invoice.lines.first().vat_category, str(invoice.lines.first().vat_rate)) == (
        vat_case,
        category,
        rate,
    )
    assert invoice.total_gross == Decimal("126.00")
    document = render_document(to_snapshot(invoice))
    assert errors_only(validate_en16931(document.xml)) == []
    assert check_pdfa(document.pdf) == []
    assert xml_values(document.xml, "//ram:ApplicableTradeTax/ram:CategoryCode")[-1] == category
    codes = xml_values(
        document.xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode"
    )
    assert codes == ([exemption] if exemption else [])
    assert xml_values(document.xml, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == ["ORD-CASE"]
    assert xml_values(document.xml, "//ram:GrandTotalAmount") == ["126.00"]
    assert xml_values(document.xml, "//ram:DuePayableAmount") == ["0.00"]


@pytest.mark.django_db
def test_relay_point_delivery_and_partial_cancellation_are_on_the_invoice(seller_a):
    relay = replace(ADDRESS, line1="Tabac de la Gare", pickup_id="FR-123", pickup_name="Relais Gare")
    raw = market_order(
        "ORD-RELAY",
        [
            order_line("1", "20.00"),
            order_line("2", "35.00", status="Cancelled"),
        ],
        delivery=relay,
    )

    invoice = issue_invoice(sales_order(seller_a, raw))

    assert invoice.lines.count() == 1
    assert invoice.total_gross == Decimal("20.00")
    assert invoice.delivery_snapshot["name"] == "Relais Gare (point relais FR-123)"
    document = render_document(to_snapshot(invoice))
    assert errors_only(validate_en16931(document.xml)) == []
    assert xml_values(document.xml, "//ram:ShipToTradeParty/ram:Name") == ["Relais Gare (point relais FR-123)"]


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2500.00"), places=2)
baskets = st.lists(
    st.tuples(
        prices,
        st.integers(1, 12),
        st.sampled_from(["20", "10", "5.5", "2.1", ""]),
        st.decimals(min_value=Decimal("0"), max_value=Decimal("15"), places=2),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(basket=baskets)
def test_random_baskets_total_what_was_paid_and_pass_the_schematron(make_seller, basket):
    seller = make_seller()
    lines = []
    for index, (price, quantity, rate, shipping) in enumerate(basket, start=1):
        if rate:
            seller.sku_rates.create(key=f"SKU-{index}", rate=Decimal(rate))
        lines.append(
            order_line(str(index), str(price), quantity=quantity, shipping=str(shipping), sku=f"SKU-{index}")
        )
    paid = sum(price * quantity + shipping for price, quantity, _, shipping in basket)

    invoice = issue_invoice(sales_order(seller, market_order(f"ORD-{seller.pk}", lines)))

    assert invoice.total_gross == paid
    assert invoice.total_net + invoice.total_vat == paid
    assert sum(line.gross_amount for line in invoice.lines.all()) == paid
    assert errors_only(validate_en16931(build_facturx_xml(to_snapshot(invoice)))) == []
