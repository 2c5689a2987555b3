"""The e-mail telling a seller its marketplace credentials were refused is written in the language the seller chose
in the portal (User.preferred_language), as received by the SMTP server."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_noop

from facturier.accounts.models import MarketplaceConnection
from facturier.accounts.samples import connection_fields
from facturier.core.stored_text import message
from facturier.outbox import services
from facturier.outbox.tests.fixtures import plain_text
from facturier.sales import connection_status

DETAIL = "Octopia refused the API credentials of client 'client-98979' (HTTP 401)"
REFUSED = message(gettext_noop("Identifiants refusés par la marketplace : %(detail)s"), detail=DETAIL)


def rejection_received(seller, smtp_server, settings):
    settings.SITE_URL = "https://app.facturier.example"
    connection = MarketplaceConnection.objects.create(
        seller=seller, **connection_fields({"seller_id": "98979", "client_id": "client-98979", "client_secret": "s"})
    )
    connection_status.mark_rejected(connection, REFUSED)
    services.deliver_due()
    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert received.rcpt_tos == ("contact@ma-boutique.example",)
    return received.message


@pytest.mark.django_db
def test_a_seller_who_chose_english_is_told_in_english(outbox_seller, smtp_server, settings):
    outbox_seller.owner.preferred_language = "en"
    outbox_seller.owner.save(update_fields=["preferred_language"])

    email = rejection_received(outbox_seller, smtp_server, settings)

    assert str(email["Subject"]).lstrip() == "Facturier: your Cdiscount credentials were refused"
    assert plain_text(email) == (
        "Hello,\n\n"
        "The marketplace refused the API credentials saved for Ma Boutique:\n"
        f"Credentials refused by the marketplace: {DETAIL}\n\n"
        "Until they are corrected, Facturier can no longer fetch your orders or issue your invoices.\n"
        "Update them in your settings: https://app.facturier.example/marketplace/\n\n"
        "The Facturier team\n"
    )
    html = email.get_body(("html",)).get_content()
    assert '<html lang="en">' in html
    assert "The marketplace refused the API credentials saved for <strong>Ma Boutique</strong>:" in html
    assert '<a href="https://app.facturier.example/marketplace/">Update my credentials</a>' in html


@pytest.mark.django_db
def test_a_seller_who_kept_french_is_told_in_french(outbox_seller, smtp_server, settings):
    email = rejection_received(outbox_seller, smtp_server, settings)

    assert str(email["Subject"]).lstrip() == "Facturier : vos identifiants Cdiscount ont été refusés"
    assert plain_text(email) == (
        "Bonjour,\n\n"
        "La marketplace a refusé les identifiants d'API enregistrés pour Ma Boutique :\n"
        f"Identifiants refusés par la marketplace : {DETAIL}\n\n"
        "Tant qu'ils ne sont pas corrigés, Facturier ne peut plus récupérer vos commandes ni émettre vos factures.\n"
        "Mettez-les à jour dans vos paramètres : https://app.facturier.example/marketplace/\n\n"
        "L'équipe Facturier\n"
    )
    assert '<html lang="fr">' in email.get_body(("html",)).get_content()
