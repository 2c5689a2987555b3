from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from facturier.documents.facturx import RAM, build_facturx_xml
from facturier.documents.tests import samples
from facturier.documents.validation import errors_only, validate_en16931, validate_fr_ctc, validate_xsd

GOLDEN = Path(__file__).parent / "golden"
NS = {"ram": RAM}


def _pretty(xml: bytes) -> str:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(xml, parser), pretty_print=True, encoding="unicode")


def _values(xml: bytes, path: str) -> list[str]:
    return [str(value) for value in etree.fromstring(xml).xpath(path, namespaces=NS)]


@pytest.mark.parametrize("name", sorted(samples.ALL_SAMPLES))
def test_xml_matches_golden_file_and_schema(name):
    xml = build_facturx_xml(samples.ALL_SAMPLES[name]())
    golden = (GOLDEN / f"{name}.xml").read_bytes()

    assert validate_xsd(xml) == []
    assert validate_xsd(golden) == []
    assert _pretty(xml) == _pretty(golden)


@pytest.mark.parametrize("name", sorted(samples.ALL_SAMPLES))
def test_every_sample_passes_en16931_schematron(name):
    failures = validate_en16931(build_facturx_xml(samples.ALL_SAMPLES[name]()))

    assert errors_only(failures) == []
    # The only tolerated finding: the empty (but XSD-mandatory) ApplicableHeaderTradeDelivery.
    assert {(failure.id, failure.flag) for failure in failures} <= {("PEPPOL-EN16931-R008", "warning")}


@pytest.mark.parametrize("name, business_process", [("domestic_fee", "S1"), ("b2b_company", "B2")])
def test_french_b2b_documents_pass_french_ctc_rules(name, business_process):
    xml = build_facturx_xml(samples.ALL_SAMPLES[name]())

    assert validate_fr_ctc(xml) == []
    assert _values(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == [
        business_process
    ]
    assert _values(xml, "//ram:IncludedNote[ram:SubjectCode='BAR']/ram:Content/text()") == ["B2B"]
    assert _values(xml, "//ram:IncludedNote/ram:SubjectCode/text()") == ["PMD", "PMT", "AAB", "BAR"]
    assert _values(xml, "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID/@schemeID") == ["0225"]


def test_french_ctc_rules_reject_a_marketplace_b2c_invoice():
    failures = validate_fr_ctc(build_facturx_xml(samples.b2c_multi_rate_invoice()))

    assert sorted(failure.id for failure in failures) == [
        "BR-FR-05_BT-22_AAB", "BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22_PMT",
        "BR-FR-08_BT-23", "BR-FR-10_BT-30", "BR-FR-12_BT-49", "BR-FR-13_BT-34",
    ]
    assert {failure.flag for failure in failures} == {"fatal"}


def test_en16931_catches_totals_that_do_not_add_up():
    invoice = samples.b2c_multi_rate_invoice()
    broken = replace(invoice, total_gross=Decimal("84.00"), amount_paid=Decimal("84.00"))

    failures = errors_only(validate_en16931(build_facturx_xml(broken)))

    assert [failure.id for failure in failures] == ["BR-CO-15"]
    assert "BT-112" in failures[0].text
    assert failures[0].location.endswith("SpecifiedTradeSettlementHeaderMonetarySummation[namespace-uri()="
                                         "'urn:un:unece:uncefact:data:standard:"
                                         "ReusableAggregateBusinessInformationEntity:100'][1]")


def test_en16931_catches_reverse_charge_without_buyer_vat_number():
    invoice = samples.reverse_charge_fee_invoice()
    broken = replace(invoice, buyer=replace(invoice.buyer, vat_number=""))

    assert {failure.id for failure in errors_only(validate_en16931(build_facturx_xml(broken)))} == {"BR-AE-02"}


def test_credit_note_is_type_381_with_positive_amounts_and_the_invoice_reference():
    xml = build_facturx_xml(samples.credit_note())

    assert _values(xml, "//ram:TypeCode[parent::*[local-name()='ExchangedDocument']]/text()") == ["381"]
    assert _values(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == ["CDX-42-2026-000001"]
    assert _values(xml, "//ram:InvoiceReferencedDocument//*[@format='102']/text()") == ["20261121"]
    assert _values(xml, "//ram:GrandTotalAmount/text()") == ["22.00"]


def test_paid_marketplace_order_has_prepaid_equal_to_grand_total_and_nothing_due():
    xml = build_facturx_xml(samples.b2c_multi_rate_invoice())

    assert _values(xml, "//ram:GrandTotalAmount/text()") == ["83.99"]
    assert _values(xml, "//ram:TotalPrepaidAmount/text()") == ["83.99"]
    assert _values(xml, "//ram:DuePayableAmount/text()") == ["0.00"]
    assert _values(xml, "//ram:ShipToTradeParty/ram:Name/text()") == ["Point Relais - Tabac Le Central"]


def test_reverse_charge_carries_both_vat_numbers_and_the_exemption_code():
    xml = build_facturx_xml(samples.reverse_charge_fee_invoice())

    assert _values(xml, "//ram:SpecifiedTaxRegistration/ram:ID/text()") == ["FR65912345675", "DE136695976"]
    assert _values(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode"
                        "/text()") == ["VATEX-EU-AE"]
    assert _values(xml, "//ram:DuePayableAmount/text()") == ["60.20"]
    assert _values(xml, "//ram:DueDateDateTime/*/text()") == ["20261231"]


def test_invalid_gtin_is_left_out_but_the_sku_kept():
    invoice = samples.b2b_company_invoice()
    line = replace(invoice.lines[1], ean="3700123456781")  # wrong check digit
    xml = build_facturx_xml(replace(invoice, lines=(invoice.lines[0], line)))

    assert _values(xml, "//ram:GlobalID/text()") == []
    assert _values(xml, "//ram:SellerAssignedID/text()") == ["SUSP-LAI", "APP-MUR"]


def test_non_ascii_names_are_kept_verbatim():
    xml = build_facturx_xml(samples.b2b_company_invoice())

    assert _values(xml, "//ram:BuyerTradeParty/ram:DefinedTradeContact/ram:PersonName/text()") == [
        "Łukasz Wiśniewski"
    ]
    assert _values(xml, "//ram:SellerTradeParty/ram:Description/text()") == [
        "SAS au capital de 10 000 € - RCS Lyon 850123456"
    ]


@pytest.mark.parametrize("name", sorted(samples.ALL_SAMPLES))
def test_a_document_always_states_a_date_of_supply(name):
    snapshot = replace(samples.ALL_SAMPLES[name](), delivery_date=None)
    expected = snapshot.billing_period[1] if snapshot.billing_period else snapshot.issue_date

    xml = build_facturx_xml(snapshot)

    assert _values(xml, "//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/*/text()") == [
        expected.strftime("%Y%m%d")
    ]
    assert errors_only(validate_en16931(xml)) == []
