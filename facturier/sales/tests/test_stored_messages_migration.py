"""Migration sales 0013 rewrites the French texts stored before messages as messages when it knows their wording;
what it does not know stays as it was."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from facturier.accounts.models import MarketplaceConnection
from facturier.core.stored_text import ENCODED_PREFIXES, render
from facturier.sales.models import SalesOrder, SyncRun

migration = importlib.import_module("facturier.sales.migrations.0013_reasons_and_run_messages_as_messages")

OLD_REASONS = {
    "A": ("Passée le 05/10/2026 à 10:15, avant le début de la reprise (01/11/2026 à 10:30).",
          "Passée le 5 octobre 2026 à 10:15, avant le début de la reprise (1 novembre 2026 à 10:30).",
          "Placed on 5 October 2026, 10:15, before the start of the backfill (1 November 2026, 10:30)."),
    "B": ("Livrée hors de France (pays inconnu).", "Livrée hors de France (pays inconnu).",
          "Delivered outside France (unknown country)."),
    "C": ("Pas encore expédiée (statut WaitingAcceptance).", "Pas encore expédiée (statut WaitingAcceptance).",
          "Not shipped yet (status WaitingAcceptance)."),
    "D": ("Toutes les lignes ont été annulées avant expédition.",
          "Toutes les lignes ont été annulées avant expédition.", "Every line was cancelled before shipment."),
    "F": ("La facture n'a pas pu être établie : erreur interne « boom ». Elle sera tentée à nouveau dès que la "
          "marketplace enverra d'autres données pour cette commande.",
          "La facture n'a pas pu être établie : erreur interne « boom ». Elle sera tentée à nouveau dès que la "
          "marketplace enverra d'autres données pour cette commande.",
          "The invoice could not be worked out: internal error “boom”. It will be tried again as soon as the "
          "marketplace sends other data for this order."),
    "E": ("Une raison que personne ne connaît.", "Une raison que personne ne connaît.",
          "Une raison que personne ne connaît."),
}  # fmt: skip


def shown(text: str) -> tuple[str, str]:
    with translation.override("fr"):
        french = render(text)
    with translation.override("en"):
        return french, render(text)


@pytest.mark.django_db
def test_known_old_wordings_become_messages_and_the_others_stay_as_they_were(seller_a):
    for key, (old, _french, _english) in OLD_REASONS.items():
        SalesOrder.objects.create(seller=seller_a, order_id=key, eligibility=SalesOrder.INVALID, reason=old)
    run = SyncRun.objects.create(seller=seller_a, status=SyncRun.FAILED, message="\n".join([
        "Cdiscount 98979 : Identifiants refusés par la marketplace : Octopia refused the API credentials (HTTP 401)",
        migration.INTERRUPTED, "RuntimeError : boom"]))  # fmt: skip
    refused = MarketplaceConnection.objects.create(
        seller=seller_a, marketplace="octopia", account_id="98979", credentials={},
        status=MarketplaceConnection.STATUS_REJECTED, status_message="Octopia refused the API credentials (HTTP 401)",
    )  # fmt: skip

    migration.forwards(apps, None)

    for key, (_old, french, english) in OLD_REASONS.items():
        stored = SalesOrder.objects.get(order_id=key).reason
        assert shown(stored) == (french, english), key
        assert stored.startswith(ENCODED_PREFIXES) == (key != "E")
    assert shown(SyncRun.objects.get(pk=run.pk).message)[1] == (
        "Cdiscount 98979: Credentials refused by the marketplace: Octopia refused the API credentials (HTTP 401)\n"
        "Interrupted: the processing stopped before it finished (process stopped or lost). A new synchronisation "
        "picks up where it left off.\nRuntimeError : boom"
    )
    assert shown(MarketplaceConnection.objects.get(pk=refused.pk).status_message) == (
        "Identifiants refusés par la marketplace : Octopia refused the API credentials (HTTP 401)",
        "Credentials refused by the marketplace: Octopia refused the API credentials (HTTP 401)",
    )
    migration.forwards(apps, None)  # run twice: the messages are left as they are
    assert shown(SalesOrder.objects.get(order_id="A").reason)[0] == OLD_REASONS["A"][1]
