"""The REST API exercised over real HTTP against a live server (its schema is fuzzed by schemathesis in
acceptance/api/test_contract.py)."""

from __future__ import annotations

import base64
import io
import zipfile

import httpx
import pytest
from django.core.management import call_command

from facturier.accounts.models import ApiToken, MarketplaceConnection
from facturier.accounts.samples import connection_fields
from facturier.portal.tests.helpers import issue
from facturier.sales.models import SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(seller) -> str:
    out = io.StringIO()
    call_command("api_token", "--email", seller.owner.email, stdout=out)
    return out.getvalue().split()[-1]


@pytest.fixture
def api(live_server, seller_a):
    with httpx.Client(base_url=f"{live_server.url}/api/v1",
                      headers={"Authorization": f"Bearer {token_for(seller_a)}"}, timeout=10) as client:
        yield client


def test_the_command_prints_a_working_token_last(seller_a):
    token = token_for(seller_a)
    assert token.startswith("fct_")
    assert ApiToken.objects.get(seller=seller_a).prefix == token[:12]


def test_unauthenticated_requests_get_401(live_server, seller_a):
    for headers in ({}, {"Authorization": "Bearer fct_wrong"}, {"Authorization": "Token x"}):
        response = httpx.get(f"{live_server.url}/api/v1/invoices/", headers=headers)
        assert response.status_code == 401, headers


def test_list_search_detail_and_pdf(api, seller_a, seller_b):
    first = issue(seller_a, buyer=("Jeanne", "Martin"))
    second = issue(seller_a, buyer=("Paul", "Durand"))
    foreign = issue(seller_b)
    listed = api.get("/invoices/").json()
    assert [row["number"] for row in listed["results"]] == [second.number, first.number]
    assert listed["next_cursor"] == ""
    assert [row["id"] for row in api.get("/invoices/", params={"q": "Paul"}).json()["results"]] == [second.pk]
    paged = api.get("/invoices/", params={"page_size": 1}).json()
    assert api.get("/invoices/", params={"page_size": 1, "after": paged["next_cursor"]}).json()["results"][0][
        "id"] == first.pk
    detail = api.get(f"/invoices/{first.pk}/").json()
    assert (detail["number"], detail["total_gross"]) == ("FAC-000001", f"{first.total_gross}")
    assert [line["position"] for line in detail["lines"]] == list(first.lines.values_list("position", flat=True))
    pdf = api.get(f"/invoices/{first.pk}/pdf")
    with first.pdf.open("rb") as stored:
        assert pdf.content == stored.read()
    assert api.get(f"/invoices/{foreign.pk}/").status_code == 404
    assert api.get(f"/invoices/{foreign.pk}/pdf").status_code == 404
    assert api.get("/invoices/", params={"kind": "bogus"}).status_code == 400


def test_bulk_zip_by_filter(api, seller_a):
    issue(seller_a, buyer=("Jeanne", "Martin"))
    second = issue(seller_a, buyer=("Paul", "Durand"))
    response = api.get("/invoices/archive.zip", params={"q": "Paul"})
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == ["index.csv", f"factures/{second.number}.pdf"]


def test_sync_is_refused_without_credentials_then_runs(api, seller_a, seller_b, simulator, settings):
    assert api.post("/sync/").status_code == 409
    settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url
    credentials = simulator.credentials()
    MarketplaceConnection.objects.create(seller=seller_a, **connection_fields(credentials))
    response = api.post("/sync/")
    assert response.status_code == 202
    run = SyncRun.objects.get(seller=seller_a)
    assert (run.trigger, run.status) == ("api", SyncRun.SUCCEEDED)
    runs = api.get("/sync-runs/").json()["results"]
    assert [(item["id"], item["status"], item["invoices_issued"]) for item in runs] == [
        (run.pk, "succeeded", run.invoices_issued)]
    assert run.invoices_issued > 0
    assert api.get(f"/sync-runs/{run.pk}/").json()["orders_seen"] == run.orders_seen
    other = SyncRun.objects.create(seller=seller_b)
    assert api.get(f"/sync-runs/{other.pk}/").status_code == 404


def test_openapi_schema_documents_every_endpoint(live_server):
    schema = httpx.get(f"{live_server.url}/api/v1/openapi.json").json()
    assert sorted(schema["paths"]) == sorted([
        "/api/v1/invoices/", "/api/v1/invoices/{id}/", "/api/v1/invoices/{id}/pdf", "/api/v1/invoices/archive.zip",
        "/api/v1/sync-runs/", "/api/v1/sync-runs/{id}/", "/api/v1/sync/",
    ])
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def forged_cursor(query: str) -> str:
    """A DRF cursor token (base64 of a query string) that decodes but carries a position that is no date."""
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/sync-runs/", {"cursor": "not-base64!"}, "cursor"),
    ("/sync-runs/", {"cursor": forged_cursor("p=garbage")}, "cursor"),
    ("/sync-runs/", {"cursor": forged_cursor("o=-5")}, "cursor"),
    ("/sync-runs/", {"cursor": forged_cursor("r=1&p=2026-13-45")}, "cursor"),
    ("/invoices/", {"after": "nonsense"}, "after"),
    ("/invoices/", {"after": "2026-01-01T00:00:00_12"}, "after"),
    ("/invoices/", {"after": "2026-01-01T00:00:00+00:00_x"}, "after"),
    ("/invoices/", {"after": "x" * 81}, "after"),
    ("/invoices/", {"page_size": "x"}, "page_size"),
    ("/invoices/", {"page_size": "0"}, "page_size"),
    ("/invoices/", {"page_size": "201"}, "page_size"),
    ("/invoices/", {"q": "x" * 101}, "q"),
    ("/invoices/", {"date_from": "2026-02-30"}, "date_from"),
    ("/invoices/", {"date_to": "demain"}, "date_to"),
    ("/invoices/", {"date_to": ""}, "date_to"),
    ("/invoices/", {"kind": "devis"}, "kind"),
    ("/invoices/", {"email_status": "lost"}, "email_status"),
    ("/invoices/", {"upload_status": "lost"}, "upload_status"),
    ("/invoices/archive.zip", {"date_from": "2026-02-30"}, "date_from"),
    ("/invoices/archive.zip", {"kind": "devis"}, "kind"),
])  # fmt: skip
def test_every_malformed_query_parameter_gets_400_with_a_message(api, seller_a, path, params, field):
    SyncRun.objects.create(seller=seller_a)
    response = api.get(path, params=params, headers={"Accept": "application/json"})
    assert response.status_code == 400
    messages = response.json()[field]
    assert len(messages) == 1 and len(messages[0]) > 10
