import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from facturier.accounts.models import ApiToken, MarketplaceConnection, Seller, SkuVatRate
from facturier.billing.tests.helpers import issue_credit_note, issue_invoices
from facturier.billing.usage import count_invoices, month_bounds
from facturier.core.clock import today_in_paris
from facturier.portal.tests.helpers import issue, logged_in
from facturier.sales.models import SyncRun

SETTINGS = {"invoice_prefix": "F2026-", "credit_note_prefix": "A2026-", "default_vat_rate": "20",
            "support_email": "sav@example.com", "upload_to_marketplace": "on"}


@pytest.mark.django_db
def test_settings_are_saved(seller_a):
    response = logged_in(seller_a).post("/reglages/", SETTINGS)
    assert response["Location"] == "/reglages/"
    seller_a.refresh_from_db()
    assert (seller_a.invoice_prefix, seller_a.credit_note_prefix, seller_a.support_email,
            seller_a.english_translation) == ("F2026-", "A2026-", "sav@example.com", False)


@pytest.mark.django_db
def test_bad_prefix_is_refused_on_its_field(seller_a):
    response = logged_in(seller_a).post("/reglages/", {**SETTINGS, "invoice_prefix": "FAC 2026"})
    assert response.context["form"].errors["invoice_prefix"] == [
        "Préfixe « FAC 2026 » : seuls les lettres, chiffres et les caractères + - _ / sont permis."]
    seller_a.refresh_from_db()
    assert seller_a.invoice_prefix == "FAC-"


@pytest.mark.django_db
def test_sku_rates_csv_import_keeps_good_lines_and_lists_errors(seller_a):
    upload = SimpleUploadedFile("taux.csv", b"sku;taux\nBOOK-1;5,5\nSTD-2;7\n")
    response = logged_in(seller_a).post("/reglages/taux-sku/", {"file": upload})
    assert response.context["errors"] == ["ligne 3 : taux 7 non autorisé (20, 10, 5,5 ou 2,1)."]
    assert list(SkuVatRate.objects.filter(seller=seller_a).values_list("key", "rate")) == [
        ("BOOK-1", Decimal("5.50"))]


@pytest.mark.django_db
def test_api_token_is_shown_once_and_stored_hashed(seller_a):
    client = logged_in(seller_a)
    token = client.post("/reglages/api/", {"name": "ERP"}).context["created"]
    stored = ApiToken.objects.get(seller=seller_a)
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get("/reglages/api/").content.decode()
    client.post(f"/reglages/api/{stored.pk}/revoquer/")
    stored.refresh_from_db()
    assert stored.revoked_at is not None


@pytest.mark.django_db
def test_the_dashboard_counts_this_months_invoices_where_billing_counts_them(seller_a):
    month_start = month_bounds(today_in_paris())[0]
    [first, *_others] = issue_invoices(seller_a, 101, month_start)
    issue_invoices(seller_a, 2, month_start - timedelta(seconds=2))  # the last seconds of last month (Paris)
    issue_credit_note(first, month_start + timedelta(minutes=5))

    response = logged_in(seller_a).get("/")

    assert (response.context["issued_this_month"], response.context["fee"].label) == (101, "101-200")
    assert response.context["fee"].amount_excl_vat == Decimal("19.99")
    assert count_invoices(seller_a, today_in_paris()) == 101


@pytest.mark.django_db
def test_unsubscribe_makes_the_account_read_only_but_downloadable(seller_a):
    invoice = issue(seller_a)
    MarketplaceConnection.objects.create(seller=seller_a, account_id="c",
                                         credentials={"client_id": "a", "client_secret": "b"})
    client = logged_in(seller_a)
    assert client.get("/compte/desinscription/").status_code == 200
    client.post("/compte/desinscription/", {"confirm": "on"})
    seller_a.refresh_from_db()
    assert seller_a.status == Seller.STATUS_UNSUBSCRIBED
    assert seller_a.download_until > seller_a.unsubscribed_at
    page = client.get("/compte/desinscription/").content.decode()
    assert "restent téléchargeables jusqu" in page

    for url, data in [("/reglages/", SETTINGS), ("/synchronisations/lancer/", {}),
                      (f"/factures/{invoice.pk}/renvoyer/", {}), ("/reglages/api/", {"name": "x"})]:
        response = client.post(url, data)
        assert response["Location"] == "/", url
    seller_a.refresh_from_db()
    assert seller_a.invoice_prefix == "FAC-"
    assert SyncRun.objects.filter(seller=seller_a).count() == 0
    assert ApiToken.objects.filter(seller=seller_a).count() == 0
    export = client.get("/compte/export.zip")
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content))).namelist()
    assert names == ["index.csv", "lignes.csv", "factures/FAC-000001.pdf"]
