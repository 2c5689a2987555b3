from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from facturier.ereporting.flux10 import validate
from facturier.ereporting.tests.documents import issue, reform_seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_seller):
    seller = reform_seller(make_seller, email="fr@example.com")
    issue(seller, date(2026, 11, 3), [("59.99", "20"), ("24.00", "5.5")])
    return seller


def test_build_writes_the_checked_report(seller, tmp_path, capsys):
    output = tmp_path / "nov.xml"
    call_command("ereporting", "build", "--seller", "fr@example.com", "--from", "2026-11-01", "--to", "2026-11-30",
                 "--output", str(output))
    assert validate(output.read_bytes()) == []
    assert capsys.readouterr().out == (
        "TX-123456782-20261101-20261130-01 (IN) : base 72.74 €, TVA 11.25 €, conforme XSD et schematron Flux10 -> "
        f"{output}\n"
    )


def test_build_refuses_dates_that_are_not_a_period_of_the_regime(seller, tmp_path):
    with pytest.raises(CommandError, match="Période 2026-11-01 – 2026-11-15 invalide pour votre régime de TVA"):
        call_command("ereporting", "build", "--seller", "fr@example.com", "--from", "2026-11-01",
                     "--to", "2026-11-15", "--output", str(tmp_path / "x.xml"))


def test_send_deposits_to_the_pa(seller, pa_simulator, connect_pa, capsys):
    connect_pa(seller, pa_simulator)
    call_command("ereporting", "send", "--seller", "fr@example.com", "--from", "2026-11-01", "--to", "2026-11-30")
    assert capsys.readouterr().out == "TX-123456782-20261101-20261130-01 (IN) : Accepté par la PA\n"
    assert len(pa_simulator.flows()) == 1
