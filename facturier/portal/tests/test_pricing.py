"""Pricing in sight: the tier table, this month's fee, the seller's fee invoices, terms at sign-up, and an
unsubscription that is confirmed and says what it bills and until when documents stay downloadable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import formats, translation

from facturier.accounts.models import Seller, User
from facturier.billing.fee_invoices import issue_fee_invoice
from facturier.billing.rendering import render_fee_invoices
from facturier.billing.usage import next_month
from facturier.core.clock import now, today_in_paris
from facturier.portal.tests.helpers import issue, logged_in
from facturier.portal.tests.test_i18n import switched_to

TIER_TABLE = ('<tr><td>0 – 100</td><td class="num">9,99\u00a0€</td></tr>'
              '<tr><td>101 – 200</td><td class="num">19,99\u00a0€</td></tr>'
              '<tr><td>201 – 300</td><td class="num">29,99\u00a0€</td></tr>'
              '<tr><td>301 et plus</td><td class="num">39,99\u00a0€</td></tr>')


def french(day: date, pattern: str = "DATE_FORMAT") -> str:
    with translation.override("fr"):
        return formats.date_format(day, pattern)


def sign_up(client: Client, **extra) -> object:
    return client.post("/inscription/", {"email": "nouveau@example.com", "password1": "un-mot-de-passe-long",
                                         "password2": "un-mot-de-passe-long", **extra})


@pytest.mark.django_db
def test_the_tier_table_is_shown_before_sign_up_and_on_the_terms_page(client: Client):
    assert TIER_TABLE in client.get("/inscription/").content.decode()
    terms = client.get("/conditions/").content.decode()
    assert TIER_TABLE in terms
    assert '<p class="muted" id="terms-version">Version 2026-12-07</p>' in terms


@pytest.mark.django_db
def test_sign_up_needs_the_terms_and_records_their_version_and_time(client: Client):
    refused = sign_up(client)
    assert refused.context["form"].errors["accept_terms"] == [
        "Acceptez les conditions générales d'utilisation pour créer votre compte."]
    assert not User.objects.filter(email="nouveau@example.com").exists()
    before = now()
    assert sign_up(client, accept_terms="on").status_code == 200
    user = User.objects.get(email="nouveau@example.com")
    assert user.terms_version == "2026-12-07"
    assert before <= user.terms_accepted_at <= now()


@pytest.mark.django_db
def test_the_subscription_page_shows_the_month_its_tier_fee_and_the_fee_invoices(seller_a, seller_b):
    issue(seller_a, render=False)
    issue(seller_a, render=False)
    fee, _created = issue_fee_invoice(seller_a.pk, date(2026, 10, 1))
    other, _created = issue_fee_invoice(seller_b.pk, date(2026, 10, 1))
    render_fee_invoices([fee.pk, other.pk])
    html = logged_in(seller_a).get("/mes-factures-facturier/").content.decode()
    assert '<strong id="month-count">2</strong>' in html
    assert '<strong id="month-tier">0-100</strong>' in html
    assert '<strong id="month-fee">9,99\u00a0€ HT</strong>' in html
    assert TIER_TABLE.replace("<tr><td>0 – 100</td>", '<tr class="current"><td>0 – 100 <span class="tag">ce mois-ci'
                              "</span></td>") in html
    assert html.count('data-label="Numéro">') == 1
    assert f'<td data-label="Numéro">{fee.number}</td>' in html
    assert f'href="/mes-factures-facturier/{fee.pk}/voir">Voir</a>' in html
    assert f'href="/mes-factures-facturier/{fee.pk}/pdf">Télécharger</a>' in html


@pytest.mark.django_db
def test_a_fee_invoice_is_viewed_inline_and_downloaded_only_by_its_seller(seller_a, seller_b):
    fee, _created = issue_fee_invoice(seller_a.pk, date(2026, 10, 1))
    render_fee_invoices([fee.pk])
    fee.refresh_from_db()
    shown = logged_in(seller_a).get(f"/mes-factures-facturier/{fee.pk}/voir")
    assert shown["Content-Disposition"] == f'inline; filename="{fee.number}.pdf"'
    with fee.pdf.open("rb") as stored:
        assert b"".join(shown.streaming_content) == stored.read()
    downloaded = logged_in(seller_a).get(f"/mes-factures-facturier/{fee.pk}/pdf")
    assert downloaded["Content-Disposition"] == f'attachment; filename="{fee.number}.pdf"'
    assert logged_in(seller_b).get(f"/mes-factures-facturier/{fee.pk}/voir").status_code == 404


@pytest.mark.django_db
def test_unsubscribing_says_what_is_billed_and_needs_a_confirmation(seller_a, settings):
    issue(seller_a, render=False)
    client = logged_in(seller_a)
    today = today_in_paris()
    month = today.replace(day=1)
    with translation.override("fr"):
        month_name = formats.date_format(month, "F Y")
    page = client.get("/compte/desinscription/").content.decode()
    assert (f"Dernière facture d'abonnement : {month_name}, 1 facture émise (palier 0-100), soit 9,99\u00a0€ HT, "
            f"facturée le {french(next_month(month))}.") in page
    until = today + timedelta(days=settings.FACTURIER_DOWNLOAD_WINDOW_DAYS)
    assert (f"Vos factures et avoirs restent téléchargeables jusqu'au {french(until)} ; "
            "ils sont ensuite supprimés.") in page

    unconfirmed = client.post("/compte/desinscription/", {})
    assert unconfirmed.context["form"].errors["confirm"] == [
        "Cochez la case pour confirmer la désinscription : rien n'a été changé."]
    assert Seller.objects.get(pk=seller_a.pk).status == Seller.STATUS_ACTIVE

    assert client.post("/compte/desinscription/", {"confirm": "on"})["Location"] == "/compte/desinscription/"
    seller = Seller.objects.get(pk=seller_a.pk)
    assert seller.status == Seller.STATUS_UNSUBSCRIBED
    after = client.get("/compte/desinscription/").content.decode()
    assert f"restent téléchargeables jusqu'au {french(seller.download_until)}." in after
    assert f"1 facture émise (palier 0-100), soit 9,99\u00a0€ HT, facturée le {french(next_month(month))}." in after


@pytest.mark.django_db
def test_the_subscription_and_unsubscribe_pages_in_english(seller_a):
    issue(seller_a, render=False)
    client = switched_to(logged_in(seller_a), "en", "/mes-factures-facturier/")
    html = client.get("/mes-factures-facturier/").content.decode()
    assert "<h1>Subscription and pricing</h1>" in html
    assert '<tr><td>301 and more</td><td class="num">€39.99</td></tr>' in html
    page = client.get("/compte/desinscription/").content.decode()
    assert "1 invoice issued (tier 0-100), that is €9.99 excl. VAT, billed on" in page
    assert ">I confirm that I want to unsubscribe.<" in page


@pytest.mark.django_db
def test_the_dashboard_tier_leads_to_the_pricing(seller_a):
    html = logged_in(seller_a).get("/").content.decode()
    assert '<a href="/mes-factures-facturier/" id="see-pricing">Voir les tarifs</a>' in html
