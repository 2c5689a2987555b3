"""The portal in English: the language switch, French by default, and a complete, compiled English catalogue."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from facturier.accounts.models import Seller
from facturier.portal.tests.helpers import issue, logged_in

CATALOGUE = Path(settings.BASE_DIR) / "facturier" / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def switched_to(client: Client, language: str, next_url: str = "/") -> Client:
    response = client.post("/langue/", {"language": language, "next": next_url})
    assert (response.status_code, response["Location"]) == (302, next_url)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_shown(html: str, shown: list[str], hidden: list[str]) -> None:
    assert [text for text in shown if text not in html] == []
    assert [text for text in hidden if text in html] == []


@pytest.mark.django_db
def test_a_seller_who_switches_to_english_sees_the_dashboard_in_english(seller_a):
    html = page(switched_to(logged_in(seller_a), "en"), "/")
    assert '<html lang="en">' in html
    assert_shown(
        html,
        [
            "<title>Dashboard · Facturier</title>",
            ">Invoices issued this month<",
            ">This month's tier<",
            "€9.99 excl. VAT projected",
            ">Last synchronisation<",
            ">Next synchronisation<",
            ">Needs attention<",
            ">Nothing to report.<",
            ">Uninvoiced orders<",
            ">Subscription<",
            ">Log out<",
        ],
        [
            "Tableau de bord",
            "Factures émises ce mois-ci",
            "Palier du mois",
            "HT prévus",
            "Dernière synchronisation",
            "À surveiller",
            "Rien à signaler",
            "Commandes non facturées",
            "Déconnexion",
        ],
    )


@pytest.mark.django_db
def test_the_invoice_list_and_detail_are_in_english(seller_a):
    invoice = issue(seller_a)
    client = switched_to(logged_in(seller_a), "en", "/factures/")
    assert_shown(
        page(client, "/factures/"),
        [
            ">Invoices and credit notes<",
            ">Filter<",
            ">Download all (ZIP)<",
            ">Lines for the accountant (CSV)<",
            '<th scope="col">Number</th>',
            '<th scope="col">Order</th>',
            '<th scope="col">Buyer</th>',
            '<th scope="col" class="num">Total incl. VAT</th>',
            ">Download selection (ZIP)<",
            "Search",
        ],
        ["Factures et avoirs", "Filtrer", "Télécharger", "Lignes pour le comptable", "Acheteur", "Total TTC"],
    )
    assert_shown(
        page(client, f"/factures/{invoice.pk}/"),
        [
            f"<h1>Invoice {invoice.number}</h1>",
            "<dt>Issued on</dt>",
            '<th class="num">Unit price excl. VAT</th>',
            '<th colspan="5">Total excl. VAT</th>',
            ">Download the PDF<",
            ">Email to the buyer<",
            "Status:",
            ">Resend the email<",
        ],
        ["Émise le", "PU HT", "Total HT", "Télécharger le PDF", "Renvoyer l&#x27;e-mail", "État"],
    )


@pytest.mark.django_db
def test_settings_page_form_errors_and_messages_are_in_english(seller_a):
    client = switched_to(logged_in(seller_a), "en", "/reglages/")
    assert_shown(
        page(client, "/reglages/"),
        [
            "<h1>Settings</h1>",
            ">Invoice number prefix:<",
            ">Credit note number prefix:<",
            ">Default VAT rate:<",
            ">Add an English translation to invoices:<",
            ">Save<",
            ">Unsubscribe<",
            ">Two-factor authentication<",
        ],
        ["Réglages", "Préfixe de numérotation", "Taux de TVA par défaut", "Enregistrer", "Désinscription"],
    )
    same_prefix = {"invoice_prefix": "F-", "credit_note_prefix": "F-", "default_vat_rate": "20", "support_email": ""}
    response = client.post("/reglages/", same_prefix)
    assert response.context["form"].errors["credit_note_prefix"] == [
        "Credit notes must have a different prefix from invoices."
    ]
    saved = client.post("/reglages/", {**same_prefix, "credit_note_prefix": "A-"}, follow=True)
    assert [str(message) for message in saved.context["messages"]] == ["Settings saved."]
    assert Seller.objects.get(pk=seller_a.pk).credit_note_prefix == "A-"


@pytest.mark.django_db
def test_a_new_visitor_gets_french_and_can_switch_both_ways():
    client = Client()
    html = page(client, "/connexion/")
    assert '<html lang="fr">' in html
    assert_shown(html, [">Se connecter<", "Mot de passe oublié ?", "Adresse e-mail"], ["Log in", "Password"])
    english = page(switched_to(client, "en", "/connexion/"), "/connexion/")
    assert_shown(
        english,
        ['<html lang="en">', ">Log in<", "Forgot your password?", "Email address"],
        ["Se connecter", "Mot de passe"],
    )
    french = page(switched_to(client, "fr", "/connexion/"), "/connexion/")
    assert_shown(french, ['<html lang="fr">', ">Se connecter<"], [">Log in<"])


@pytest.mark.django_db
def test_a_logged_in_seller_who_never_switched_sees_french(seller_a):
    html = page(logged_in(seller_a), "/")
    assert_shown(
        html,
        ['<html lang="fr">', "<title>Tableau de bord · Facturier</title>", ">Factures émises ce mois-ci<"],
        ["Dashboard", "Invoices issued this month"],
    )


@pytest.mark.django_db
def test_a_browser_asking_for_english_gets_english_without_switching():
    html = page(Client(headers={"accept-language": "en-GB,en;q=0.9"}), "/connexion/")
    assert_shown(html, ['<html lang="en">', ">Log in<"], ["Se connecter"])


def english_catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def test_every_english_entry_is_translated_and_not_fuzzy():
    catalogue = english_catalogue()
    assert catalogue.metadata["Language"] == "en"
    assert not catalogue.metadata_is_fuzzy
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def test_translations_keep_every_placeholder():
    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    def translations(entry) -> list[str]:
        return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]

    mismatched = [
        entry.msgid for entry in english_catalogue()
        if any(placeholders(text) != placeholders(entry.msgid_plural or entry.msgid) for text in translations(entry))
    ]  # fmt: skip
    assert mismatched == []


def test_the_compiled_catalogue_is_built_from_the_current_po():
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(CATALOGUE / "django.mo"))}
    source = {entry.msgid: entry.msgstr for entry in english_catalogue().translated_entries()}
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext's xgettext")
def test_the_catalogue_lists_every_translatable_string_of_the_code(tmp_path, monkeypatch):
    """A string wrapped for translation after the last makemessages would show in French on English pages."""
    sources = tmp_path / "src"
    shutil.copytree(
        Path(settings.BASE_DIR) / "facturier",
        sources / "facturier",
        ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc", "*.mo"),
    )
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
        call_command("makemessages", locale=["en"], keep_pot=True, verbosity=0)
    extracted = {entry.msgid for entry in polib.pofile(str(tmp_path / "locale" / "django.pot"))}
    assert {entry.msgid for entry in english_catalogue()} == extracted
