"""The reform page: scope, deadline, reports and their errors, settings; downloads scoped to the seller."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection as db
from django.urls import reverse
from django.utils import formats

from facturier.accounts.reform import PAConnection, ReformProfile
from facturier.core.crypto import decrypt
from facturier.ereporting.calendar import period_of
from facturier.ereporting.reports import prepare_report
from facturier.ereporting.tests.documents import issue, reform_seller
from facturier.portal.tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def test_a_non_established_seller_sees_e_reporting_only(make_seller):
    seller = make_seller(country="DE", vat_number="DE136695976")
    response = logged_in(seller).get(reverse("portal:reform"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "<strong>E-reporting seulement</strong> — vos ventes B2C soumises à la TVA française sont à déclarer à " \
           "partir du 1 septembre 2027." in text
    assert "leur inclusion dans l&#x27;e-reporting n&#x27;est pas tranchée officiellement" in text


def test_reports_show_their_state_errors_and_download(make_seller):
    seller = reform_seller(make_seller)
    issue(seller, date(2027, 11, 3), [("12.00", "20")])
    good = prepare_report(seller, period_of(date(2027, 11, 3), "normal_quarterly"))
    issue(seller, date(2027, 10, 3), [("11.90", "19")])
    bad = prepare_report(seller, period_of(date(2027, 10, 3), "normal_quarterly"))
    client = logged_in(seller)

    text = client.get(reverse("portal:reform")).content.decode()

    assert "Prochaine échéance :" in text
    assert "À télécharger et déposer sur votre PA" in text
    assert "Invalide (non envoyé)" in text
    assert "[G1.24] Le taux de TVA des transactions n&#x27;est pas dans la liste autorisée." in text
    download = client.get(reverse("portal:ereport_download", args=[good.pk]))
    assert download.content == good.xml.encode()
    assert download["Content-Disposition"] == 'attachment; filename="TX-123456782-20271101-20271130-01.xml"'
    assert client.get(reverse("portal:ereport_download", args=[bad.pk])).status_code == 404


def test_settings_save_the_regime_siren_and_encrypted_pa_credentials(make_seller):
    seller = make_seller(siren="")
    client = logged_in(seller)
    response = client.post(reverse("portal:reform"), {
        "established_in_france": "on", "company_size": "sme", "early_start": "2026-12-01",
        "vat_regime": "simplified", "pa_code": "0042", "pa_name": "Ma PA", "siren": "732 829 320",
        "flow_url": "https://pa.example/afnor", "token_url": "https://pa.example/oauth/token",
        "client_id": "me", "client_secret": "s3cret",
    })
    assert response.status_code == 302
    profile = ReformProfile.objects.get(seller=seller)
    assert (profile.vat_regime, profile.start) == ("simplified", date(2026, 12, 1))
    seller.refresh_from_db()
    assert seller.siren == "732829320"
    connection = PAConnection.objects.get(seller=seller)
    assert connection.client_secret == "s3cret"
    with db.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM accounts_paconnection WHERE id = %s", [connection.pk])
        stored = cursor.fetchone()[0]
    assert stored != "s3cret"
    assert decrypt(stored) == "s3cret"


def test_a_bad_siren_is_refused_in_french(make_seller):
    seller = make_seller()
    response = logged_in(seller).post(reverse("portal:reform"), {
        "established_in_france": "on", "company_size": "sme", "vat_regime": "simplified", "siren": "123456789",
    })
    assert response.status_code == 200
    assert ReformProfile.objects.get(seller=seller).vat_regime == "normal_monthly"
    assert "SIREN" in response.context["form"].errors["siren"][0]


def test_b2b_invoices_show_their_pa_status_on_the_reform_page_and_the_invoice(make_seller):
    from facturier.ereporting.models import PADeposit
    from facturier.ereporting.tests.test_einvoicing import b2b_invoice

    seller = reform_seller(make_seller)
    invoice = b2b_invoice(seller)
    PADeposit.objects.create(invoice=invoice, seller=seller, status=PADeposit.STATUS_DEPOSITED,
                             lifecycle_code="210", lifecycle_label="Refusée", lifecycle_reason="REF_PRIX Prix faux")
    client = logged_in(seller)

    reform_page = client.get(reverse("portal:reform")).content.decode()
    detail = client.get(reverse("portal:invoice_detail", args=[invoice.pk])).content.decode()

    assert f">{invoice.number}</a></td><td>Atelier Durand SARL</td>" in reform_page
    assert "210 Refusée — REF_PRIX Prix faux" in reform_page
    assert '<dd class="pa-status pa-deposited">210 Refusée — REF_PRIX Prix faux</dd>' in detail


def test_the_current_period_shows_its_sales_so_far(make_seller):
    from facturier.core.clock import today_in_paris
    from facturier.ereporting.calendar import period_of

    seller = reform_seller(make_seller, regime="normal_monthly")
    issue(seller, today_in_paris(), [("36.00", "20"), ("10.55", "5.5")])
    period = period_of(today_in_paris(), "normal_monthly")

    text = logged_in(seller).get(reverse("portal:reform")).content.decode()

    start, end = (formats.date_format(day) for day in (period.start, period.end))  # the one French date format
    assert (f"Période en cours ({start} – {end}) : base 40,00\u00a0€, TVA 6,55\u00a0€ à ce "
            "jour ; le rapport est préparé à la fin de la période.") in text
