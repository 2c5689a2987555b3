"""Fee invoices as issued documents: the stored PDF/A-3 carries a Factur-X XML that passes the schematrons."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from facturier.billing.fee_invoices import run_monthly_billing
from facturier.billing.models import FeeInvoice
from facturier.billing.tests.helpers import french_seller, german_seller, issue_invoices
from facturier.core.clock import PARIS
from facturier.documents.validation import (
    check_pdfa,
    errors_only,
    extract_facturx_xml,
    validate_en16931,
    validate_fr_ctc,
    validate_xsd,
)

OCTOBER = date(2026, 10, 1)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def issued_fee(seller) -> tuple[FeeInvoice, bytes, bytes]:
    issue_invoices(seller, 205, datetime(2026, 10, 2, 8, 0, tzinfo=PARIS))
    run_monthly_billing(OCTOBER)
    fee = FeeInvoice.objects.get(seller=seller)
    with fee.pdf.open("rb") as handle:
        pdf = handle.read()
    return fee, pdf, extract_facturx_xml(pdf)


def values(xml: bytes, path: str) -> list[str]:
    return [str(value) for value in etree.fromstring(xml).xpath(path, namespaces=NS)]


def test_domestic_fee_invoice_passes_en16931_the_french_ctc_rules_and_pdfa(make_seller):
    fee, pdf, xml = issued_fee(french_seller(make_seller))

    assert validate_xsd(xml) == []
    assert errors_only(validate_en16931(xml)) == []
    assert errors_only(validate_fr_ctc(xml)) == []
    assert check_pdfa(pdf) == []
    assert values(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == ["S1"]
    notes = dict(zip(values(xml, "//ram:IncludedNote/ram:SubjectCode/text()"),
                     values(xml, "//ram:IncludedNote[ram:SubjectCode]/ram:Content/text()"), strict=True))
    assert notes == {
        "PMD": "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
        "PMT": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "AAB": "Pas d'escompte pour paiement anticipé.",
        "BAR": "B2B",
    }
    assert values(xml, "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/text()") == ["123456782"]
    assert values(xml, "//ram:BillingSpecifiedPeriod//udt:DateTimeString/text()") == ["20261001", "20261031"]
    assert values(xml, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString/text()") == [
        f"{fee.due_date:%Y%m%d}"
    ]
    assert (fee.due_date - fee.issue_date).days == 30
    assert values(xml, "//ram:GrandTotalAmount/text()") == ["35.99"]
    assert values(xml, "//ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["S", "S"]


def test_reverse_charge_fee_invoice_passes_en16931_and_pdfa_with_both_vat_numbers(make_seller):
    fee, pdf, xml = issued_fee(german_seller(make_seller))

    assert errors_only(validate_en16931(xml)) == []
    assert check_pdfa(pdf) == []
    assert values(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()") == ["FR88100000009"]
    assert values(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()") == ["DE136695976"]
    assert values(xml, "//ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["AE", "AE"]
    assert values(xml, "//ram:ApplicableTradeTax/ram:ExemptionReasonCode/text()") == ["VATEX-EU-AE"]
    assert values(xml, "//ram:GrandTotalAmount/text()") == ["29.99"]
    assert fee.total_incl_vat == Decimal("29.99")


def test_eu_seller_without_vat_number_fee_invoice_passes_en16931_and_pdfa(make_seller):
    fee, pdf, xml = issued_fee(german_seller(make_seller, vat_number=""))

    assert errors_only(validate_en16931(xml)) == []
    assert check_pdfa(pdf) == []
    assert values(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()") == []
    assert values(xml, "//ram:TaxTotalAmount/text()") == ["6.00"]


@pytest.mark.parametrize("seller_kind", ["french", "german"])
def test_the_stored_pdf_matches_its_recorded_sha256(make_seller, seller_kind):
    import hashlib

    build = french_seller if seller_kind == "french" else german_seller
    fee, pdf, _xml = issued_fee(build(make_seller))

    assert hashlib.sha256(pdf).hexdigest() == fee.pdf_sha256


def pdf_text(pdf: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_domestic_fee_pdf_prints_the_b2b_payment_mentions_and_the_period(make_seller):
    fee, pdf, _xml = issued_fee(french_seller(make_seller, legal_name="Alpha SAS"))

    text = pdf_text(pdf)

    for expected in (
        "FCT-000001",
        "Alpha SAS",
        "SIREN : 123456782",
        "Période de facturation : 01/10/2026 – 31/10/2026",
        f"Date d'échéance : {fee.due_date:%d/%m/%Y}",
        "Abonnement Facturier - octobre 2026 - palier 201-300\nfactures (205 factures émises)",
        "Total TTC 35,99 €",
        "Prestations de services",
        "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "Pas d'escompte pour paiement anticipé.",
    ):
        assert expected in text, expected


FEE_CASES = {
    # case: (seller builder and overrides, BR-FR applies, BT-23, printed mentions)
    "French seller": (french_seller, {}, True, ["S1"], [
        "Catégorie de l'opération : Prestation de services",
        "Date de livraison : 31/10/2026",
        "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "Pas d'escompte pour paiement anticipé.",
        "20 % 29,99 € 6,00 €",
    ]),
    "EU seller, reverse charge": (german_seller, {}, False, ["S1"], [
        "Catégorie de l'opération / Type of supply : Prestation de services / Supply of services",
        "Date de livraison / Date of supply : 31/10/2026",
        "Autoliquidation - reverse charge, art. 196 Directive 2006/112/CE",
        "Autoliquidation 29,99 € 0,00 €",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "Pas d'escompte pour paiement anticipé.",
    ]),
    "EU seller without a VAT number": (german_seller, {"vat_number": ""}, False, ["S1"], [
        "Catégorie de l'opération / Type of supply : Prestation de services / Supply of services",
        "Date de livraison / Date of supply : 31/10/2026",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "20 % 29,99 € 6,00 €",
    ]),
}


@pytest.mark.parametrize("case", sorted(FEE_CASES))
def test_each_fee_invoice_case_carries_its_legal_mentions(make_seller, case):
    build, overrides, french_ctc, business_process, printed = FEE_CASES[case]
    fee, pdf, xml = issued_fee(build(make_seller, **overrides))

    assert validate_xsd(xml) == []
    assert errors_only(validate_en16931(xml)) == []
    if french_ctc:
        assert validate_fr_ctc(xml) == []
    assert values(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == business_process
    assert values(xml, "//ram:ActualDeliverySupplyChainEvent//udt:DateTimeString/text()") == ["20261031"]
    text = pdf_text(pdf).replace("\u00a0", " ").replace("\u202f", " ")
    assert [mention for mention in printed if mention not in text] == []
    assert " AE\n" not in text and "0 % AE" not in text


@pytest.mark.parametrize(("seller_kind", "stated"), [("french", True), ("german", False)])
def test_the_debits_option_facturier_opted_for_is_stated_where_french_vat_is_charged(make_seller, settings,
                                                                                    seller_kind, stated):
    settings.FACTURIER_OPERATOR = {**settings.FACTURIER_OPERATOR, "vat_on_debits": True}
    build = french_seller if seller_kind == "french" else german_seller

    fee, pdf, xml = issued_fee(build(make_seller))

    assert errors_only(validate_en16931(xml)) == []
    if seller_kind == "french":
        assert validate_fr_ctc(xml) == []
    assert values(xml, "//ram:ApplicableTradeTax/ram:DueDateTypeCode/text()") == (["5"] if stated else [])
    assert ("Option pour le paiement de la taxe d'après les débits" in pdf_text(pdf)) is stated
    assert fee.operator_snapshot["vat_on_debits"] is True
