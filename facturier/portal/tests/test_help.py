"""Every page says where to get help: the support address and, when configured, the help centre."""

from __future__ import annotations

import pytest
from django.test import Client

from facturier.portal.tests.helpers import logged_in

FOOTER = '<a href="mailto:aide@vendeurs.example">Écrivez-nous (aide@vendeurs.example)</a>'


@pytest.fixture
def support(settings):
    settings.FACTURIER_SUPPORT = {"email": "aide@vendeurs.example", "help_url": "https://aide.vendeurs.example/"}


@pytest.mark.django_db
@pytest.mark.usefixtures("support")
def test_the_seller_pages_and_the_public_ones_show_the_configured_help(seller_a):
    dashboard = logged_in(seller_a).get("/").content.decode()
    login = Client().get("/connexion/").content.decode()
    missing = Client().get("/pas-de-page-ici/").content.decode()

    for page in (dashboard, login, missing):
        assert FOOTER in page
        assert '<a href="https://aide.vendeurs.example/">Centre d\'aide</a>' in page


@pytest.mark.django_db
def test_without_a_help_centre_only_the_address_is_shown(seller_a, settings):
    settings.FACTURIER_SUPPORT = {"email": "aide@vendeurs.example", "help_url": ""}
    page = logged_in(seller_a).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Centre d'aide" not in page and "Help centre" not in page
    assert "aide@vendeurs.example" in page
