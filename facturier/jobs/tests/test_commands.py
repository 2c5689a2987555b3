"""The thin commands and the one beat schedule."""

from __future__ import annotations

import io

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from config.celery import sync_schedule
from facturier.accounts.models import MarketplaceConnection


def test_the_sync_runs_at_the_configured_paris_times():
    schedule = sync_schedule(["07:00", "19:30"])

    assert sorted(schedule) == ["sync-all-sellers-07:00", "sync-all-sellers-19:30"]
    assert schedule["sync-all-sellers-07:00"]["schedule"] == crontab(hour=7, minute=0)
    assert schedule["sync-all-sellers-19:30"]["schedule"] == crontab(hour=19, minute=30)
    assert {entry["task"] for entry in schedule.values()} == {"facturier.jobs.tasks.sync_all_sellers_task"}


@pytest.mark.django_db
def test_test_connection_reports_good_credentials(start_simulator, connect_to_simulator):
    seller = connect_to_simulator(start_simulator(seed=1, orders=3))
    output = io.StringIO()

    call_command("test_connection", seller=seller.owner.email, stdout=output)

    expected = f"{seller.legal_name} — Cdiscount 98979: Connexion à Cdiscount réussie (commandes visibles : 3).\n"
    assert output.getvalue() == expected
    assert MarketplaceConnection.objects.get(seller=seller).status == MarketplaceConnection.STATUS_OK


@pytest.mark.django_db
def test_test_connection_fails_clearly_on_rejected_credentials(start_simulator, connect_to_simulator):
    seller = connect_to_simulator(start_simulator(seed=1, orders=3))
    connection = seller.connections.get()
    connection.credentials = {**connection.credentials, "client_secret": "wrong"}
    connection.save()

    with pytest.raises(CommandError, match=f"{seller.legal_name} — Cdiscount 98979: Cdiscount refuse ces identifiants"):
        call_command("test_connection", seller=str(seller.pk), stdout=io.StringIO())
    assert MarketplaceConnection.objects.get(seller=seller).status == MarketplaceConnection.STATUS_REJECTED


@pytest.mark.django_db
def test_sync_command_names_an_unknown_seller():
    with pytest.raises(CommandError, match="No seller matches 'nobody@example.com'"):
        call_command("sync", seller="nobody@example.com")
