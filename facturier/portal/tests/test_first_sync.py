"""Guided onboarding: the checklist on the dashboard until the first sync is done, where to find the credentials,
and the first sync starting by itself after a successful connection test (against the simulator over HTTP),
with its progress (orders read, invoices issued, e-mails sent) and the first invoices on the dashboard."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from facturier.invoicing.models import Invoice
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import logged_in
from facturier.sales.models import SalesOrder, SyncRun

pytestmark = pytest.mark.django_db


def checklist_state(html: str) -> dict[str, str]:
    states = {}
    for key in ("company", "vat", "mandate", "marketplace", "first_sync"):
        start = html.index(f'id="step-{key}"')
        states[key] = html[start:].split('data-done="', 1)[1].split('"', 1)[0]
    return states


def test_a_successful_test_starts_the_first_sync_once(
    simulator, connect_to_simulator, seller_b, django_capture_on_commit_callbacks
):
    seller = connect_to_simulator(simulator)
    client = logged_in(seller)
    before = client.get("/").content.decode()
    assert checklist_state(before) == {"company": "true", "vat": "true", "mandate": "true", "marketplace": "false",
                                       "first_sync": "false"}  # fmt: skip
    help_text = client.get("/marketplace/").content.decode()
    assert 'id="credentials-help"' in help_text and "espace vendeur Octopia (Seller Portal)" in help_text

    connection = seller.connections.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/marketplace/{connection.pk}/tester/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Connexion à Cdiscount réussie (commandes visibles : 30).",
        "Première synchronisation lancée : vos factures apparaissent ci-dessous.",
    ]
    assert response["Location"] == "/"
    run = SyncRun.objects.get(seller=seller)  # tasks run eagerly here, at commit: the sync is over
    invoices = Invoice.objects.filter(seller=seller)
    assert (run.trigger, run.status) == ("first", SyncRun.SUCCEEDED)
    assert run.invoices_issued == invoices.filter(kind=Invoice.KIND_INVOICE).count() > 0

    progress = client.get("/synchronisations/etat.json").json()
    sent = OutgoingEmail.objects.filter(seller=seller, state=OutgoingEmail.STATE_SENT).count()
    assert (progress["status"], progress["orders_read"], progress["invoices_issued"], progress["emails_sent"]) == (
        "succeeded", SalesOrder.objects.filter(seller=seller).count(), run.invoices_issued, sent)
    dashboard = client.get("/").content.decode()
    assert 'id="onboarding-checklist"' not in dashboard
    newest = invoices.order_by("-issued_at", "-id").first()
    assert 'id="recent-invoices"' in dashboard and newest.number in dashboard

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/marketplace/{connection.pk}/tester/")
    assert [str(m) for m in get_messages(again.wsgi_request)] == [
        "Connexion à Cdiscount réussie (commandes visibles : 30)."]
    assert SyncRun.objects.filter(seller=seller).count() == 1
    assert logged_in(seller_b).get("/synchronisations/etat.json").json() == {"status": "none"}


def test_live_counts_while_a_run_is_running(seller_a):
    run = SyncRun.objects.create(seller=seller_a, trigger="first")
    from facturier.portal.tests.helpers import issue

    issue(seller_a, render=False)
    progress = logged_in(seller_a).get("/synchronisations/etat.json").json()
    assert (progress["status"], progress["orders_read"], progress["emails_waiting"]) == ("running", 1, 1)
    assert run.orders_seen == 0  # the run's own counter is written when it ends
