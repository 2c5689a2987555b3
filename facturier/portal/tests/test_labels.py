"""Data labels follow the page's language (statuses, triggers, the country chooser), dates have one format per
language, and what is stored stays the code."""

from __future__ import annotations

from datetime import datetime

import pytest

from facturier.core.clock import PARIS
from facturier.portal.tests.helpers import logged_in
from facturier.portal.tests.test_i18n import switched_to
from facturier.sales.models import SyncRun

STARTED = datetime(2026, 12, 3, 19, 0, tzinfo=PARIS)


@pytest.fixture
def runs(seller_a):
    SyncRun.objects.create(seller=seller_a, trigger="manual", status=SyncRun.SUCCEEDED, started_at=STARTED)
    SyncRun.objects.create(seller=seller_a, trigger="start", status=SyncRun.FAILED, started_at=STARTED.replace(hour=7))
    SyncRun.objects.create(seller=seller_a, trigger="webhook", status=SyncRun.INTERRUPTED,
                           started_at=STARTED.replace(hour=6))
    return seller_a


def cells(html: str, label: str) -> list[str]:
    marker = f'<td data-label="{label}"'
    return [part.split(">", 1)[1].split("</td>", 1)[0] for part in html.split(marker)[1:]]


@pytest.mark.django_db
def test_sync_runs_show_triggers_and_statuses_as_words_in_french(runs):
    html = logged_in(runs).get("/synchronisations/").content.decode()
    assert cells(html, "Déclenchement") == ["Manuelle", "Au démarrage", "webhook"]
    assert cells(html, "Résultat") == ["Réussie", "Échouée", "Interrompue"]
    assert cells(html, "Début") == ["3 décembre 2026 à 19:00", "3 décembre 2026 à 07:00",
                                    "3 décembre 2026 à 06:00"]


@pytest.mark.django_db
def test_sync_runs_in_english(runs):
    html = switched_to(logged_in(runs), "en", "/synchronisations/").get("/synchronisations/").content.decode()
    assert cells(html, "Trigger") == ["Manual", "At start-up", "webhook"]
    assert cells(html, "Result") == ["Succeeded", "Failed", "Interrupted"]
    assert cells(html, "Start") == ["3 December 2026, 19:00", "3 December 2026, 07:00", "3 December 2026, 06:00"]
    assert list(SyncRun.objects.order_by("-started_at").values_list("trigger", "status")) == [
        ("manual", "succeeded"), ("start", "failed"), ("webhook", "interrupted")]


@pytest.mark.django_db
def test_the_country_is_chosen_among_eu_countries_named_in_the_page_language(seller_a):
    client = logged_in(seller_a)
    french = client.get("/inscription/entreprise/").context["form"]["country"]
    choices = list(french.field.widget.choices)
    assert len(choices) == 28
    assert choices[:3] == [("", "—"), ("DE", "Allemagne"), ("AT", "Autriche")]
    assert ("US", "États-Unis") not in choices
    assert '<option value="FR" selected>France</option>' in str(french)
    english = switched_to(client, "en", "/inscription/entreprise/").get("/inscription/entreprise/")
    assert list(english.context["form"]["country"].field.widget.choices)[:3] == [
        ("", "—"), ("AT", "Austria"), ("BE", "Belgium")]
