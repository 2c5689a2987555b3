"""Security of the web surface: headers (CSP, no caching of documents), password-reset throttling, sign-up that
never tells whether an account exists."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from facturier.accounts.models import ApiToken, User
from facturier.core.security_headers import CONTENT_SECURITY_POLICY
from facturier.portal.tests.helpers import issue, logged_in
from facturier.portal.views.account import create_token

STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
              "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
              "frame-ancestors 'none'")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(seller_a):
    assert CONTENT_SECURITY_POLICY == STRICT_CSP
    assert Client().get("/connexion/")["Content-Security-Policy"] == STRICT_CSP
    assert logged_in(seller_a).get("/")["Content-Security-Policy"] == STRICT_CSP
    assert Client().get("/connexion/")["X-Frame-Options"] == "DENY"


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_documents_csv_and_zip_are_never_cached(seller_a):
    invoice = issue(seller_a)
    portal = logged_in(seller_a)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(seller_a, 'test')}")
    responses = {
        "portal pdf": portal.get(f"/factures/{invoice.pk}/pdf/"),
        "portal download": portal.get(f"/factures/{invoice.pk}/telecharger/"),
        "portal lines csv": portal.get("/factures/lignes.csv"),
        "portal zip": portal.get("/factures/archive.zip"),
        "portal full export": portal.get("/compte/export.zip"),
        "api pdf": api.get(f"/api/v1/invoices/{invoice.pk}/pdf", HTTP_ACCEPT="application/pdf"),
        "api zip": api.get("/api/v1/invoices/archive.zip", HTTP_ACCEPT="application/zip"),
    }
    assert ApiToken.objects.filter(seller=seller_a).count() == 1
    assert {name: (response.status_code, response["Cache-Control"]) for name, response in responses.items()} == {
        name: (200, "private, no-store") for name in responses}
    for response in responses.values():
        streamed(response)  # close the files
    assert "Content-Security-Policy" not in responses["portal pdf"]
    assert responses["portal pdf"]["X-Frame-Options"] == "SAMEORIGIN"  # shown in the invoice's page


def reset_request(client: Client, email: str):
    return client.post("/mot-de-passe/", {"email": email})


@pytest.mark.django_db
def test_password_reset_mails_are_throttled_per_address_across_ips(seller_a):
    responses = [reset_request(Client(REMOTE_ADDR=f"10.5.0.{number}"), seller_a.owner.email)
                 for number in range(15)]
    assert len(mail.outbox) == 3
    assert [response.status_code for response in responses[:3]] == [302, 302, 302]
    refused = responses[3]
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == ["Trop de tentatives : réessayez dans 15 min."]


@pytest.mark.django_db
def test_password_reset_mails_are_throttled_per_ip_across_addresses(seller_a):
    client = Client(REMOTE_ADDR="10.6.0.1")
    for number in range(10):
        assert reset_request(client, f"nobody{number}@example.com").status_code == 302
    response = reset_request(client, seller_a.owner.email)
    assert response.context["form"].non_field_errors() == ["Trop de tentatives : réessayez dans 15 min."]
    assert len(mail.outbox) == 0
    assert reset_request(Client(REMOTE_ADDR="10.6.0.2"), seller_a.owner.email).status_code == 302
    assert len(mail.outbox) == 1


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def sign_up(email: str):
    return Client().post("/inscription/", {"email": email, "password1": "un-mot-de-passe-long", "accept_terms": "on",
                                           "password2": "un-mot-de-passe-long"})


@pytest.mark.django_db
def test_sign_up_answers_the_same_whether_the_address_has_an_account(seller_a):
    taken = sign_up(seller_a.owner.email.upper())
    new = sign_up("nouveau@example.com")
    assert (taken.status_code, new.status_code) == (200, 200)
    assert without_csrf(taken.content.decode()).replace(seller_a.owner.email, "ADDRESS") == \
        without_csrf(new.content.decode()).replace("nouveau@example.com", "ADDRESS")
    assert User.objects.filter(email=seller_a.owner.email).count() == 1
    assert User.objects.get(email=seller_a.owner.email).check_password("correct-horse-battery")
    owner_mail, new_mail = mail.outbox
    assert (owner_mail.to, owner_mail.subject) == ([seller_a.owner.email], "Facturier : vous avez déjà un compte")
    assert "http://testserver/connexion/" in owner_mail.body
    assert "http://testserver/mot-de-passe/" in owner_mail.body
    assert (new_mail.to, new_mail.subject) == (["nouveau@example.com"], "Facturier : confirmez votre adresse e-mail")


@pytest.mark.django_db
def test_sign_ups_on_an_existing_address_mail_its_owner_a_few_times_only(seller_a):
    responses = [sign_up(seller_a.owner.email) for _ in range(6)]
    assert {response.status_code for response in responses} == {200}
    assert [message.subject for message in mail.outbox] == ["Facturier : vous avez déjà un compte"] * 3
