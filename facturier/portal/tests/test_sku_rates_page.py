"""The SKU rates import page says what is wrong with each line in the language of the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from facturier.portal.tests.helpers import logged_in
from facturier.portal.tests.test_i18n import switched_to

CSV = b"sku;taux\nLIVRE-1;5,5\nJEU-2;7\n"


def upload(client):
    return client.post("/reglages/taux-sku/", {"file": SimpleUploadedFile("taux.csv", CSV, "text/csv")})


@pytest.mark.django_db
def test_an_english_page_lists_the_skipped_lines_in_english(seller_a):
    html = upload(switched_to(logged_in(seller_a), "en", "/reglages/taux-sku/")).content.decode()
    assert "<li>line 3: rate 7 not allowed (20, 10, 5.5 or 2.1).</li>" in html
    assert "non autorisé" not in html
    assert list(seller_a.sku_rates.values_list("key", "rate")) == [("LIVRE-1", Decimal("5.5"))]


@pytest.mark.django_db
def test_a_french_page_lists_them_in_french(seller_a):
    html = upload(logged_in(seller_a)).content.decode()
    assert "<li>ligne 3 : taux 7 non autorisé (20, 10, 5,5 ou 2,1).</li>" in html
