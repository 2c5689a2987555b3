"""What a new English- or French-speaking seller reads (issue #18): each language's colon, one money format per
language, counts with their plural, a failed e-mail without an address, and the chosen language kept on the account
for the e-mails Facturier sends to the seller."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils.translation import gettext_noop

from facturier.accounts.models import User
from facturier.core.stored_text import message, stored
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import issue, logged_in
from facturier.portal.tests.test_i18n import switched_to
from facturier.sales.models import SalesOrder, SyncRun

NBSP = "\u00a0"
CHANNEL_REASON = message(
    gettext_noop(
        "Vendue sur le canal %(channel)s : seules les commandes passées sur %(marketplace)s même sont facturées. "
        "Pour facturer ce canal, ajoutez « %(id)s » à « Autres canaux de vente à facturer » dans Réglages."
    ),
    channel="Boutique partenaire (PARTNER)", marketplace="Octopia", id="PARTNER",
)  # fmt: skip


def in_both_languages(seller, url: str) -> tuple[str, str]:
    """The page as a French and as an English seller read it (entities unescaped)."""
    french = logged_in(seller).get(url)
    english = switched_to(logged_in(seller), "en", url).get(url)
    assert (french.status_code, english.status_code) == (200, 200), url
    return html.unescape(french.content.decode()), html.unescape(english.content.decode())


def not_invoiced(seller, order_id: str, eligibility: str, reason) -> SalesOrder:
    return SalesOrder.objects.create(
        seller=seller, order_id=order_id, eligibility=eligibility, reason=stored(reason), buyer_name="Jeanne Martin",
        search_text=order_id.lower(),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_reason_follows_its_label_after_the_colon_of_the_page_language(seller_a):
    channel = not_invoiced(seller_a, "2612010000CHAN", SalesOrder.OTHER_CHANNEL, CHANNEL_REASON)
    french, english = in_both_languages(seller_a, "/")
    link = f'<a href="/commandes/{channel.pk}/"><code>2612010000CHAN</code></a> — '
    assert (
        f"{link}Vendue hors du site de la marketplace{NBSP}: Vendue sur le canal Boutique partenaire (PARTNER) : "
        "seules les commandes passées sur Octopia même sont facturées." in french
    )
    assert (
        f"{link}Sold outside the marketplace's own site: Sold on the Boutique partenaire (PARTNER) channel: only "
        "orders placed on Octopia itself are invoiced." in english
    )
    assert " : " not in english.split('id="orders-needing-action"')[1].split("</ul>")[0]

    not_invoiced(
        seller_a,
        "2612010000SHIP",
        SalesOrder.NOT_SHIPPED,
        message(gettext_noop("Pas encore expédiée (statut %(status)s)."), status="WaitingForShipment"),
    )
    french, english = in_both_languages(seller_a, f"{reverse('portal:invoice_list')}?q=2612010000SHIP")
    assert f"Jeanne Martin — Pas encore expédiée{NBSP}: Pas encore expédiée (statut WaitingForShipment).</li>" in french
    assert "Jeanne Martin — Not shipped yet: Not shipped yet (status WaitingForShipment).</li>" in english


@pytest.mark.django_db
def test_amounts_read_in_the_money_format_of_the_page_language(seller_a):
    invoice = issue(seller_a)
    french, english = in_both_languages(seller_a, reverse("portal:invoice_detail", args=[invoice.pk]))
    assert f'<td class="num" id="total-gross"><strong>28,80{NBSP}€</strong></td>' in french
    assert f'<td class="num" id="total-net">24,00{NBSP}€</td>' in french
    assert '<td class="num" id="total-gross"><strong>€28.80</strong></td>' in english
    assert '<td class="num" id="total-net">€24.00</td>' in english
    assert " €" not in english and "28.80 €" not in english

    french, english = in_both_languages(seller_a, reverse("portal:invoice_list"))
    assert f'<td data-label="Total TTC" class="num">28,80{NBSP}€</td>' in french
    assert '<td data-label="Total incl. VAT" class="num">€28.80</td>' in english

    french, english = in_both_languages(seller_a, "/")
    assert f"— Jeanne Martin — 28,80{NBSP}€</li>" in french
    assert "— Jeanne Martin — €28.80</li>" in english
    assert f"9,99{NBSP}€ HT prévus" in french and "€9.99 excl. VAT projected" in english

    french, english = in_both_languages(seller_a, reverse("portal:order_detail", args=[invoice.order_id]))
    assert f"<dt>Total payé</dt><dd>28,80{NBSP}€</dd>" in french
    assert "<dt>Total paid</dt><dd>€28.80</dd>" in english


@pytest.mark.django_db
def test_the_live_sync_progress_counts_with_their_plural_in_both_languages(seller_a):
    run = SyncRun.objects.create(seller=seller_a, trigger="manual", status=SyncRun.SUCCEEDED, orders_seen=1,
                                 invoices_issued=1)  # fmt: skip
    french = logged_in(seller_a).get(reverse("portal:sync_status")).json()
    english = switched_to(logged_in(seller_a), "en").get(reverse("portal:sync_status")).json()
    assert (french["id"], french["progress"]) == (run.pk, "1 commande lue, 1 facture émise, 0 e-mails envoyés")
    assert english["progress"] == "1 order read, 1 invoice issued, 0 e-mails sent"

    SyncRun.objects.filter(pk=run.pk).update(orders_seen=3, invoices_issued=2)
    french = logged_in(seller_a).get(reverse("portal:sync_status")).json()
    english = switched_to(logged_in(seller_a), "en").get(reverse("portal:sync_status")).json()
    assert french["progress"] == "3 commandes lues, 2 factures émises, 0 e-mails envoyés"
    assert english["progress"] == "3 orders read, 2 invoices issued, 0 e-mails sent"


@pytest.mark.django_db
def test_a_failed_email_without_an_address_says_so_with_the_link_to_enter_it(seller_a):
    invoice = issue(seller_a, email="")
    email = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}")
    assert (email.to, email.state) == ("", OutgoingEmail.STATE_FAILED)

    french, english = in_both_languages(seller_a, "/")
    fix = f'<a href="/factures/{invoice.pk}/#resend" class="fix-address">'
    assert (f"<li>{email.subject} → aucune adresse e-mail sur la commande {fix}Saisir l'adresse de l'acheteur</a>"
            "</li>") in french  # fmt: skip
    assert f"<li>{email.subject} → no email address on the order {fix}Enter the buyer's address</a></li>" in english
    assert "→ ?" not in french + english


@pytest.mark.django_db
def test_a_failed_email_with_an_address_names_it_before_the_reason(seller_a):
    invoice = issue(seller_a)
    email = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}")
    failure = stored(message(gettext_noop("destinataire refusé : %(detail)s"), detail="550 5.1.1 mailbox unknown"))
    OutgoingEmail.objects.filter(pk=email.pk).update(state=OutgoingEmail.STATE_FAILED, last_error=failure)
    french, english = in_both_languages(seller_a, "/")
    assert f"<li>{email.subject} → {email.to}{NBSP}: destinataire refusé : 550 5.1.1 mailbox unknown</li>" in french
    assert f"<li>{email.subject} → {email.to}: recipient refused: 550 5.1.1 mailbox unknown</li>" in english


@pytest.mark.django_db
def test_the_language_chosen_in_the_portal_is_kept_on_the_account(seller_a):
    client = switched_to(logged_in(seller_a), "en")
    assert User.objects.get(pk=seller_a.owner_id).preferred_language == "en"
    switched_to(client, "fr")
    assert User.objects.get(pk=seller_a.owner_id).preferred_language == "fr"
