"""One marketplace account belongs to one active seller at most: the database refuses a second link, the portal
says why, and the operator sees the attempt (a warning log line and a record in the admin)."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from facturier.accounts.models import MarketplaceConnection, MarketplaceLinkRefusal, User
from facturier.billing import lifecycle
from facturier.portal.tests.helpers import logged_in

SHOP = {"marketplace": "octopia", "account_id": "98979",
        "credentials": {"client_id": "client-a", "client_secret": "secret-a"}}
ALREADY_LINKED = ("Ce compte Cdiscount est déjà relié à un autre compte Facturier. Un même compte ne peut être "
                  "relié qu'une fois (sinon ses acheteurs recevraient deux factures) : écrivez-nous si c'est bien "
                  "le vôtre.")


@pytest.fixture
def shop_owner(make_seller):
    return make_seller(legal_name="Première Boutique SAS", connection=SHOP)


def link(seller, seller_id: str = " 98979 "):
    client = logged_in(seller)
    return client.post("/marketplace/", {"marketplace": "octopia", "client_id": "client-b",
                                         "client_secret": "secret-b", "account_id": seller_id},
                       REMOTE_ADDR="10.7.0.1")


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_seller_on_one_account(shop_owner, seller_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketplaceConnection.objects.create(seller=seller_b, **{**SHOP, "credentials": {"client_id": "other"}})
    assert MarketplaceConnection.objects.filter(seller=seller_b).count() == 0


@pytest.mark.django_db
def test_the_portal_refuses_the_second_link_and_the_operator_sees_it(shop_owner, seller_b, caplog):
    with caplog.at_level(logging.WARNING, logger="facturier.accounts.links"):
        response = link(seller_b)
    assert response.status_code == 200
    assert response.context["form"].errors["account_id"] == [ALREADY_LINKED]
    assert not MarketplaceConnection.objects.filter(seller=seller_b).exists()
    refusal = MarketplaceLinkRefusal.objects.get()
    assert (refusal.seller, refusal.holder, refusal.marketplace, refusal.ip_address) == (
        seller_b, shop_owner, "octopia", "10.7.0.1")
    assert [(record.levelname, record.getMessage(), record.seller_id, record.holder_seller_id)
            for record in caplog.records] == [
        ("WARNING", "marketplace account already linked to another active seller: link refused", seller_b.pk,
         shop_owner.pk)]
    operator = Client()
    operator.force_login(User.objects.create_superuser("ops@example.com", "un-mot-de-passe-long"))
    listing = operator.get("/admin/accounts/marketplacelinkrefusal/").content.decode()
    assert "Beta Boutique SARL" in listing and "Première Boutique SAS" in listing


@pytest.mark.django_db
def test_another_account_and_an_unsubscribed_holder_do_not_block(shop_owner, seller_b):
    assert link(seller_b, "12345").status_code == 302
    lifecycle.unsubscribe(shop_owner)
    assert link(seller_b).status_code == 302
    assert sorted(MarketplaceConnection.objects.filter(seller=seller_b).values_list("account_id", "holds_account")) == [
        ("12345", True), ("98979", True)]
    assert MarketplaceLinkRefusal.objects.count() == 0
