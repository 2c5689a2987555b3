"""B2B e-invoices deposited to the PA simulator over HTTP, with their life-cycle statuses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from facturier.accounts.reform import ReformProfile
from facturier.documents.render import render_document
from facturier.documents.validation import errors_only, extract_facturx_xml, validate_en16931, validate_fr_ctc
from facturier.ereporting.einvoicing import follow_lifecycle, run_einvoicing, submit, to_deposit
from facturier.ereporting.models import PADeposit
from facturier.ereporting.reports import client_for
from facturier.ereporting.tests.documents import reform_seller
from facturier.invoicing.snapshot import to_snapshot
from facturier.invoicing.tests.orders import (
    ADDRESS,
    issue_invoice,
    market_order,
    order_line,
    render_invoice,
    sales_order,
)
from facturier.outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db
FRENCH_COMPANY = replace(ADDRESS, company_name="Atelier Durand SARL", company_vat_number="FR40303265045")


def b2b_invoice(seller, order_id="B2B-1", billing=FRENCH_COMPANY):
    raw = market_order(order_id, [order_line("1", "120.00")], business=True, billing=billing)
    invoice = issue_invoice(sales_order(seller, raw))
    return render_invoice(invoice.pk)


def test_only_rendered_invoices_to_french_businesses_of_an_established_seller_are_deposited(make_seller):
    seller = reform_seller(make_seller)
    invoice = b2b_invoice(seller)
    b2b_invoice(seller, "B2C-1", billing=ADDRESS)
    assert invoice.buyer_snapshot["vat_number"] == "FR40303265045"
    assert list(to_deposit(seller)) == [invoice]

    foreign = reform_seller(make_seller, country="DE", vat_number="DE136695976")
    assert list(to_deposit(foreign)) == []


def test_a_b2b_invoice_is_rendered_with_br_fr_data_then_deposited_and_followed(make_seller, pa_simulator,
                                                                                connect_pa):
    seller = reform_seller(make_seller)
    connect_pa(seller, pa_simulator)
    invoice = b2b_invoice(seller)
    with invoice.pdf.open("rb") as handle:
        pdf = handle.read()
    xml = extract_facturx_xml(pdf)
    assert errors_only(validate_fr_ctc(xml)) == []
    assert errors_only(validate_en16931(xml)) == []

    assert run_einvoicing(seller) == 1

    record = PADeposit.objects.get(invoice=invoice)
    assert (record.status, record.errors, record.lifecycle_code) == (PADeposit.STATUS_DEPOSITED, [], "212")
    [flow] = [f for f in pa_simulator.flows() if f.syntax == "Factur-X"]
    assert flow.content == pdf
    assert run_einvoicing(seller) == 0  # deposited once


def test_a_document_failing_br_fr_is_never_deposited_and_shows_its_errors(make_seller, pa_simulator, connect_pa):
    seller = make_seller()
    invoice = without_french_ctc_data(b2b_invoice(seller))
    ReformProfile.objects.create(seller=seller, established_in_france=True, company_size=ReformProfile.SIZE_LARGE,
                                 pa_code="0042")
    connect_pa(seller, pa_simulator)

    run_einvoicing(seller)

    record = PADeposit.objects.get(invoice=invoice)
    assert record.status == PADeposit.STATUS_INVALID
    assert [error.split()[0] for error in record.errors] == [
        "BR-FR-05_BT-22_PMT", "BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22_AAB",
    ]
    assert pa_simulator.flows() == []


def without_french_ctc_data(invoice):
    """The stored document of `invoice` replaced by one rendered without the French CTC data (as an earlier
    version of Facturier rendered them): the deposit must look at what is stored, not at what would be rendered."""
    document = render_document(replace(to_snapshot(invoice), ctc_fr=None))
    with invoice.pdf.open("wb") as stored:
        stored.write(document.pdf)
    return invoice


def deposit_record(seller, simulator, connect_pa):
    connect_pa(seller, simulator)
    invoice = b2b_invoice(seller)
    with invoice.pdf.open("rb") as handle:
        pdf = handle.read()
    record = PADeposit.objects.create(invoice=invoice, seller=seller, status=PADeposit.STATUS_PENDING)
    return record, pdf


def test_a_deposit_goes_as_factur_x_b2b_and_its_life_cycle_is_followed(make_seller, pa_simulator, connect_pa):
    seller = reform_seller(make_seller)
    record, pdf = deposit_record(seller, pa_simulator, connect_pa)
    client = client_for(seller)

    submit(record, pdf, client)
    assert follow_lifecycle(seller, client) == 2
    assert follow_lifecycle(seller, client) == 0  # the cursor moved on

    [flow] = [f for f in pa_simulator.flows() if f.syntax == "Factur-X"]
    assert (flow.processing_rule, flow.flow_type, flow.tracking_id, flow.content) == (
        "B2B", "CustomerInvoice", record.invoice.number, pdf)
    record.refresh_from_db()
    assert (record.status, record.flow_id, record.lifecycle_code, record.lifecycle_label) == (
        PADeposit.STATUS_DEPOSITED, flow.flow_id, "212", "Encaissée")
    assert [(entry["code"], entry["label"]) for entry in record.lifecycle_history] == [
        ("200", "Déposée"), ("212", "Encaissée")]
    assert not OutgoingEmail.objects.filter(related_key__startswith="pa-alert:").exists()


def test_a_refusal_by_the_buyer_is_flagged_with_the_reason(make_seller, pa_simulator, connect_pa):
    seller = reform_seller(make_seller)
    record, pdf = deposit_record(seller, pa_simulator, connect_pa)
    pa_simulator.set_faults(refuse=1)
    client = client_for(seller)

    submit(record, pdf, client)
    follow_lifecycle(seller, client)

    record.refresh_from_db()
    assert (record.lifecycle_code, record.lifecycle_label, record.lifecycle_reason) == (
        "210", "Refusée", "REF_PRIX Prix non conforme à la commande")
    email = OutgoingEmail.objects.get(related_key=f"pa-alert:{record.pk}")
    assert email.subject == f"Facturier : facture {record.invoice.number} refusée"
    assert "Motif : REF_PRIX Prix non conforme à la commande" in email.text_body


def test_a_deposit_rejected_by_the_pa_is_flagged(make_seller, pa_simulator, connect_pa):
    seller = reform_seller(make_seller)
    record, pdf = deposit_record(seller, pa_simulator, connect_pa)
    pa_simulator.set_faults(reject=1)

    submit(record, pdf, client_for(seller))

    record.refresh_from_db()
    assert (record.status, record.lifecycle_reason) == (
        PADeposit.STATUS_REJECTED, "REJ_SEMAN Rejet simulé : contenu refusé par la plateforme")
    assert OutgoingEmail.objects.filter(related_key=f"pa-alert:{record.pk}").count() == 1


def pdf_text(storage_name: str) -> str:
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    with default_storage.open(storage_name, "rb") as handle:
        return PdfReader(handle).pages[0].extract_text()


def test_the_buyer_of_a_b2b_e_invoice_is_e_mailed_a_copy_and_a_consumer_the_original(make_seller):
    seller = reform_seller(make_seller)
    b2b = b2b_invoice(seller)
    b2c = b2b_invoice(seller, "B2C-1", billing=ADDRESS)

    [b2b_file] = OutgoingEmail.objects.get(related_key=f"invoice:{b2b.pk}").attachments
    [b2c_file] = OutgoingEmail.objects.get(related_key=f"invoice:{b2c.pk}").attachments

    assert b2b_file["storage_name"] == b2b.pdf.name.removesuffix(".pdf") + "-copie.pdf"
    assert b2b_file["filename"] == f"{b2b.pdf.name.rsplit('/', 1)[-1].removesuffix('.pdf')}-copie.pdf"
    assert "FACTURE – COPIE" in pdf_text(b2b_file["storage_name"])
    assert "COPIE" not in pdf_text(b2b.pdf.name)
    assert b2c_file["storage_name"] == b2c.pdf.name


def test_a_french_business_buyer_of_a_seller_outside_the_reform_gets_the_original_and_no_copy_is_stored(make_seller):
    from django.core.files.storage import default_storage

    invoice = b2b_invoice(make_seller())  # no reform profile: the original is not deposited anywhere

    [attached] = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}").attachments
    folder, _ = invoice.pdf.name.rsplit("/", 1)
    assert attached["storage_name"] == invoice.pdf.name
    assert default_storage.listdir(folder)[1] == [invoice.pdf.name.rsplit("/", 1)[1]]
