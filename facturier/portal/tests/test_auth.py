import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts.models import User
from facturier.accounts.tests.factories import PASSWORD
from facturier.portal.tests.helpers import logged_in

LOGIN = "/connexion/"


def post_login(client, email, password, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


@pytest.mark.django_db
def test_it_logs_in_and_goes_to_dashboard(client: Client, seller_a):
    response = post_login(client, seller_a.owner.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_a_wrong_password(client: Client, seller_a):
    response = post_login(client, seller_a.owner.email, "wrong-password")
    assert response.status_code == 200
    assert "E-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_blocks_after_five_failures_even_with_the_right_password(client: Client, seller_a):
    for _ in range(5):
        post_login(client, seller_a.owner.email, "wrong-password")
    response = post_login(client, seller_a.owner.email, PASSWORD)
    assert "Trop de tentatives : réessayez dans 15 min." in response.content.decode()
    assert "_auth_user_id" not in client.session
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    assert post_login(other_ip, seller_a.owner.email, PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(("next_url", "expected"), [
    ("/factures/", "/factures/"),
    ("https://evil.example/phish", "/"),
    ("//evil.example/", "/"),
    ("javascript:alert(1)", "/"),
])
def test_it_never_redirects_off_site(client: Client, seller_a, next_url, expected):
    response = post_login(client, seller_a.owner.email, PASSWORD, next=next_url)
    assert response["Location"] == expected


@pytest.mark.django_db
def test_logout_needs_post(client: Client, seller_a):
    client = logged_in(seller_a)
    assert client.get("/deconnexion/").status_code == 405
    assert client.post("/deconnexion/")["Location"] == reverse("portal:login")
    assert client.get("/")["Location"].startswith(reverse("portal:login"))


@pytest.mark.django_db
def test_sign_up_sends_a_link_that_verifies_once(client: Client):
    response = client.post("/inscription/", {"email": "New@Example.com", "password1": "un-mot-de-passe-long",
                                             "password2": "un-mot-de-passe-long", "accept_terms": "on"})
    assert response.status_code == 200
    user = User.objects.get(email="new@example.com")
    assert user.email_verified is False
    assert post_login(Client(), "new@example.com", "un-mot-de-passe-long").status_code == 200
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/inscription/confirmer/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert client.get(link)["Location"] == reverse("portal:onboarding_company")
    user.refresh_from_db()
    assert user.email_verified is True
    assert Client().get(link)["Location"] == reverse("portal:login")


@pytest.mark.django_db
def test_a_forged_verification_link_is_refused(client: Client):
    response = client.get("/inscription/confirmer/not-a-token/")
    assert response.status_code == 400


@pytest.mark.django_db
def test_sign_up_refuses_short_passwords(client: Client, seller_a):
    response = client.post("/inscription/", {"email": seller_a.owner.email, "password1": "court",
                                             "password2": "court"})
    form = response.context["form"]
    assert "email" not in form.errors  # an address that has an account is never told apart (no enumeration)
    assert "password1" in form.errors


@pytest.mark.django_db
def test_password_reset_mails_a_working_link(client: Client, seller_a):
    client.post("/mot-de-passe/", {"email": seller_a.owner.email})
    assert len(mail.outbox) == 1
    path = re.search(r"http://testserver(/mot-de-passe/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "nouveau-secret-2026", "new_password2": "nouveau-secret-2026"})
    assert response["Location"] == reverse("portal:password_reset_complete")
    assert post_login(Client(), seller_a.owner.email, "nouveau-secret-2026").status_code == 302


@pytest.mark.django_db
def test_totp_is_enabled_then_asked_at_login(seller_a):
    client = logged_in(seller_a)
    client.get("/reglages/double-authentification/")
    device = TOTPDevice.objects.get(user=seller_a.owner, confirmed=False)
    client.post("/reglages/double-authentification/", {"code": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed is True

    fresh = Client()
    response = post_login(fresh, seller_a.owner.email, PASSWORD)
    assert response["Location"] == reverse("portal:login_otp")
    assert fresh.get("/")["Location"].startswith(reverse("portal:login"))
    wrong_code = (totp(device.bin_key, drift=1) + 1) % 1_000_000
    wrong = fresh.post("/connexion/code/", {"code": f"{wrong_code:06d}"})
    assert wrong.context["form"].errors["code"] == ["Code incorrect ou expiré."]
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's own back-off after a wrong code (1 s, doubling)
    # The code used to enable is spent (replay protection): the next time step's code is accepted.
    ok = fresh.post("/connexion/code/", {"code": f"{totp(device.bin_key, drift=1):06d}"})
    assert ok["Location"] == "/"
    assert fresh.get("/").status_code == 200
