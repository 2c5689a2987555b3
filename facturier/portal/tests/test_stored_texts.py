"""What the code stores for the seller to read (an order's reason and notes, a sync run's message, a connection's
status, a refused upload, an e-mail's failure) is kept as a message: the same row reads in French on a French page
and in English on an English page. Rows written before, as French text, are shown as they are."""

from __future__ import annotations

import html
import json
import random
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, translation

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.reform import PAConnection
from facturier.accounts.samples import connection_fields
from facturier.api.tests.test_api import token_for
from facturier.core.clock import PARIS
from facturier.core.stored_text import ENCODED_PREFIXES, stored_lines
from facturier.ereporting.calendar import period_of
from facturier.ereporting.models import EReport
from facturier.ereporting.pa_client import FlowClient
from facturier.ereporting.reports import prepare_report, transmit
from facturier.ereporting.tests.documents import issue as issue_for_reform
from facturier.ereporting.tests.documents import reform_seller
from facturier.invoicing.models import Invoice
from facturier.jobs.tests.passes import run_pass
from facturier.jobs.uploads import follow_uploads
from facturier.marketplace import connectors
from facturier.marketplace.connectors import ConnectionFailure, ConnectionTest
from facturier.marketplace.errors import RefundListFailed
from facturier.marketplace.parse import parse_order
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import issue, logged_in
from facturier.portal.tests.test_i18n import switched_to
from facturier.sales import connection_status, runs
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.sync import note_gone, record_order, refund_list_problem
from facturier.simulator.catalog import PRODUCTS
from facturier.simulator.generator import LineSpec, OrderSpec, address, build_order
from facturier.simulator.wire import to_json

REGISTERED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # backfill from 1 November 2026 (30 days), 10:30 in Paris
PLACED = datetime(2026, 10, 5, 8, 15, tzinfo=UTC)


def in_both_languages(seller, url: str) -> tuple[str, str]:
    """The page as a French and as an English seller read it (entities unescaped)."""
    french = logged_in(seller).get(url)
    english = switched_to(logged_in(seller), "en", url).get(url)
    assert (french.status_code, english.status_code) == (200, 200), url
    return html.unescape(french.content.decode()), html.unescape(english.content.decode())


def record(seller, order_id: str, *, placed: datetime, country: str = "FR") -> SalesOrder:
    spec = OrderSpec(
        order_id=order_id, status="Shipped", purchased_at=placed, lines=[LineSpec(PRODUCTS[1], quantity=1)],
        billing=address("Jeanne", "Martin", "5 rue des Lilas", "75011", "Paris", country_code=country,
                        email="jeanne@example.org"),
    )  # fmt: skip
    record_order(seller, parse_order(json.loads(to_json(build_order(spec, "SELLER-1", random.Random(7))))))
    return SalesOrder.objects.get(seller=seller, order_id=order_id)


@pytest.fixture
def registered(settings, seller_a):
    settings.FACTURIER_BACKFILL_DAYS = 30
    seller_a.registered_at = REGISTERED
    seller_a.save(update_fields=["registered_at"])
    return seller_a


@pytest.mark.django_db
def test_an_orders_reason_reads_in_the_page_language_on_the_orders_page_and_its_own(registered):
    early = record(registered, "2610050000OLD1", placed=PLACED)
    abroad = record(registered, "2612020000ABRD", placed=datetime(2026, 12, 2, 10, 0, tzinfo=UTC), country="DE")
    assert early.reason.startswith(ENCODED_PREFIXES) and abroad.reason.startswith(ENCODED_PREFIXES)

    french, english = in_both_languages(registered, reverse("portal:orders"))
    assert "Passée le 5 octobre 2026 à 10:15, avant le début de la reprise (1 novembre 2026 à 10:30)." in french
    assert "Livrée hors de France (DE)." in french
    assert "Placed on 5 October 2026, 10:15, before the start of the backfill (1 November 2026, 10:30)." in english
    assert "Delivered outside France (DE)." in english
    assert "Passée le 5" not in english and "msgid" not in french + english
    assert "<td>5 octobre 2026</td>" in french and "<td>5 October 2026</td>" in english  # one format per language

    french, english = in_both_languages(registered, reverse("portal:order_detail", args=[early.pk]))
    assert "<p>Passée le 5 octobre 2026 à 10:15, avant le début de la reprise (1 novembre 2026 à 10:30).</p>" in french
    assert "<p>Placed on 5 October 2026, 10:15, before the start of the backfill (1 November 2026, 10:30).</p>" in (
        english
    )


@pytest.mark.django_db
def test_a_sync_note_on_an_order_reads_in_the_page_language(registered):
    order = record(registered, "2610050000GONE", placed=PLACED)
    note_gone(order.pk)
    tried = datetime.fromisoformat(SalesOrder.objects.get(pk=order.pk).sync_notes[0]["at"])

    french, english = in_both_languages(registered, reverse("portal:order_detail", args=[order.pk]))
    assert (
        f"La marketplace ne renvoie plus cette commande (dernier essai le {written(tried, 'fr', 'j F Y à H:i:s')}) ; "
        "elle garde la raison de sa dernière lecture." in french
    )
    assert (
        f"The marketplace no longer returns this order (last attempt on {written(tried, 'en', 'j F Y, H:i:s')}); it "
        "keeps the reason from its last read." in english
    )


def written(moment: datetime, language: str, pattern: str) -> str:
    """The moment in Paris time as the pages of `language` write it (config/formats/)."""
    with translation.override(language):
        return dateformat.format(moment.astimezone(PARIS), pattern)


@pytest.mark.django_db
def test_a_sync_runs_message_reads_in_the_page_language_with_the_marketplaces_words_quoted(seller_a):
    failed = RefundListFailed(
        "HTTP 403 Forbidden: access denied", endpoint="/order-commercial-gesture-requests", status_code=403
    )
    SyncRun.objects.create(
        seller=seller_a, trigger="manual", status=SyncRun.FAILED,
        message=stored_lines([refund_list_problem(failed), "2612010000ABCD : ancienne ligne écrite en français"]),
    )  # fmt: skip
    interrupted = SyncRun.objects.create(seller=seller_a, trigger="schedule", status=SyncRun.RUNNING)
    runs.close_after_crash(interrupted, TimeoutError("lost"))

    french, english = in_both_languages(seller_a, reverse("portal:sync_runs"))
    assert (
        "Remboursements non lus : la marketplace a répondu HTTP 403 sur GET /order-commercial-gesture-requests. Les "
        "commandes sont lues et facturées ; cette liste sera relue au prochain passage. (Détail : HTTP 403 "
        "Forbidden: access denied)\n2612010000ABCD : ancienne ligne écrite en français" in french
    )
    assert (
        "Refunds not read: the marketplace answered HTTP 403 on GET /order-commercial-gesture-requests. Orders are "
        "read and invoiced; this list will be read again on the next pass. (Detail: HTTP 403 Forbidden: access "
        "denied)\n2612010000ABCD : ancienne ligne écrite en français" in english
    )
    assert (
        "Interrompue : le traitement s'est arrêté sans se terminer (processus arrêté ou perdu). Une nouvelle "
        "synchronisation reprend là où elle en était.\nTimeoutError : lost" in french
    )
    assert (
        "Interrupted: the processing stopped before it finished (process stopped or lost). A new synchronisation "
        "picks up where it left off.\nTimeoutError : lost" in english
    )
    progress = reverse("portal:sync_status")
    assert logged_in(seller_a).get(progress).json()["message"].startswith("Interrompue : le traitement s'est arrêté")
    assert switched_to(logged_in(seller_a), "en").get(progress).json()["message"].startswith(
        "Interrupted: the processing stopped"
    )
    token = {"authorization": f"Bearer {token_for(seller_a)}"}
    for language, start in (("fr", "Remboursements non lus : "), ("en", "Refunds not read: ")):
        listed = Client(headers={**token, "accept-language": language}).get("/api/v1/sync-runs/").json()["results"]
        assert [run["message"].startswith(start) for run in listed] == [False, True]


@pytest.mark.django_db(transaction=True)
def test_a_refused_credential_reads_in_the_page_language_on_the_run_the_connection_and_the_dashboard(
    start_simulator, connect_to_simulator
):
    from facturier.sales.sync import sync_seller

    sim = start_simulator(seed=5, orders=4)
    seller = connect_to_simulator(sim)
    connection = seller.connections.get()
    connection.credentials = {**connection.credentials, "client_secret": "wrong"}
    connection.save()

    run = sync_seller(seller)

    connection.refresh_from_db()
    assert (run.status, connection.status) == (SyncRun.FAILED, MarketplaceConnection.STATUS_REJECTED)
    detail = "Octopia refused the API credentials of client 'client-98979' (HTTP 401)"
    french, english = in_both_languages(seller, reverse("portal:sync_runs"))
    assert f"Identifiants refusés par la marketplace : {detail}" in french
    assert f"Credentials refused by the marketplace: {detail}" in english
    french, english = in_both_languages(seller, reverse("portal:connection"))
    assert f"Identifiants refusés — Identifiants refusés par la marketplace : {detail}" in french
    assert f"Credentials rejected — Credentials refused by the marketplace: {detail}" in english
    french, english = in_both_languages(seller, "/")
    assert f"Identifiants refusés par la marketplace : {detail}" in french
    assert f"Credentials refused by the marketplace: {detail}" in english


@pytest.mark.django_db
def test_a_connection_test_reads_in_the_page_language(seller_a):
    connection = MarketplaceConnection.objects.create(
        seller=seller_a, **connection_fields({"seller_id": "98979", "client_id": "client-98979", "client_secret": "s"})
    )
    unreachable = ConnectionTest(ok=False, failure=ConnectionFailure.UNREACHABLE, detail="timed out")
    message = connectors.test_message("Cdiscount", unreachable)
    connection_status.record(connection, MarketplaceConnection.STATUS_UNAVAILABLE, message)

    french, english = in_both_languages(seller_a, reverse("portal:connection_edit", args=[connection.pk]))
    assert "Cdiscount ne répond pas pour le moment. Réessayez dans quelques minutes." in french
    assert "Cdiscount is not answering at the moment. Try again in a few minutes." in english


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_reads_in_the_page_language_with_the_marketplaces_words_quoted(
    start_simulator, connect_to_simulator
):
    sim = start_simulator(seed=5, orders=4)
    seller = connect_to_simulator(sim, upload_to_marketplace=True)
    run_pass(seller, "test")
    invoice = Invoice.objects.filter(kind=Invoice.KIND_INVOICE).order_by("pk").first()
    with invoice.pdf.storage.open(invoice.pdf.name, "wb") as damaged:  # the marketplace refuses what is not a PDF
        damaged.write(b"not a PDF")

    for _poll in range(3):
        follow_uploads(seller=seller)

    invoice.refresh_from_db()
    assert invoice.upload_status == Invoice.UPLOAD_FAILURE
    refusal = f"{invoice.order_reference}.pdf: InvalidFileFormat The file is not a PDF, a UBL 2.1 XML or a ZIP archive."
    french, english = in_both_languages(seller, reverse("portal:invoice_detail", args=[invoice.pk]))
    assert f"<dd>Échec — Document refusé par la marketplace : {refusal}</dd>" in french
    assert f"<dd>Failed — Document refused by the marketplace: {refusal}</dd>" in english


@pytest.mark.django_db
def test_an_emails_failure_reads_in_the_page_language(seller_a):
    invoice = issue(seller_a, email="")
    email = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}")
    assert email.state == OutgoingEmail.STATE_FAILED

    french, english = in_both_languages(seller_a, reverse("portal:invoice_detail", args=[invoice.pk]))
    assert "— aucune adresse e-mail sur la commande</p>" in french
    assert "— no email address on the order</p>" in english
    french, english = in_both_languages(seller_a, "/")
    assert "aucune adresse e-mail sur la commande" in french
    assert "no email address on the order" in english and "aucune adresse" not in english


@pytest.mark.django_db
def test_text_stored_before_messages_is_shown_as_it_is_in_both_languages(registered):
    order = record(registered, "2610050000LEGA", placed=PLACED)
    legacy = 'Passée le 05/10/2026 à 10:15, avant le début de la reprise (31/10/2026 à 10:30). {"msgid" dans le texte'
    SalesOrder.objects.filter(pk=order.pk).update(reason=legacy)

    french, english = in_both_languages(registered, reverse("portal:order_detail", args=[order.pk]))
    assert f"<p>{legacy}</p>" in french
    assert f"<p>{legacy}</p>" in english


@pytest.mark.django_db
def test_a_pa_that_cannot_be_reached_reads_in_the_page_language_on_the_reform_page(make_seller):
    seller = reform_seller(make_seller)
    issue_for_reform(seller, date(2027, 11, 3), [("12.00", "20")])
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused
    connection = PAConnection.objects.create(seller=seller, flow_url=nowhere, token_url=f"{nowhere}/token",
                                             client_id="me", client_secret="s3cret")  # fmt: skip
    report = prepare_report(seller, period_of(date(2027, 11, 3), "normal_quarterly"))

    client = FlowClient.for_connection(connection)
    try:
        transmit(report, client)
    finally:
        client.close()

    report.refresh_from_db()
    assert report.status == EReport.STATUS_PENDING
    french, english = in_both_languages(seller, reverse("portal:reform"))
    assert "<small>Serveur d'authentification de la PA injoignable : " in french
    assert "<small>The PA's authentication server is unreachable: " in english
    assert "Serveur d'authentification" not in english
