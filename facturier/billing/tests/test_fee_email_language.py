"""The e-mail carrying a seller's monthly fee invoice is written in the language the seller chose in the portal
(User.preferred_language), as received by the SMTP server; the PDF it carries stays as it is."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from facturier.billing.fee_invoices import run_monthly_billing
from facturier.billing.models import FeeInvoice
from facturier.billing.tests.helpers import french_seller, german_seller, issue_invoices
from facturier.core.clock import PARIS
from facturier.outbox import services
from facturier.outbox.tests.fixtures import plain_text

OCTOBER = date(2026, 10, 1)
IN_OCTOBER = datetime(2026, 10, 14, 9, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


def fee_email_received(seller, smtp_server, django_capture_on_commit_callbacks):
    issue_invoices(seller, 42, IN_OCTOBER)
    with django_capture_on_commit_callbacks(execute=True):
        run_monthly_billing(OCTOBER)
    services.deliver_due()
    assert [received.rcpt_tos for received in smtp_server.received] == [(seller.owner.email,)]
    return smtp_server.received[0].message


def prefers_english(seller) -> None:
    seller.owner.preferred_language = "en"
    seller.owner.save(update_fields=["preferred_language"])


def test_a_seller_who_chose_english_gets_its_fee_email_in_english(
    make_seller, smtp_server, django_capture_on_commit_callbacks
):
    seller = french_seller(make_seller, email="gerant@alpha.example")
    prefers_english(seller)

    email = fee_email_received(seller, smtp_server, django_capture_on_commit_callbacks)

    fee = FeeInvoice.objects.get()
    due = fee.due_date
    assert str(email["Subject"]).lstrip() == "Your Facturier invoice FCT-000001 – October 2026"
    assert plain_text(email) == (
        "Hello,\n\n"
        "Please find attached invoice FCT-000001 for your Facturier subscription for October 2026.\n\n"
        "Invoices issued that month: 42 (tier 0-100).\n"
        "Amount excl. VAT: €9.99\n"
        "VAT (20%): €2.00\n"
        f"Total due: €11.99, by {due.day} {due:%B %Y} at the latest.\n\n"
        "All your Facturier invoices are in your Facturier account.\n\n"
        "The Facturier SAS team\n"
    )
    attachment = next(email.iter_attachments())
    assert attachment.get_filename() == "FCT-000001.pdf"


def test_a_seller_abroad_who_chose_english_reads_the_reverse_charge_in_english(
    make_seller, smtp_server, django_capture_on_commit_callbacks
):
    seller = german_seller(make_seller)
    prefers_english(seller)

    body = fee_email_received(seller, smtp_server, django_capture_on_commit_callbacks).get_body(("plain",))

    assert "Reverse charge: VAT due by the customer (art. 196 Directive 2006/112/EC).\n" in (
        body.get_content().replace("\r\n", "\n")
    )


def test_a_seller_who_kept_french_gets_its_fee_email_in_french(
    make_seller, smtp_server, django_capture_on_commit_callbacks
):
    seller = french_seller(make_seller, email="gerant@alpha.example")

    email = fee_email_received(seller, smtp_server, django_capture_on_commit_callbacks)

    due = FeeInvoice.objects.get().due_date
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]  # fmt: skip
    assert str(email["Subject"]).lstrip() == "Votre facture Facturier FCT-000001 – octobre 2026"
    assert plain_text(email) == (
        "Bonjour,\n\n"
        "Veuillez trouver ci-jointe la facture FCT-000001 de votre abonnement Facturier pour octobre 2026.\n\n"
        "Factures émises ce mois-là : 42 (palier 0-100).\n"
        "Montant HT : 9,99\u00a0€\n"
        "TVA (20 %) : 2,00\u00a0€\n"
        f"Total à payer : 11,99\u00a0€, au plus tard le {due.day} {months[due.month - 1]} {due.year}.\n\n"
        "Vous retrouvez toutes vos factures Facturier dans votre espace.\n\n"
        "L'équipe Facturier SAS\n"
    )
