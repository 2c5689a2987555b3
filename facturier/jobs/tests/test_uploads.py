"""Issued invoices are uploaded to their marketplace order and the asynchronous import is followed to its end."""

from __future__ import annotations

import pytest

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import connection_fields
from facturier.core.stored_text import render
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.uploads import follow_uploads


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=5, orders=16)


@pytest.mark.django_db(transaction=True)
def test_each_invoice_is_uploaded_once_and_its_import_followed_to_success(sim, connect_to_simulator):
    seller = connect_to_simulator(sim, upload_to_marketplace=True)
    run_pass(seller, "test")
    invoices = Invoice.objects.filter(kind=Invoice.KIND_INVOICE)
    assert set(invoices.values_list("upload_status", flat=True)) == {Invoice.UPLOAD_PENDING}

    credit_notes = Invoice.objects.filter(kind=Invoice.KIND_CREDIT_NOTE)
    assert set(credit_notes.values_list("upload_status", flat=True)) == {Invoice.UPLOAD_PENDING}
    assert follow_uploads() == invoices.count() + credit_notes.count()
    assert set(invoices.values_list("upload_status", flat=True)) == {Invoice.UPLOAD_RUNNING}
    follow_uploads()  # the simulator reports Running on the first poll
    follow_uploads()

    assert set(invoices.values_list("upload_status", flat=True)) == {Invoice.UPLOAD_SUCCESS}
    uploads = sim.uploaded_invoices("98979")
    assert sorted(upload.order_id for upload in uploads) == sorted(invoices.values_list("order_reference", flat=True))
    first = invoices.order_by("id").first()
    uploaded = next(upload for upload in uploads if upload.order_id == first.order_reference)
    assert uploaded.content == first.pdf.read()
    # Octopia documents no credit-note upload (one would replace the invoice): they stay with the seller.
    outcomes = credit_notes.values_list("upload_status", "upload_message")
    assert {(status, render(text)) for status, text in outcomes} == {(
        Invoice.UPLOAD_DISABLED,
        "Cdiscount ne prend pas les avoirs : celui-ci reste dans votre espace et part par e-mail.",
    )}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_seller_who_turned_uploads_off_uploads_nothing(sim, connect_to_simulator):
    seller = connect_to_simulator(sim, upload_to_marketplace=False)
    run_pass(seller, "test")

    assert follow_uploads() == 0
    assert sim.uploaded_invoices("98979") == []
    assert MarketplaceConnection.objects.get(seller=seller).status == MarketplaceConnection.STATUS_OK


@pytest.mark.django_db(transaction=True)
def test_each_invoice_goes_to_the_account_its_order_was_read_from(start_simulator, connect_to_simulator):
    sim = start_simulator(seed=5, orders=4)  # four orders to invoice in each shop (the first four scenarios)
    seller = connect_to_simulator(sim, upload_to_marketplace=True)
    other = MarketplaceConnection.objects.create(seller=seller, **connection_fields(sim.credentials("22222")))
    run_pass(seller, "test")
    invoices = Invoice.objects.filter(kind=Invoice.KIND_INVOICE)

    for _poll in range(3):
        follow_uploads()

    assert set(invoices.values_list("upload_status", flat=True)) == {Invoice.UPLOAD_SUCCESS}
    own = seller.connections.exclude(pk=other.pk).get()
    for connection in (own, other):
        uploaded = sorted(upload.order_id for upload in sim.uploaded_invoices(connection.account_id))
        expected = invoices.filter(order__connection=connection).values_list("order_reference", flat=True)
        assert uploaded == sorted(expected)
        assert len(uploaded) == 4  # each shop has invoices of its own


@pytest.mark.django_db(transaction=True)
def test_an_invoice_waits_while_its_connection_is_refused(sim, connect_to_simulator):
    seller = connect_to_simulator(sim, upload_to_marketplace=True)
    run_pass(seller, "test")
    seller.connections.update(status=MarketplaceConnection.STATUS_REJECTED)

    assert follow_uploads() == 0
    assert set(Invoice.objects.filter(kind=Invoice.KIND_INVOICE).values_list("upload_status", flat=True)) == {
        Invoice.UPLOAD_PENDING}
    assert sim.uploaded_invoices("98979") == []
