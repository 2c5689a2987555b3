"""Rendering in batches: each document gets its own file once, its email is released with it, and a file
rendered twice (two workers on one document) is attached once and the spare is removed."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from facturier.core.models import PendingFolder
from facturier.core.stored_files import sweep_abandoned
from facturier.core.tests.storage import stored_names
from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.rendering import StoredDocument, _attach, render_invoices, render_missing, store_documents
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.outbox.models import OutgoingEmail


@pytest.fixture
def issued(seller_a, monkeypatch):
    monkeypatch.setattr("facturier.invoicing.issuing._after_issue", lambda ids: None)
    orders = [sales_order(seller_a, market_order(f"ORD-{n}", [order_line("1", f"1{n}.00")])) for n in range(3)]
    return issue_invoices(orders).issued


def stored_sha256(invoice: Invoice) -> str:
    with default_storage.open(invoice.pdf.name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_a_batch_attaches_each_file_once_and_releases_each_email(issued):
    ids = [invoice.pk for invoice in issued]

    assert render_invoices(ids) == 3
    files = dict(Invoice.objects.filter(pk__in=ids).values_list("pk", "pdf"))
    assert render_invoices(ids) == 3

    invoices = list(Invoice.objects.filter(pk__in=ids).order_by("pk"))
    assert {invoice.pk: invoice.pdf.name for invoice in invoices} == files
    assert len(set(files.values())) == 3
    for invoice in invoices:
        assert invoice.pdf.name.endswith(f"/{invoice.number}.pdf")
        assert invoice.pdf_sha256 == stored_sha256(invoice)
        assert invoice.rendered_at is not None
    assert sorted(message.subject.split(" – ")[0] for message in mail.outbox) == [
        "Votre facture FAC-000001", "Votre facture FAC-000002", "Votre facture FAC-000003"
    ]
    assert set(OutgoingEmail.objects.values_list("state", flat=True)) == {OutgoingEmail.STATE_SENT}


@pytest.mark.django_db(transaction=True)
def test_a_file_rendered_by_a_second_worker_is_not_attached_and_is_removed(issued):
    first = issued[0]
    render_invoices([first.pk])
    first.refresh_from_db()
    spare = default_storage.save(f"invoices/spare/{first.number}.pdf", ContentFile(b"%PDF-1.7 spare"))

    _attach([StoredDocument(first, spare, "0" * 64)])

    first.refresh_from_db()
    assert not default_storage.exists(spare)
    assert first.pdf_sha256 == stored_sha256(first) != "0" * 64


@pytest.mark.django_db(transaction=True)
def test_documents_left_unrendered_are_rendered_by_the_sweeper(issued):
    assert render_missing() == 3
    assert Invoice.objects.filter(pdf="").count() == 0
    assert render_missing() == 0


@pytest.mark.django_db(transaction=True)
def test_a_file_stored_by_a_renderer_killed_before_attaching_it_is_swept_after_the_grace_period(issued, media_storage):
    first = issued[0]
    [written] = store_documents([first])  # the worker is killed here: the file is written, never attached

    assert stored_names() == [written.name]
    assert sweep_abandoned() == 0  # within the grace period it may be a live renderer's
    assert render_missing() == 3
    assert sweep_abandoned(grace=timedelta(0)) == 1

    documents = sorted(Invoice.objects.values_list("pdf", flat=True))
    assert written.name not in documents
    assert stored_names() == documents
    assert len(documents) == 3
    assert PendingFolder.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_rendering_leaves_no_reservation_and_no_spare_file(issued, media_storage):
    first = issued[0]
    render_invoices([first.pk])
    [spare] = store_documents([first])  # a second worker rendered it at the same time

    _attach([spare])

    first.refresh_from_db()
    assert stored_names() == [first.pdf.name] != [spare.name]
    assert PendingFolder.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_renderer_slower_than_the_grace_period_attaches_nothing_and_the_document_is_rendered_again(
    issued, media_storage
):
    first = issued[0]
    late = store_documents([first])
    assert sweep_abandoned(grace=timedelta(0)) == 1  # the sweeper took the reservation and emptied its folder

    _attach(late)

    first.refresh_from_db()
    assert (first.pdf.name, stored_names()) == ("", [])
    assert render_missing() == 3
    assert stored_names() == sorted(Invoice.objects.values_list("pdf", flat=True))
