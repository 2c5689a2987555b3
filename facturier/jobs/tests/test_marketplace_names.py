"""Each document names the marketplace its order was sold on (its connection's name, frozen at issue): in the PDF's
payment terms, the Factur-X payment terms (BT-20) and the buyer's e-mail; a credit note names its invoice's."""

from __future__ import annotations

import io

import pypdf
import pytest
from lxml import etree

from facturier.accounts.samples import mirakl_connection_fields
from facturier.documents.validation import extract_facturx_xml
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.portal.tests.helpers import logged_in
from facturier.sales.models import SyncRun

BT20 = "//ram:SpecifiedTradePaymentTerms/ram:Description"
NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def pdf_text(invoice: Invoice) -> str:
    with invoice.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ").replace("\u202f", " ")


def payment_terms(invoice: Invoice) -> list[str]:
    with invoice.pdf.open("rb") as handle:
        xml = extract_facturx_xml(handle.read())
    return [node.text for node in etree.fromstring(xml).xpath(BT20, namespaces=NS)]


def mails_of(smtp_server, invoice: Invoice) -> list[tuple[str, str]]:
    """(subject, text body) of the e-mails the SMTP server received for this document."""
    found = []
    for mail in smtp_server.received:
        subject = str(mail.message["Subject"]).strip()
        if subject.split(" – ")[0].endswith(invoice.number):
            found.append((subject, mail.message.get_body(("plain",)).get_content()))
    return found


@pytest.mark.django_db(transaction=True)
def test_a_mirakl_orders_invoice_and_credit_note_name_its_marketplace_never_cdiscount(
    start_mirakl_simulator, make_seller, smtp_server
):
    simulator = start_mirakl_simulator(orders=8)
    simulator.make_business("MK-REFUND-A")  # B2B: the payment terms name the marketplace on the documents
    credentials = {**simulator.credentials(), "connection_name": "Fnac"}
    seller = make_seller(connection=mirakl_connection_fields(credentials))

    assert run_pass(seller, "test").status == SyncRun.SUCCEEDED

    invoice = Invoice.objects.get(order__order_id="MK-REFUND-A", kind=Invoice.KIND_INVOICE)
    credit_note = Invoice.objects.get(order__order_id="MK-REFUND-A", kind=Invoice.KIND_CREDIT_NOTE)
    paid_on = f"{invoice.payment_date:%d/%m/%Y}"
    refunded_on = f"{credit_note.refund.refunded_at.date():%d/%m/%Y}"
    assert (invoice.marketplace_name, credit_note.marketplace_name) == ("Fnac", "Fnac")
    assert payment_terms(invoice) == [f"Payée sur Fnac le {paid_on} : paiement encaissé par la place de marché."]
    assert payment_terms(credit_note) == [
        f"Remboursé sur Fnac le {refunded_on} : paiement encaissé par la place de marché."
    ]
    assert "Payée sur Fnac le" in pdf_text(invoice) and "Remboursé sur Fnac le" in pdf_text(credit_note)
    [(invoice_subject, invoice_body)] = mails_of(smtp_server, invoice)
    [(note_subject, note_body)] = mails_of(smtp_server, credit_note)
    assert invoice_subject == f"Votre facture {invoice.number} – commande Fnac MK-REFUND-A"
    assert "commande MK-REFUND-A passée sur Fnac auprès de" in invoice_body
    assert note_subject == f"Votre avoir {credit_note.number} – commande Fnac MK-REFUND-A"
    assert "commande MK-REFUND-A sur Fnac (facture" in note_body
    for document in Invoice.objects.all():
        assert "Cdiscount" not in pdf_text(document) + " ".join(payment_terms(document)), document.number
    assert not [mail for mail in smtp_server.received if "Cdiscount" in mail.message.as_string()]
    page = logged_in(seller).get(f"/factures/{invoice.pk}/").content.decode()
    assert "Dépôt sur Fnac" in page and "Cdiscount" not in page


@pytest.mark.django_db(transaction=True)
def test_an_octopia_orders_documents_name_cdiscount(start_simulator, connect_to_simulator, smtp_server):
    seller = connect_to_simulator(start_simulator(seed=42, orders=16))

    assert run_pass(seller, "test").status == SyncRun.SUCCEEDED

    business = Invoice.objects.get(order__seller_reference="SIM-business", kind=Invoice.KIND_INVOICE)
    paid_on = f"{business.payment_date:%d/%m/%Y}"
    assert payment_terms(business) == [f"Payée sur Cdiscount le {paid_on} : paiement encaissé par la place de marché."]
    assert f"Payée sur Cdiscount le {paid_on}" in pdf_text(business)
    [(subject, body)] = mails_of(smtp_server, business)
    assert subject == f"Votre facture {business.number} – commande Cdiscount {business.order_reference}"
    assert f"passée sur Cdiscount auprès de {seller.legal_name}" in body
    assert set(Invoice.objects.values_list("marketplace_name", flat=True)) == {"Cdiscount"}
    credit_note = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE).first()
    [(note_subject, _body)] = mails_of(smtp_server, credit_note)
    assert note_subject == f"Votre avoir {credit_note.number} – commande Cdiscount {credit_note.order_reference}"

