"""The main journey in Debian's headless Chromium, against a live server and the Octopia simulator."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail

from acceptance.browser.chromium import SCREENSHOTS
from facturier.accounts.models import Seller
from facturier.invoicing.models import Invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def download(page, locator) -> bytes:
    with page.expect_download() as info:
        locator.click()
    return Path(info.value.path()).read_bytes()


def sign_up_and_verify(page, base: str) -> None:
    page.goto(f"{base}/inscription/")
    page.fill("#id_email", "delta@example.com")
    page.fill("#id_password1", "un-mot-de-passe-long")
    page.fill("#id_password2", "un-mot-de-passe-long")
    page.check("#id_accept_terms")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=Vérifiez votre boîte mail")
    link = re.search(r"http://[^\s]+/inscription/confirmer/[^\s]+/", mail.outbox[-1].body).group(0)
    page.goto(link)


def register_company(page) -> None:
    for field, value in {"legal_name": "Delta Maison SAS", "address_line1": "8 quai de Seine",
                         "postal_code": "75019", "city": "Paris", "siren": "732829320"}.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_country", "BE")
    page.fill("#id_vat_number", "FR44732829320")
    page.click("button[type=submit].primary")
    assert "FR44732829320" in page.inner_text("#error-vat_number")
    page.select_option("#id_country", "FR")
    page.click("button[type=submit].primary")
    page.select_option("#id_default_vat_rate", "20")
    page.click("button[type=submit].primary")
    page.check("#id_accept")
    page.click("button[type=submit].primary")


def connect(page, simulator) -> None:
    credentials = simulator.credentials()
    page.fill("#id_client_id", credentials["client_id"])
    page.fill("#id_client_secret", credentials["client_secret"])
    page.fill("#id_account_id", credentials["seller_id"])
    page.click("button[type=submit].primary")
    page.click(".test-connection")
    page.wait_for_selector("text=Connexion à Cdiscount réussie")


def test_seller_journey(page, live_server, simulator, settings):
    settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    sign_up_and_verify(page, base)
    register_company(page)
    connect(page, simulator)

    page.click("#sync-now")
    page.wait_for_selector("#sync-progress[data-status=succeeded]")
    seller = Seller.objects.get(owner__email="delta@example.com")
    invoices = Invoice.objects.filter(seller=seller)
    assert invoices.count() > 0
    assert page.inner_text("#issued-this-month") == str(invoices.filter(kind="invoice").count())
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    target = invoices.order_by("pk").first()
    page.goto(f"{base}/factures/")
    page.screenshot(path=str(SCREENSHOTS / "invoice-list.png"), full_page=True)
    page.fill("#id_q", target.order_reference)
    page.click("#filters button[type=submit]")
    page.click(f"text={target.number}")
    body = download(page, page.locator("#download-pdf"))
    with target.pdf.open("rb") as stored:
        assert body == stored.read()

    page.goto(f"{base}/factures/")
    page.fill("#id_date_from", target.issue_date.replace(day=1).isoformat())
    page.fill("#id_date_to", target.issue_date.isoformat())
    page.click("#filters button[type=submit]")
    archive = zipfile.ZipFile(io.BytesIO(download(page, page.locator("#download-matching"))))
    month = invoices.filter(issue_date__gte=target.issue_date.replace(day=1), issue_date__lte=target.issue_date)
    assert len([name for name in archive.namelist() if name.endswith(".pdf")]) == month.count()

    page.goto(f"{base}/compte/desinscription/")
    page.click("#confirm-unsubscribe")
    assert "Cochez la case pour confirmer" in page.inner_text("#error-confirm")
    page.check("#id_confirm")
    page.click("#confirm-unsubscribe")
    assert "restent téléchargeables jusqu" in page.inner_text("#download-until")
    export = zipfile.ZipFile(io.BytesIO(download(page, page.locator("#full-export"))))
    assert export.namelist()[:2] == ["index.csv", "lignes.csv"]
    assert len([name for name in export.namelist() if name.endswith(".pdf")]) == invoices.count()
