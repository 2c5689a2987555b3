"""The demo's PA: the built-in AFNOR simulator over HTTP, or the one named in the environment."""

from __future__ import annotations

from datetime import date

import pytest

from facturier.accounts.reform import PAConnection, ReformProfile
from facturier.ereporting.models import EReport
from facturier.ereporting.tests.documents import issue
from facturier.jobs import pa_demo
from facturier.pa_simulator.server import PASimulator

pytestmark = pytest.mark.django_db
ENVIRONMENT = pa_demo.ENVIRONMENT


@pytest.fixture
def demo_seller(make_seller, monkeypatch):
    for name in (*ENVIRONMENT, "FACTURIER_PA_CODE"):
        monkeypatch.delenv(name, raising=False)
    seller = make_seller()
    issue(seller, date(2026, 10, 5), [("36.00", "20")])
    return seller


def test_without_environment_the_builtin_simulator_receives_the_demo_reports(demo_seller, monkeypatch):
    monkeypatch.setattr(pa_demo, "SIMULATOR_PORT", 0)
    lines = []
    simulator = pa_demo.start_demo_pa(demo_seller, lines.append)
    try:
        profile = ReformProfile.objects.get(seller=demo_seller)
        assert (profile.established_in_france, profile.start, profile.pa_code) == (True, date(2026, 9, 1), "9999")
        report = EReport.objects.get(seller=demo_seller)
        assert (report.period_start, report.status) == (date(2026, 10, 1), EReport.STATUS_SENT)
        [flow] = simulator.flows()
        assert flow.content == report.xml.encode()
        assert lines == [f"PA simulator (AFNOR Flow Service): {simulator.base_url}",
                         "E-reporting: 1 reports built, 1 sent to the PA"]
    finally:
        simulator.stop()


def test_the_environment_names_the_pa(demo_seller, monkeypatch):
    with PASimulator() as external:
        credentials = external.credentials()
        for name, key in zip(ENVIRONMENT, ("flow_url", "token_url", "client_id", "client_secret"), strict=True):
            monkeypatch.setenv(name, credentials[key])
        monkeypatch.setenv("FACTURIER_PA_CODE", "0042")

        assert pa_demo.start_demo_pa(demo_seller, lambda _line: None) is None

        assert PAConnection.objects.get(seller=demo_seller).flow_url == external.base_url
        assert len(external.flows()) == 1
        assert ReformProfile.objects.get(seller=demo_seller).pa_code == "0042"
