"""Log-in throttling counts in the shared cache (the database here): across processes, per account across IPs,
per IP across accounts; a block ends by itself and says when."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from facturier.accounts.tests.factories import PASSWORD

LOGIN = "/connexion/"
BLOCKED_15 = "Trop de tentatives : réessayez dans 15 min."


def post_login(client: Client, email: str, password: str):
    return client.post(LOGIN, {"email": email, "password": password})


def logs_in(client: Client, email: str) -> bool:
    response = post_login(client, email, PASSWORD)
    return response.status_code == 302 and "_auth_user_id" in client.session


def page_text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_one_account_is_blocked_across_ips(seller_a):
    for number in range(10):
        response = post_login(Client(REMOTE_ADDR=f"10.1.0.{number}"), seller_a.owner.email, "wrong-password")
        assert "E-mail ou mot de passe incorrect." in page_text(response)
    response = post_login(Client(REMOTE_ADDR="10.1.1.1"), seller_a.owner.email, PASSWORD)
    assert BLOCKED_15 in page_text(response)
    assert not logs_in(Client(REMOTE_ADDR="10.1.1.2"), seller_a.owner.email)


@pytest.mark.django_db
def test_one_ip_is_blocked_across_accounts(seller_a, seller_b):
    attacker = "10.2.0.1"
    for number in range(20):
        post_login(Client(REMOTE_ADDR=attacker), f"victim{number}@example.com", "wrong-password")
    response = post_login(Client(REMOTE_ADDR=attacker), seller_a.owner.email, PASSWORD)
    assert BLOCKED_15 in page_text(response)
    # The accounts themselves are not locked for their owners elsewhere.
    assert logs_in(Client(REMOTE_ADDR="10.2.0.2"), seller_a.owner.email)


@pytest.mark.django_db
def test_a_block_says_when_to_retry_and_ends_by_itself(seller_a, settings):
    settings.FACTURIER_THROTTLE_WINDOW_SECONDS = 2
    client = Client(REMOTE_ADDR="10.3.0.1")
    for _ in range(5):
        post_login(client, seller_a.owner.email, "wrong-password")
    response = post_login(client, seller_a.owner.email, PASSWORD)
    assert "Trop de tentatives : réessayez dans 1 min." in page_text(response)
    assert wait_until_logged_in(client, seller_a.owner.email, seconds=10)


def wait_until_logged_in(client: Client, email: str, *, seconds: float) -> bool:
    """Tries the right password again and again (a blocked try counts no failure) until the block ends."""
    deadline = time.monotonic() + seconds
    while not logs_in(client, email):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def subprocess_database_url() -> str:
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


FAIL_LOGINS = """
import sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
email, ip, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(count):
    response = Client(REMOTE_ADDR=ip).post("/connexion/", {"email": email, "password": "wrong-password"})
    assert "E-mail ou mot de passe incorrect." in response.content.decode(), response.status_code
"""


@pytest.mark.django_db(transaction=True)
def test_failures_in_another_process_count(seller_a):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                   "DATABASE_URL": subprocess_database_url(),
                   "PYTHONPATH": str(Path(__file__).resolve().parents[3])}  # fmt: skip
    # Two other processes at the same time, two failures each.
    processes = [subprocess.Popen([sys.executable, "-c", FAIL_LOGINS, seller_a.owner.email, "10.4.0.1", "2"],
                                  env=environment) for _ in range(2)]  # fmt: skip
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    client = Client(REMOTE_ADDR="10.4.0.1")
    assert "E-mail ou mot de passe incorrect." in page_text(post_login(client, seller_a.owner.email, "wrong"))
    assert BLOCKED_15 in page_text(post_login(client, seller_a.owner.email, PASSWORD))
