"""Search finds any part of the number, order reference, buyer name or e-mail, SKU or line title, whatever the
case and accents, through the folded search column filled when the invoice is issued; never another seller's."""

from __future__ import annotations

import pytest

from facturier.core.folding import fold, search_text
from facturier.invoicing.finder import InvoiceFilters, keyset_page, search
from facturier.portal.tests.helpers import issue


def found(seller, query: str) -> list[int]:
    return [row.pk for row in keyset_page(search(seller, InvoiceFilters(query=query)), "", 50).rows]


def test_fold_drops_case_accents_and_ligatures():
    assert fold("  Zoé  LEFÈVRE-Œuvray Straße ") == "zoe lefevre-oeuvray strasse"
    assert search_text(["Zoé", "", "zoe", "BOOK-1"]) == "zoe | book-1"


@pytest.mark.django_db
def test_any_part_of_a_field_whatever_the_case_and_accents(seller_a, seller_b):
    zoe = issue(seller_a, render=False, buyer=("Zoé", "Dupont-Lefèvre"), email="zoe.dupont@example.org")
    paul = issue(seller_a, render=False, buyer=("Paul", "Durand"), email="paul@example.org")
    other = issue(seller_b, render=False, buyer=("Zoé", "Dupont"), email="zoe@example.org")
    assert zoe.search_text.startswith(fold(zoe.number))
    cases = {
        "upon": [zoe.pk],  # inside the last name
        "LEFEVRE": [zoe.pk],  # capitals, without the accent
        "zoe": [zoe.pk],
        "ZOÉ DUPONT": [zoe.pk],
        "e.dupont@exa": [zoe.pk],  # inside the e-mail
        "durand": [paul.pk],
        zoe.order_reference[4:]: [zoe.pk],  # inside the order reference
        zoe.number[-5:]: [zoe.pk],  # the end of the number
        "cafe-01": [paul.pk, zoe.pk],  # inside the SKU (STD-CAFE-014)
        "italienne inox": [paul.pk, zoe.pk],  # the line title
        "CAFETIERE": [paul.pk, zoe.pk],
        "nobody": [],
    }
    for query, expected in cases.items():
        assert found(seller_a, query) == expected, query
    assert found(seller_b, "upon") == [other.pk]
