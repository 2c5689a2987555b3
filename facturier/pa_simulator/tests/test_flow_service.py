"""The PA simulator over HTTP: OAuth2 client credentials, flow deposit checks, acknowledgement, search."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from facturier.pa_simulator.server import PASimulator


@pytest.fixture
def pa():
    with PASimulator(token_ttl=60) as simulator:
        yield simulator


def token(pa: PASimulator, secret: str = "demo-secret") -> httpx.Response:
    return httpx.post(pa.token_url, data={"grant_type": "client_credentials", "client_id": "facturier-demo",
                                          "client_secret": secret})


def post_flow(pa: PASimulator, content: bytes, info: dict) -> httpx.Response:
    bearer = token(pa).json()["access_token"]
    return httpx.post(pa.base_url + "/v1/flows", headers={"Authorization": f"Bearer {bearer}"},
                      files={"file": ("r.xml", content), "flowInfo": (None, json.dumps(info), "application/json")})


def test_client_credentials_give_a_bearer_token_and_a_wrong_secret_does_not(pa):
    granted = token(pa)
    assert granted.status_code == 200
    assert (granted.json()["token_type"], granted.json()["expires_in"]) == ("Bearer", 60)
    assert token(pa, "wrong").status_code == 401


def test_a_deposit_is_checked_then_acknowledged(pa):
    content = b"<Report/>"
    info = {"flowSyntax": "FRR", "processingRule": "B2C", "trackingId": "T1",
            "sha256": hashlib.sha256(content).hexdigest()}
    accepted = post_flow(pa, content, info)
    assert accepted.status_code == 202
    assert accepted.json()["acknowledgement"] == {"status": "Pending", "details": []}

    assert post_flow(pa, content, {**info, "sha256": "0" * 64}).json()["errorCode"] == "SHA256_MISMATCH"
    assert post_flow(pa, content, {**info, "flowSyntax": "PDF"}).json()["errorCode"] == "INVALID_FLOW_SYNTAX"

    bearer = {"Authorization": f"Bearer {token(pa).json()['access_token']}"}
    flow_id = accepted.json()["flowId"]
    metadata = httpx.get(f"{pa.base_url}/v1/flows/{flow_id}", headers=bearer).json()
    assert metadata["acknowledgement"]["status"] == "Ok"
    found = httpx.post(pa.base_url + "/v1/flows/search", headers=bearer, json={"where": {"trackingId": "T1"}})
    assert [flow["flowId"] for flow in found.json()["results"]] == [flow_id]
    assert httpx.get(f"{pa.base_url}/v1/flows/{flow_id}", params={"docType": "Original"},
                     headers=bearer).content == content
