"""Fee invoices take the one rendering path of every document: issued (numbered, gapless) in their transaction,
rendered after commit, stored under fees/<seller>/, their e-mail held until the file exists; a crash between
issue and render is recovered by the rendering sweeper."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction

from facturier.billing import fee_invoices
from facturier.billing.fee_invoices import issue_fee_invoice, run_monthly_billing
from facturier.billing.models import FeeInvoice
from facturier.billing.rendering import FEE_INVOICES, render_fee_invoices
from facturier.billing.selectors import fee_invoice_for, fee_invoices_for
from facturier.billing.tasks import render_missing_fee_invoices_task
from facturier.billing.tests.helpers import french_seller, german_seller
from facturier.core import stored_files
from facturier.core.models import PendingFolder
from facturier.core.tests.storage import stored_names
from facturier.documents.validation import check_pdfa, errors_only, extract_facturx_xml, validate_en16931
from facturier.invoicing import rendering
from facturier.invoicing.models import InvoiceSeries
from facturier.outbox.models import OutgoingEmail

OCTOBER = date(2026, 10, 1)


def fee_email(fee: FeeInvoice) -> OutgoingEmail:
    return OutgoingEmail.objects.get(related_key=f"fee:{fee.pk}")


def file_bytes(fee: FeeInvoice) -> bytes:
    with fee.pdf.open("rb") as handle:
        return handle.read()


def test_an_issued_fee_invoice_has_no_file_and_a_held_email_until_it_is_rendered(make_seller):
    seller = french_seller(make_seller)

    fee, created = issue_fee_invoice(seller.pk, OCTOBER)

    assert (created, fee.number, fee.pdf.name, fee.pdf_sha256, fee.rendered_at) == (True, "FCT-000001", "", "", None)
    assert (fee_email(fee).state, fee_email(fee).attachments) == ("held", [])
    assert stored_names() == []

    assert render_fee_invoices([fee.pk]) == 1

    fee.refresh_from_db()
    pdf = file_bytes(fee)
    assert fee.pdf.name.startswith(f"fees/{seller.pk}/{fee.issue_date:%Y/%m}/")
    assert fee.pdf.name.endswith("/FCT-000001.pdf")
    assert stored_names() == [fee.pdf.name]
    assert (hashlib.sha256(pdf).hexdigest(), fee.rendered_at is not None) == (fee.pdf_sha256, True)
    assert check_pdfa(pdf) == []
    assert errors_only(validate_en16931(extract_facturx_xml(pdf))) == []
    assert fee_email(fee).state == "queued"
    assert fee_email(fee).attachments == [
        {"filename": "FCT-000001.pdf", "storage_name": fee.pdf.name, "mimetype": "application/pdf"}
    ]
    assert render_fee_invoices([fee.pk]) == 1  # rendered once: a second call changes nothing
    assert stored_names() == [fee.pdf.name]


@pytest.mark.django_db(transaction=True)
def test_a_fee_invoice_is_rendered_only_after_its_issue_committed(make_seller, monkeypatch):
    french_seller(make_seller)
    german_seller(make_seller)
    real_render = rendering.render_document
    seen = []

    def observed_render(snapshot):
        committed = FeeInvoice.objects.filter(number=snapshot.number, pdf="").exists()
        seen.append((snapshot.number, connection.in_atomic_block, committed))
        return real_render(snapshot)

    monkeypatch.setattr(rendering, "render_document", observed_render)
    report = run_monthly_billing(OCTOBER)

    assert seen == [("FCT-000001", False, True), ("FCT-000002", False, True)]
    assert (report.issued, report.unrendered) == (2, 0)
    assert len(mail.outbox) == 2


def test_a_crash_between_issue_and_render_is_recovered_by_the_rendering_sweeper(
    make_seller, monkeypatch, django_capture_on_commit_callbacks
):
    seller = french_seller(make_seller, email="gerant@alpha.example")
    monkeypatch.setattr(fee_invoices, "render_month", lambda month: (_ for _ in ()).throw(SystemExit(137)))
    with pytest.raises(SystemExit):
        run_monthly_billing(OCTOBER)  # the process dies after the issue committed, before rendering
    monkeypatch.undo()
    fee = FeeInvoice.objects.get()
    assert (fee.number, fee.pdf.name, fee_email(fee).state) == ("FCT-000001", "", "held")
    assert (list(fee_invoices_for(seller)), fee_invoice_for(seller, fee.pk)) == ([], None)  # nothing to download

    with django_capture_on_commit_callbacks(execute=True):
        assert render_missing_fee_invoices_task.apply().get() == 1

    fee.refresh_from_db()
    assert fee.pdf.name.startswith(f"fees/{seller.pk}/")
    assert (list(fee_invoices_for(seller)), fee_invoice_for(seller, fee.pk)) == ([fee], fee)
    [message] = mail.outbox
    assert message.to == ["gerant@alpha.example"]
    assert message.subject == "Votre facture Facturier FCT-000001 – octobre 2026"
    assert message.attachments[0][:2] == ("FCT-000001.pdf", file_bytes(fee))
    assert render_missing_fee_invoices_task.apply().get() == 0


def test_the_sweeper_releases_a_fee_email_held_by_a_crash_after_its_file_was_attached(
    make_seller, django_capture_on_commit_callbacks
):
    fee, _created = issue_fee_invoice(french_seller(make_seller).pk, OCTOBER)
    rendering._attach(rendering.store_documents([fee], FEE_INVOICES), FEE_INVOICES)  # killed before releasing
    assert fee_email(fee).state == "held"

    with django_capture_on_commit_callbacks(execute=True):
        render_missing_fee_invoices_task.apply().get()

    fee.refresh_from_db()
    assert fee_email(fee).state == "sent"
    assert mail.outbox[0].attachments[0][1] == file_bytes(fee)


def test_a_rendering_failure_never_costs_a_number_nor_holds_back_the_other_sellers(make_seller, monkeypatch):
    for name in ("Alpha SAS", "Bravo SAS", "Charlie SAS"):
        french_seller(make_seller, legal_name=name)
    real_render = rendering.render_document

    def failing_for_bravo(snapshot):
        if snapshot.buyer.name == "Bravo SAS":
            raise RuntimeError("renderer out of memory")
        return real_render(snapshot)

    monkeypatch.setattr(rendering, "render_document", failing_for_bravo)
    first = run_monthly_billing(OCTOBER)
    monkeypatch.undo()

    assert [(line.outcome, line.number) for line in first.lines] == [
        ("issued", "FCT-000001"), ("issued", "FCT-000002"), ("issued", "FCT-000003")
    ]
    assert first.unrendered == 1
    bravo = FeeInvoice.objects.get(number="FCT-000002")
    assert (bravo.pdf.name, fee_email(bravo).state) == ("", "held")
    assert PendingFolder.objects.count() == 0 and len(stored_names()) == 2

    second = run_monthly_billing(OCTOBER)  # the rerun renders what is missing, and issues nothing

    assert ([line.outcome for line in second.lines], second.unrendered) == (["already_billed"] * 3, 0)
    assert list(FeeInvoice.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3]
    assert InvoiceSeries.objects.get(key="facturier:fee").next_number == 4
    bravo.refresh_from_db()
    assert (bravo.pdf.name != "", fee_email(bravo).state) == (True, "queued")


def test_a_fee_file_stored_by_a_renderer_killed_before_attaching_it_is_swept(make_seller):
    fee, _created = issue_fee_invoice(french_seller(make_seller).pk, OCTOBER)
    [abandoned] = rendering.store_documents([fee], FEE_INVOICES)  # the worker is killed here

    assert render_fee_invoices([fee.pk]) == 1
    fee.refresh_from_db()
    assert stored_names() == sorted([abandoned.name, fee.pdf.name])
    assert stored_files.sweep_abandoned(grace=timedelta(0)) == 1

    assert (fee.number, stored_names()) == ("FCT-000001", [fee.pdf.name])
    assert PendingFolder.objects.count() == 0


def test_the_file_is_attached_once_and_never_replaced(make_seller):
    fee, _created = issue_fee_invoice(french_seller(make_seller).pk, OCTOBER)
    render_fee_invoices([fee.pk])
    fee.refresh_from_db()

    for statement in ("UPDATE billing_feeinvoice SET pdf = 'fees/other.pdf'",
                      "UPDATE billing_feeinvoice SET pdf_sha256 = ''",
                      "UPDATE billing_feeinvoice SET rendered_at = NULL",
                      "UPDATE billing_feeinvoice SET number = 'FCT-999999'"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert FeeInvoice.objects.values_list("number", "pdf", "pdf_sha256").get() == (fee.number, fee.pdf.name,
                                                                                   fee.pdf_sha256)
