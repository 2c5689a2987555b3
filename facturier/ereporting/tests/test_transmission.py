"""Transmission to the seller's PA over real HTTP against the PA simulator (AFNOR Flow Service)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest

from facturier.accounts.reform import PAConnection
from facturier.core.clock import now
from facturier.core.stored_text import render
from facturier.ereporting.calendar import period_of
from facturier.ereporting.models import DeadlineWarning, EReport
from facturier.ereporting.reports import ReportError, prepare_report, run_seller, send_now
from facturier.ereporting.tests.documents import issue, reform_seller
from facturier.outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db
NOVEMBER = period_of(date(2026, 11, 3), "normal_quarterly")
AFTER_NOVEMBER = date(2026, 12, 2)


@pytest.fixture
def seller(make_seller):
    seller = reform_seller(make_seller)
    issue(seller, date(2026, 11, 3), [("59.99", "20"), ("24.00", "5.5")])
    return seller


def test_send_deposits_the_report_as_an_frr_b2c_flow_and_follows_its_acknowledgement(seller, pa_simulator,
                                                                                     connect_pa):
    connect_pa(seller, pa_simulator)

    report = send_now(seller, NOVEMBER)

    [flow] = pa_simulator.flows()
    assert (flow.syntax, flow.processing_rule, flow.tracking_id) == ("FRR", "B2C", report.report_id)
    assert flow.content == report.xml.encode()
    assert (report.status, report.flow_id, report.attempts) == (EReport.STATUS_ACCEPTED, flow.flow_id, 1)
    assert PAConnection.objects.get(seller=seller).status == PAConnection.STATUS_OK


def test_an_outage_is_retried_on_a_later_pass(seller, pa_simulator, connect_pa):
    connect_pa(seller, pa_simulator)
    pa_simulator.set_faults(unavailable=1)

    run_seller(seller, today=AFTER_NOVEMBER)
    report = EReport.objects.get(seller=seller)
    assert (report.status, report.attempts) == (EReport.STATUS_PENDING, 1)
    assert render(report.last_error) == "PA : HTTP 503 UNAVAILABLE simulated outage"
    assert report.next_attempt_at > now()
    assert pa_simulator.flows() == []

    EReport.objects.filter(pk=report.pk).update(next_attempt_at=now() - timedelta(seconds=1))
    result = run_seller(seller, today=AFTER_NOVEMBER)
    report.refresh_from_db()
    assert (result.sent, report.status, report.attempts) == (1, EReport.STATUS_SENT, 2)

    run_seller(seller, today=AFTER_NOVEMBER)  # the acknowledgement is asked for on the next pass
    report.refresh_from_db()
    assert report.status == EReport.STATUS_ACCEPTED
    assert len(pa_simulator.flows()) == 1


def test_a_rejection_is_shown_with_the_pas_reason(seller, pa_simulator, connect_pa):
    connect_pa(seller, pa_simulator)
    pa_simulator.set_faults(reject=1)

    report = send_now(seller, NOVEMBER)

    assert report.status == EReport.STATUS_REJECTED
    assert report.ack_message == "REJ_SEMAN Rejet simulé : contenu refusé par la plateforme"


def test_refused_credentials_mark_the_connection_and_keep_the_report_pending(seller, pa_simulator, connect_pa):
    connect_pa(seller, pa_simulator, client_secret="wrong")

    report = send_now(seller, NOVEMBER)

    assert report.status == EReport.STATUS_PENDING
    assert render(report.last_error) == "Identifiants OAuth2 refusés par la PA"
    connection = PAConnection.objects.get(seller=seller)
    assert (connection.status, render(connection.status_message)) == (
        PAConnection.STATUS_REJECTED, "Identifiants OAuth2 refusés par la PA")
    assert pa_simulator.flows() == []


def test_an_invalid_report_is_never_sent(make_seller, pa_simulator, connect_pa):
    seller = reform_seller(make_seller)
    connect_pa(seller, pa_simulator)
    issue(seller, date(2026, 11, 3), [("11.90", "19")])  # not a French rate

    with pytest.raises(ReportError, match=r"^Rapport invalide, non envoyé :\n\[G1.24\]"):
        send_now(seller, NOVEMBER)
    run_seller(seller, today=AFTER_NOVEMBER)

    assert pa_simulator.flows() == []
    assert EReport.objects.get(seller=seller).status == EReport.STATUS_INVALID


def test_without_a_pa_the_report_waits_for_download_and_the_seller_is_warned_once_before_the_deadline(seller):
    assert prepare_report(seller, NOVEMBER).status == EReport.STATUS_DOWNLOAD
    with pytest.raises(ReportError, match="Aucune plateforme agréée connectée"):
        send_now(seller, NOVEMBER)

    assert run_seller(seller, today=date(2026, 12, 2)).warned == 0  # deadline 10 December: not yet
    assert run_seller(seller, today=date(2026, 12, 7)).warned == 1
    assert run_seller(seller, today=date(2026, 12, 8)).warned == 0

    [warning] = DeadlineWarning.objects.filter(seller=seller)
    assert warning.deadline == date(2026, 12, 10)
    email = OutgoingEmail.objects.get(related_key__startswith="ereporting-deadline:")
    assert email.subject == "Facturier : e-reporting à transmettre avant le 2026-12-10"
    assert "TX-123456782-20261101-20261130-01" in email.text_body


def test_the_simulator_refuses_flows_without_a_token(pa_simulator):
    response = httpx.post(pa_simulator.base_url + "/v1/flows", files={"file": ("a.xml", b"<a/>")})
    assert response.status_code == 401
    assert json.loads(response.content)["errorCode"] == "UNAUTHORIZED"


def test_the_deadline_warning_speaks_the_sellers_language(seller):
    seller.owner.preferred_language = "en"
    seller.owner.save()

    run_seller(seller, today=date(2026, 12, 7))

    email = OutgoingEmail.objects.get(related_key__startswith="ereporting-deadline:")
    assert email.subject == "Facturier: e-report to transmit before 2026-12-10"
    assert "A missing transmission may be fined €500." in email.text_body


def test_a_period_not_over_is_neither_sent_now_nor_by_the_pass(make_seller, pa_simulator, connect_pa):
    seller = reform_seller(make_seller)
    connect_pa(seller, pa_simulator)
    issue(seller, date(2026, 11, 3), [("12.00", "20")])
    prepare_report(seller, NOVEMBER)  # `ereporting build` on the period while it runs

    with pytest.raises(ReportError, match="^La période se termine le 2026-11-30 : son rapport ne peut être transmis"):
        send_now(seller, NOVEMBER, today=date(2026, 11, 30))
    run_seller(seller, today=date(2026, 11, 30))

    assert pa_simulator.flows() == []
    assert EReport.objects.get(seller=seller).status == EReport.STATUS_PENDING
