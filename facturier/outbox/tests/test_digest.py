"""The daily digest of failed and bounced e-mails, one per seller."""

from __future__ import annotations

from datetime import timedelta

from facturier.core import clock
from facturier.outbox import services
from facturier.outbox.models import OutgoingEmail
from facturier.outbox.tests.fixtures import create_outbox_seller, enqueue_invoice_email, plain_text


def test_it_sends_one_digest_per_seller_listing_its_failed_and_bounced_emails(
    settings, smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://app.facturier.example"
    calm_seller = create_outbox_seller("owner@calme.example", "Boutique Calme", "")
    since = clock.now() - timedelta(days=1)
    enqueue_invoice_email(outbox_seller, related_key="invoice:1", to="")
    bounced = enqueue_invoice_email(outbox_seller, related_key="invoice:2")
    services.mark_bounced(message_id=bounced.message_id, reason="550 5.1.1 boîte inconnue")
    enqueue_invoice_email(calm_seller, related_key="invoice:3")
    services.deliver_due()
    assert len(smtp_server.received) == 1

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.failed_digest(since=since)

    assert queued == 1
    assert services.failed_digest(since=since) == 0
    digest = smtp_server.received[-1].message
    assert smtp_server.received[-1].rcpt_tos == ("contact@ma-boutique.example",)
    assert digest["From"].addresses[0].display_name == "Facturier"
    assert str(digest["Subject"]).lstrip() == "Facturier : 2 e-mails de facture non remis"
    assert plain_text(digest) == (
        "Bonjour,\n\n"
        f"Les 2 e-mails suivants n'ont pas pu être remis à vos acheteurs depuis le "
        f"{clock.paris_date(since):%d/%m/%Y} {since.astimezone(clock.PARIS):%H:%M} :\n\n"
        "- Votre facture FAC-2026-0001 — commande 2604151234ABC\n"
        "  Destinataire : (aucune adresse)\n"
        "  Échec : aucune adresse e-mail sur la commande\n\n"
        "- Votre facture FAC-2026-0001 — commande 2604151234ABC\n"
        "  Destinataire : acheteur@example.com\n"
        "  Rejeté par le destinataire : 550 5.1.1 boîte inconnue\n\n"
        "Vous pouvez les renvoyer, si besoin à une adresse corrigée, depuis votre espace Facturier : "
        "https://app.facturier.example\n\n"
        "L'équipe Facturier\n"
    )
    assert OutgoingEmail.objects.filter(related_key__startswith="digest:").count() == 1


def test_a_seller_who_chose_english_gets_the_digest_in_english(
    settings, smtp_server, outbox_seller, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://app.facturier.example"
    outbox_seller.owner.preferred_language = "en"
    outbox_seller.owner.save(update_fields=["preferred_language"])
    since = clock.now() - timedelta(days=1)
    enqueue_invoice_email(outbox_seller, related_key="invoice:1", to="")
    services.deliver_due()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.failed_digest(since=since) == 1

    digest = smtp_server.received[-1].message
    assert str(digest["Subject"]).lstrip() == "Facturier: 1 invoice e-mail not delivered"
    assert plain_text(digest) == (
        "Hello,\n\n"
        f"1 e-mail could not be delivered to your buyer since "
        f"{clock.paris_date(since):%d/%m/%Y} {since.astimezone(clock.PARIS):%H:%M}:\n\n"
        "- Votre facture FAC-2026-0001 — commande 2604151234ABC\n"
        "  Recipient: (no address)\n"
        "  Failed: no email address on the order\n\n"
        "You can send them again, to a corrected address if need be, from your Facturier account: "
        "https://app.facturier.example\n\n"
        "The Facturier team\n"
    )
    html = digest.get_body(("html",)).get_content()
    assert '<html lang="en">' in html
    assert "<th>Subject</th><th>Recipient</th><th>State</th><th>Reason</th>" in html
    assert "<td>(no address)</td><td>Failed</td><td>no email address on the order</td>" in html


def test_it_sends_no_digest_when_nothing_failed_since(smtp_server, outbox_seller):
    enqueue_invoice_email(outbox_seller, to="")

    assert services.failed_digest(since=clock.now() + timedelta(seconds=1)) == 0
    assert OutgoingEmail.objects.filter(related_key__startswith="digest:").count() == 0
