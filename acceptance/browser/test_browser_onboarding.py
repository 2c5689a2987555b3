"""A new seller in Chromium: the checklist guides them to the marketplace page, which says where to find the
credentials; a wrong secret is refused in plain French; the right one starts the first sync by itself and the
dashboard shows its progress and the first invoices (live server, Octopia simulator over HTTP)."""

from __future__ import annotations

import pytest

from acceptance.browser.chromium import SCREENSHOTS
from acceptance.browser.test_browser import register_company, sign_up_and_verify
from facturier.accounts.models import Seller
from facturier.invoicing.models import Invoice
from facturier.sales.models import SyncRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sync_starts_by_itself_with_its_progress(page, live_server, simulator, settings):
    settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    sign_up_and_verify(page, base)
    register_company(page)  # ends on the marketplace page
    assert "espace vendeur Octopia (Seller Portal)" in page.inner_text("#credentials-help")

    credentials = simulator.credentials()
    page.fill("#id_client_id", credentials["client_id"])
    page.fill("#id_client_secret", "not-the-secret")
    page.fill("#id_account_id", credentials["seller_id"])
    page.click("button[type=submit].primary")
    page.click(".test-connection")
    page.wait_for_selector("text=Connexion impossible")
    seller = Seller.objects.get(owner__email="delta@example.com")
    assert not SyncRun.objects.filter(seller=seller).exists()
    page.goto(f"{base}/")
    assert page.get_attribute("#step-marketplace", "data-done") == "false"
    assert page.get_attribute("#step-mandate", "data-done") == "true"
    page.screenshot(path=str(SCREENSHOTS / "onboarding-checklist.png"), full_page=True)

    page.click("#step-marketplace a")
    page.click("#connections a")  # edit the credentials
    page.fill("#id_client_secret", credentials["client_secret"])
    page.click("button[type=submit].primary")
    page.click(".test-connection")
    page.wait_for_selector("text=Première synchronisation lancée")
    page.wait_for_selector("#sync-progress[data-status=succeeded]")

    run = SyncRun.objects.get(seller=seller)
    invoices = Invoice.objects.filter(seller=seller)
    assert run.trigger == "first" and run.invoices_issued == invoices.filter(kind="invoice").count() > 0
    progress = page.inner_text("#sync-progress")
    assert f"{run.orders_seen} commandes lues" in progress
    assert f"{run.invoices_issued} factures émises" in progress and "e-mails envoyés" in progress
    newest = invoices.order_by("-issued_at", "-id").first()
    assert newest.number in page.inner_text("#recent-invoices")
    assert page.locator("#onboarding-checklist").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "first-sync.png"), full_page=True)
