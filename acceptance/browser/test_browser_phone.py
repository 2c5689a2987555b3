"""Every page of the portal in Chromium: at 390 px nothing is wider than the screen (tables become cards or scroll
in their own box, the menu folds), and axe-core (bundled by axe-playwright-python, nothing downloaded at run time)
finds no serious or critical accessibility violation, at 1280 and 390 px, in French and in English."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from acceptance.browser.chromium import SCREENSHOTS as ALL_SCREENSHOTS
from acceptance.browser.test_browser_settings import log_in
from facturier.billing.fee_invoices import issue_fee_invoice
from facturier.billing.rendering import render_fee_invoices
from facturier.portal.tests.helpers import issue
from facturier.portal.tests.test_isolation import OBJECT_URLS, POST_ONLY, PUBLIC, portal_names
from facturier.sales.models import SyncRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ALL_SCREENSHOTS / "phone"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
# Every page a seller opens (files, JSON and POST-only addresses are not pages).
SELLER_PAGES = {
    "dashboard": "/", "invoice_list": "/factures/", "orders": "/commandes/", "sync_runs": "/synchronisations/",
    "fee_invoices": "/mes-factures-facturier/", "reform": "/reforme/", "settings": "/reglages/",
    "sku_rates": "/reglages/taux-sku/", "rates_used": "/reglages/taux-appliques/", "api_tokens": "/reglages/api/",
    "two_factor": "/reglages/double-authentification/", "accounting": "/reglages/comptabilite/",
    "unsubscribe": "/compte/desinscription/",
    "onboarding_company": "/inscription/entreprise/", "onboarding_vat": "/inscription/tva/",
    "onboarding_mandate": "/inscription/mandat/", "connection": "/marketplace/",
    "numbering": "/reglages/numerotation/", "terms_acceptance": "/reglages/conditions/",
}  # fmt: skip
NOT_PAGES = {"invoice_archive", "invoice_selection_archive", "invoice_lines_csv", "full_export", "sync_status",
             "fec_export"}
PUBLIC_PAGES = {"login": "/connexion/", "signup": "/inscription/", "terms": "/conditions/",
                "password_reset": "/mot-de-passe/", "password_reset_done": "/mot-de-passe/envoye/",
                "not_found": "/nexiste-pas/"}
SERIOUS = {"serious", "critical"}
AXE = Axe()


def test_every_seller_page_is_checked():
    pages = set(portal_names()) - PUBLIC - set(OBJECT_URLS) - POST_ONLY - NOT_PAGES
    assert pages == set(SELLER_PAGES)


def serious_violations(page) -> list[str]:
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"] if violation["impact"] in SERIOUS
    ]  # fmt: skip


def check(page, url: str, name: str, *, phone: bool) -> list[str]:
    """The problems of one page: sideways scrolling on a phone, serious axe violations."""
    page.goto(url)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{'390' if phone else '1280'}.png"), full_page=True)
    problems = [f"{name}: {violation}" for violation in serious_violations(page)]
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name}: {width} px wide")
    return problems


@pytest.fixture
def seller_with_documents(make_seller):
    seller = make_seller(legal_name="Maison Écarlate SARL")
    invoice = issue(seller, buyer=("Marie-Clémentine", "de La Rochefoucauld-Montbel"),
                    email="marie-clementine.de-la-rochefoucauld@example.org")
    issue(seller)
    fee, _created = issue_fee_invoice(seller.pk, date(2026, 10, 1))
    render_fee_invoices([fee.pk])
    SyncRun.objects.create(seller=seller, trigger="manual", status=SyncRun.SUCCEEDED, orders_seen=12,
                           invoices_issued=2, message="Commande 2612011200T001 : adresse de livraison hors de France")
    return seller, invoice


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_every_page_fits_a_phone_and_passes_axe(page, live_server, seller_with_documents, viewport,
                                                 language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seller, invoice = seller_with_documents
    phone = viewport is PHONE
    page.set_viewport_size(viewport)
    base = live_server.url
    problems: list[str] = []
    for name, path in PUBLIC_PAGES.items():
        problems += check(page, base + path, f"{language}-{name}", phone=phone)
    log_in(page, base, seller.owner.email)
    if language == "en":
        page.click("button[name=language][value=en]")
        page.wait_for_selector("html[lang=en]")
    pages = {**SELLER_PAGES, "invoice_detail": f"/factures/{invoice.pk}/"}
    for name, path in pages.items():
        problems += check(page, base + path, f"{language}-{name}", phone=phone)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_invoice_lines_and_totals_are_in_sight_without_scrolling(page, live_server, seller_with_documents,
                                                                    language):
    """At 1280 px the lines table fits its column (no inner scroll hides the totals); at 390 px nothing is wider than
    the screen."""
    seller, invoice = seller_with_documents
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, seller.owner.email)
    if language == "en":
        page.click("button[name=language][value=en]")
        page.wait_for_selector("html[lang=en]")
    page.goto(f"{live_server.url}/factures/{invoice.pk}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"{language}-invoice-lines-{viewport['width']}.png"), full_page=True)
        lines = page.locator("#invoice-lines")
        card = page.locator("#invoice-lines").locator("xpath=ancestor::section[1]").bounding_box()
        total = page.locator("#total-gross").bounding_box()
        assert lines.evaluate("table => table.scrollWidth - table.clientWidth") == 0, viewport
        assert card["x"] <= total["x"] and total["x"] + total["width"] <= card["x"] + card["width"], viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.inner_text("#total-gross") == {"fr": "28,80\u00a0€", "en": "€28.80"}[language]


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(page, live_server, seller_with_documents):
    seller, _invoice = seller_with_documents
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, seller.owner.email)
    assert page.is_hidden("#mainnav")
    page.click("#menu-toggle")
    assert page.get_attribute("#menu-toggle", "aria-expanded") == "true"
    page.click("#mainnav >> text=Factures")
    page.wait_for_url(f"{live_server.url}/factures/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = page.locator("table.cards tbody tr").first.bounding_box()
    assert card["width"] <= PHONE["width"]
