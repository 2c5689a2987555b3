"""The tenant matrix: every portal URL is classified; anonymous visitors go to login, other sellers get 404."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from facturier.accounts.models import ApiToken, MarketplaceConnection
from facturier.billing.fee_invoices import issue_fee_invoice
from facturier.billing.rendering import render_fee_invoices
from facturier.ereporting.models import EReport
from facturier.portal.tests.helpers import issue, logged_in

# Reachable without an account (authentication itself, sign-up, language switch).
PUBLIC = {
    "terms",
    "login", "login_otp", "logout", "signup", "verify_email", "set_language", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete",
}  # fmt: skip
# URLs naming one object by pk: which object of seller A to aim at.
OBJECT_URLS = {
    "invoice_detail": "invoice", "invoice_pdf": "invoice", "invoice_download": "invoice",
    "invoice_resend": "invoice", "api_token_revoke": "api_token", "fee_invoice_download": "fee_invoice",
    "fee_invoice_view": "fee_invoice",
    "ereport_download": "ereport", "connection_edit": "connection", "connection_test": "connection",
    "order_detail": "order",
}  # fmt: skip
POST_ONLY = {"invoice_resend", "api_token_revoke", "sync_now", "connection_test", "invoice_selection_archive",
             "two_factor_disable"}


def portal_patterns() -> list[URLPattern]:
    namespace = get_resolver().namespace_dict["portal"][1]
    return [pattern for pattern in namespace.url_patterns if isinstance(pattern, URLPattern)]


def portal_names() -> list[str]:
    return sorted(pattern.name for pattern in portal_patterns())


def test_every_object_url_is_in_the_matrix():
    with_arguments = {p.name for p in portal_patterns() if p.pattern.converters and p.name not in PUBLIC}
    assert with_arguments == set(OBJECT_URLS)


def visible_text(response) -> bytes:
    if not response.streaming:
        return response.content
    body = b"".join(response.streaming_content)
    if not body.startswith(b"PK"):
        return body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return b"".join(name.encode() + archive.read(name) for name in archive.namelist())


@pytest.fixture
def objects_of_a(seller_a):
    invoice = issue(seller_a)
    token = ApiToken.objects.create(seller=seller_a, token_sha256="a" * 64, prefix="fct_aaaa")
    fee, _ = issue_fee_invoice(seller_a.pk, date(2026, 10, 1))
    render_fee_invoices([fee.pk])
    ereport = EReport.objects.create(
        seller=seller_a, period_start=date(2027, 11, 1), period_end=date(2027, 11, 30), deadline=date(2027, 12, 10),
        sequence=1, report_id="TX-A", type_code="IN", status=EReport.STATUS_DOWNLOAD, xml="<Report/>",
        fingerprint="", taxable_total=0, tax_total=0,
    )
    connection = MarketplaceConnection.objects.create(seller=seller_a, account_id="98979",
                                                      credentials={"client_id": "a", "client_secret": "s"})
    return {"invoice": invoice.pk, "api_token": token.pk, "fee_invoice": fee.pk, "ereport": ereport.pk,
            "connection": connection.pk, "order": invoice.order_id}


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in portal_names() if n not in PUBLIC])
def test_anonymous_is_sent_to_login(client: Client, name, seller_a, objects_of_a):
    args = [objects_of_a[OBJECT_URLS[name]]] if name in OBJECT_URLS else []
    url = reverse(f"portal:{name}", args=args)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_other_seller_gets_404(name, seller_a, seller_b, objects_of_a):
    url = reverse(f"portal:{name}", args=[objects_of_a[OBJECT_URLS[name]]])
    client = logged_in(seller_b)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404
    owner = logged_in(seller_a)
    own = owner.post(url) if name in POST_ONLY else owner.get(url)
    assert own.status_code in (200, 302)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in portal_names() if n not in PUBLIC and n not in OBJECT_URLS
                                  and n not in POST_ONLY])
def test_collection_pages_show_only_own_documents(name, seller_a, seller_b, objects_of_a):
    invoice_number = issue(seller_a).number
    response = logged_in(seller_b).get(reverse(f"portal:{name}"))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        text = visible_text(response)
        assert invoice_number.encode() not in text
        assert b"Alpha Commerce" not in text
