"""Factur-X EN 16931 (CII D22B) XML built directly with lxml from a DocumentSnapshot.

Element order follows the Factur-X 1.09 EN16931 XSD; each BT/BG is named where it is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from stdnum import ean

from facturier.core.money import quantize
from facturier.documents.snapshot import DocumentLine, DocumentSnapshot, Party, VatBreakdown

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
UNIT_PIECE = "C62"  # UN/ECE rec 20 "one"
SIREN_SCHEME = "0002"
GTIN_SCHEME = "0160"
VAT_ON_DEBITS_CODE = "5"  # UNTDID 2005 "date of invoice": VAT due on debits (BT-8)


def build_facturx_xml(snapshot: DocumentSnapshot) -> bytes:
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    _add_context(root, snapshot)
    _add_header(root, snapshot)
    transaction = _sub(root, "SupplyChainTradeTransaction", ns=RSM)
    for line in snapshot.lines:
        _add_line(transaction, line)
    _add_agreement(transaction, snapshot)
    _add_delivery(transaction, snapshot)
    _add_settlement(transaction, snapshot)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = RAM, **attrs: str):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs or None)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return f"{quantize(value):f}"


def _decimal(value: Decimal) -> str:
    """Quantities and unit prices: as precise as given, no exponent, no useless trailing zeros."""
    return f"{value.normalize():f}"


def _rate(value: Decimal) -> str:
    return f"{value:.2f}"


def _date(parent: etree._Element, tag: str, value: date, ns: str = UDT) -> None:
    holder = _sub(parent, tag)
    _sub(holder, "DateTimeString", value.strftime("%Y%m%d"), ns=ns, format="102")


def _add_context(root: etree._Element, snapshot: DocumentSnapshot) -> None:
    context = _sub(root, "ExchangedDocumentContext", ns=RSM)
    if snapshot.business_process:  # BT-23
        _sub(_sub(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", snapshot.business_process)
    _sub(_sub(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", EN16931_GUIDELINE)  # BT-24


def _header_notes(snapshot: DocumentSnapshot) -> list[tuple[str, str]]:
    """BG-1 notes as (text, subject code); legal mentions first, then the French CTC payment notes."""
    notes = [(text, "") for text in snapshot.notes]
    ctc = snapshot.ctc_fr
    if ctc is not None:
        notes += [
            (ctc.late_penalty_note, "PMD"),
            (ctc.recovery_indemnity_note, "PMT"),
            (ctc.discount_note, "AAB"),
            (ctc.transaction_scope, "BAR"),
        ]
    return notes


def _add_header(root: etree._Element, snapshot: DocumentSnapshot) -> None:
    document = _sub(root, "ExchangedDocument", ns=RSM)
    _sub(document, "ID", snapshot.number)  # BT-1
    _sub(document, "TypeCode", snapshot.type_code)  # BT-3
    _date(document, "IssueDateTime", snapshot.issue_date)  # BT-2
    for text, subject in _header_notes(snapshot):
        note = _sub(document, "IncludedNote")
        _sub(note, "Content", text)  # BT-22
        if subject:
            _sub(note, "SubjectCode", subject)  # BT-21


def _add_line(transaction: etree._Element, line: DocumentLine) -> None:
    item = _sub(transaction, "IncludedSupplyChainTradeLineItem")  # BG-25
    _sub(_sub(item, "AssociatedDocumentLineDocument"), "LineID", str(line.position))  # BT-126
    product = _sub(item, "SpecifiedTradeProduct")
    if line.ean and ean.is_valid(line.ean):
        _sub(product, "GlobalID", ean.compact(line.ean), schemeID=GTIN_SCHEME)  # BT-157
    if line.sku:
        _sub(product, "SellerAssignedID", line.sku)  # BT-155
    _sub(product, "Name", line.description)  # BT-153
    price = _sub(_sub(item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice")
    _sub(price, "ChargeAmount", _decimal(line.unit_net_price))  # BT-146
    _sub(_sub(item, "SpecifiedLineTradeDelivery"), "BilledQuantity", _decimal(line.quantity),
         unitCode=UNIT_PIECE)  # BT-129 / BT-130
    settlement = _sub(item, "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ApplicableTradeTax")
    _sub(tax, "TypeCode", "VAT")
    _sub(tax, "CategoryCode", line.vat_category)  # BT-151
    _sub(tax, "RateApplicablePercent", _rate(line.vat_rate))  # BT-152
    summation = _sub(settlement, "SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "LineTotalAmount", _amount(line.net_amount))  # BT-131


def _add_address(parent: etree._Element, party: Party) -> None:
    address = _sub(parent, "PostalTradeAddress")
    if party.postal_code:
        _sub(address, "PostcodeCode", party.postal_code)
    for tag, text in zip(("LineOne", "LineTwo", "LineThree"), party.address_lines, strict=False):
        _sub(address, tag, text)
    _sub(address, "CityName", party.city)
    _sub(address, "CountryID", party.country_code)


def _add_party(parent: etree._Element, tag: str, party: Party, *, is_seller: bool) -> None:
    element = _sub(parent, tag)
    _sub(element, "Name", party.name)  # BT-27 / BT-44
    if is_seller and party.legal_information:
        _sub(element, "Description", party.legal_information)  # BT-33
    if party.siren:
        _sub(_sub(element, "SpecifiedLegalOrganization"), "ID", party.siren,
             schemeID=SIREN_SCHEME)  # BT-30 / BT-47
    if party.contact_name or party.email:
        contact = _sub(element, "DefinedTradeContact")
        if party.contact_name:
            _sub(contact, "PersonName", party.contact_name)  # BT-41 / BT-56
        if party.email:
            _sub(_sub(contact, "EmailURIUniversalCommunication"), "URIID", party.email)  # BT-43 / BT-58
    _add_address(element, party)
    if party.electronic_address:  # BT-34 / BT-49
        _sub(_sub(element, "URIUniversalCommunication"), "URIID", party.electronic_address,
             schemeID=party.electronic_address_scheme or "EM")
    if party.vat_number:
        _sub(_sub(element, "SpecifiedTaxRegistration"), "ID", party.vat_number, schemeID="VA")
    elif is_seller and party.siren:
        # A seller with no VAT number (franchise en base) is identified by its tax registration (BT-32, BR-E-02).
        _sub(_sub(element, "SpecifiedTaxRegistration"), "ID", party.siren, schemeID="FC")


def _add_agreement(transaction: etree._Element, snapshot: DocumentSnapshot) -> None:
    agreement = _sub(transaction, "ApplicableHeaderTradeAgreement")
    _add_party(agreement, "SellerTradeParty", snapshot.seller, is_seller=True)  # BG-4
    _add_party(agreement, "BuyerTradeParty", snapshot.buyer, is_seller=False)  # BG-7
    if snapshot.order_reference:
        _sub(_sub(agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID",
             snapshot.order_reference)  # BT-13


def _add_delivery(transaction: etree._Element, snapshot: DocumentSnapshot) -> None:
    delivery = _sub(transaction, "ApplicableHeaderTradeDelivery")
    place = snapshot.delivery_address
    if place is not None:  # BG-13 / BG-15
        ship_to = _sub(delivery, "ShipToTradeParty")
        _sub(ship_to, "Name", place.name)  # BT-70
        _add_address(ship_to, place)
    _date(_sub(delivery, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", snapshot.supply_date)  # BT-72


def _add_vat(settlement: etree._Element, vat: VatBreakdown, snapshot: DocumentSnapshot) -> None:
    tax = _sub(settlement, "ApplicableTradeTax")  # BG-23
    _sub(tax, "CalculatedAmount", _amount(vat.tax_amount))  # BT-117
    _sub(tax, "TypeCode", "VAT")
    if vat.exemption_reason:
        _sub(tax, "ExemptionReason", vat.exemption_reason)  # BT-120
    _sub(tax, "BasisAmount", _amount(vat.taxable_amount))  # BT-116
    _sub(tax, "CategoryCode", vat.category)  # BT-118
    if vat.exemption_reason_code:
        _sub(tax, "ExemptionReasonCode", vat.exemption_reason_code)  # BT-121
    if snapshot.vat_on_debits:
        _sub(tax, "DueDateTypeCode", VAT_ON_DEBITS_CODE)  # BT-8
    _sub(tax, "RateApplicablePercent", _rate(vat.rate))  # BT-119


def _add_settlement(transaction: etree._Element, snapshot: DocumentSnapshot) -> None:
    settlement = _sub(transaction, "ApplicableHeaderTradeSettlement")
    _sub(settlement, "InvoiceCurrencyCode", snapshot.currency)  # BT-5
    for vat in snapshot.vat_breakdown:
        _add_vat(settlement, vat, snapshot)
    if snapshot.billing_period is not None:  # BG-14
        period = _sub(settlement, "BillingSpecifiedPeriod")
        _date(period, "StartDateTime", snapshot.billing_period[0])  # BT-73
        _date(period, "EndDateTime", snapshot.billing_period[1])  # BT-74
    if snapshot.payment_terms or snapshot.due_date is not None:
        terms = _sub(settlement, "SpecifiedTradePaymentTerms")
        if snapshot.payment_terms:
            _sub(terms, "Description", snapshot.payment_terms)  # BT-20
        if snapshot.due_date is not None:
            _date(terms, "DueDateDateTime", snapshot.due_date)  # BT-9
    _add_totals(settlement, snapshot)
    if snapshot.preceding_invoice_number:  # BG-3
        reference = _sub(settlement, "InvoiceReferencedDocument")
        _sub(reference, "IssuerAssignedID", snapshot.preceding_invoice_number)  # BT-25
        if snapshot.preceding_invoice_date is not None:
            _date(reference, "FormattedIssueDateTime", snapshot.preceding_invoice_date, ns=QDT)  # BT-26


def _add_totals(settlement: etree._Element, snapshot: DocumentSnapshot) -> None:
    totals = _sub(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")  # BG-22
    line_total = sum((line.net_amount for line in snapshot.lines), Decimal("0"))
    _sub(totals, "LineTotalAmount", _amount(line_total))  # BT-106
    _sub(totals, "TaxBasisTotalAmount", _amount(snapshot.total_net))  # BT-109
    _sub(totals, "TaxTotalAmount", _amount(snapshot.total_vat), currencyID=snapshot.currency)  # BT-110
    _sub(totals, "GrandTotalAmount", _amount(snapshot.total_gross))  # BT-112
    if snapshot.amount_paid:
        _sub(totals, "TotalPrepaidAmount", _amount(snapshot.amount_paid))  # BT-113
    _sub(totals, "DuePayableAmount", _amount(snapshot.amount_due))  # BT-115
