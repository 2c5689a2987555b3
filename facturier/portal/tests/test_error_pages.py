"""No debug page outside tests: the portal's own 404 and 500 pages, and the embedded default runs with DEBUG off
while still serving its static files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from facturier.portal.tests.helpers import issue, logged_in


@pytest.mark.django_db
def test_an_unknown_address_gets_the_portal_404_page(client: Client):
    response = client.get("/nexiste-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page introuvable · Facturier</title>" in html
    assert '<a class="button primary" href="/">Retour au tableau de bord</a>' in html
    assert "URLconf" not in html


@pytest.mark.django_db
def test_another_sellers_invoice_gets_the_same_404_page(seller_a, seller_b):
    invoice = issue(seller_a, render=False)
    response = logged_in(seller_b).get(f"/factures/{invoice.pk}/")
    assert response.status_code == 404
    assert '<section class="card narrow" id="not-found">' in response.content.decode()


def test_the_500_page_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<title>Erreur du serveur · Facturier</title>" in html
    assert "rien de ce que vous aviez enregistré n&#x27;est perdu" not in html  # translated text is not escaped
    assert "rien de ce que vous aviez enregistré n'est perdu" in html


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_embedded_default_shows_no_debug_page_and_serves_static_files(tmp_path):
    port = free_port()
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.embedded", "FACTURIER_SECRET_KEY": "x" * 50,
        "FACTURIER_FERNET_KEYS": "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(Path(settings.BASE_DIR)),
        "FACTURIER_VAR_DIR": str(tmp_path),
    }  # fmt: skip
    code = ("import django; django.setup(); from facturier.jobs.management.commands.run import serve_portal; "
            f"serve_portal('127.0.0.1:{port}')")
    server = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                missing = httpx.get(f"{base}/nexiste-pas/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the embedded server did not start"
                time.sleep(0.2)
        assert missing.status_code == 404
        assert "Page introuvable" in missing.text
        assert "URLconf" not in missing.text
        stylesheet = httpx.get(f"{base}/static/portal/portal.css", timeout=5)
        assert stylesheet.status_code == 200
        assert stylesheet.text.startswith(":root {")
    finally:
        server.terminate()
        server.wait(timeout=10)
