"""A small client of the AFNOR XP Z12-013 Flow Service (OpenAPI 1.2.0) with OAuth2 client credentials.

pyfrctc's Flow client is not used: it only reaches the platforms hard-coded in its PLATFORMS table (the
seller's own PA URL cannot be given), it runs on requests rather than the project's httpx, and it does not
send processingRule. The wire format follows its code and the public OpenAPI: POST /v1/flows (multipart
`file` + `flowInfo` JSON) answers 202 with a flowId; GET /v1/flows/{flowId} gives the acknowledgement
(Pending / Ok / Error with details).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

import httpx
from django.utils.translation import gettext_noop

from facturier.accounts.reform import PAConnection
from facturier.core.stored_text import Message, message

TIMEOUT = 10.0
EXPIRY_MARGIN = 30  # seconds: a token this close to expiry is renewed first


class PAError(Exception):
    """The PA did not take the request. `transient` errors are retried; the others need the seller. `message` is
    stored as a message (core.stored_text, `stored()`), shown in the language of the page."""

    def __init__(self, message: Message, *, transient: bool, credentials: bool = False):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.credentials = credentials

    def stored(self) -> str:
        return self.message.stored()


@dataclass(frozen=True)
class FlowReceipt:
    flow_id: str
    ack_status: str


@dataclass(frozen=True)
class Acknowledgement:
    status: str  # Pending, Ok or Error
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FlowDocument:
    content: bytes
    filename: str
    syntax: str  # FRR for e-reporting, Factur-X, CII, UBL, CDAR
    processing_rule: str  # B2C, B2B, ...
    flow_type: str
    tracking_id: str


class FlowClient:
    def __init__(self, *, flow_url: str, token_url: str, client_id: str, client_secret: str,
                 transport: httpx.BaseTransport | None = None):
        self.base = flow_url.rstrip("/") + "/v1"
        self.token_url = token_url
        self.credentials = {"client_id": client_id, "client_secret": client_secret}
        self.http = httpx.Client(timeout=TIMEOUT, transport=transport)
        self._token = ""
        self._expires = 0.0

    @classmethod
    def for_connection(cls, connection: PAConnection) -> FlowClient:
        return cls(flow_url=connection.flow_url, token_url=connection.token_url,
                   client_id=connection.client_id, client_secret=connection.client_secret)

    def close(self) -> None:
        self.http.close()

    def submit(self, document: FlowDocument) -> FlowReceipt:
        info = {
            "flowSyntax": document.syntax,
            "name": document.filename,
            "processingRule": document.processing_rule,
            "flowType": document.flow_type,
            "trackingId": document.tracking_id,
            "sha256": hashlib.sha256(document.content).hexdigest(),
        }
        files = {
            "file": (document.filename, document.content, "application/octet-stream"),
            "flowInfo": (None, json.dumps(info), "application/json"),
        }
        body = self._call("POST", "/flows", expected=202, files=files)
        return FlowReceipt(flow_id=str(body["flowId"]), ack_status=_ack_status(body))

    def acknowledgement(self, flow_id: str) -> Acknowledgement:
        body = self._call("GET", f"/flows/{flow_id}", expected=200, params={"docType": "Metadata"})
        ack = body.get("acknowledgement") or {}
        reasons = tuple(
            f"{d.get('reasonCode', '')} {d.get('reasonMessage', '')}".strip() for d in ack.get("details") or []
        )
        return Acknowledgement(status=ack.get("status", "Pending"), reasons=reasons)

    def original(self, flow_id: str) -> bytes:
        """The flow's file as the PA holds it (a CDAR life-cycle message, for instance)."""
        headers = {"Authorization": f"Bearer {self._access_token()}"}
        try:
            response = self.http.get(f"{self.base}/flows/{flow_id}", params={"docType": "Original"}, headers=headers)
        except httpx.TransportError as error:
            raise PAError(_said(gettext_noop("PA injoignable : %(detail)s"), error), transient=True) from error
        if response.status_code != 200:
            raise _error(response)
        return response.content

    def search(self, where: dict) -> list[dict]:
        body = self._call("POST", "/flows/search", expected=200, json={"where": where, "limit": 100})
        return list(body.get("results") or [])

    def _call(self, method: str, path: str, *, expected: int, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {self._access_token()}"}
        try:
            response = self.http.request(method, self.base + path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            raise PAError(_said(gettext_noop("PA injoignable : %(detail)s"), error), transient=True) from error
        if response.status_code == 401:
            self._token = ""  # let the next attempt fetch a fresh token
            raise PAError(message(gettext_noop("Jeton refusé par la PA (401)")), transient=True)
        if response.status_code != expected:
            raise _error(response)
        return response.json()

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._expires - EXPIRY_MARGIN:
            return self._token
        try:
            response = self.http.post(self.token_url, data={"grant_type": "client_credentials", **self.credentials})
        except httpx.TransportError as error:
            unreachable = _said(gettext_noop("Serveur d'authentification de la PA injoignable : %(detail)s"), error)
            raise PAError(unreachable, transient=True) from error
        if response.status_code in (400, 401, 403):
            raise PAError(
                message(gettext_noop("Identifiants OAuth2 refusés par la PA")), transient=False, credentials=True
            )
        if response.status_code != 200:
            answer = f"HTTP {response.status_code}"
            answered = _said(gettext_noop("Serveur d'authentification de la PA : %(detail)s"), answer)
            raise PAError(answered, transient=True)
        body = response.json()
        self._token = body["access_token"]
        self._expires = time.monotonic() + float(body.get("expires_in", 300))
        return self._token


def _ack_status(body: dict) -> str:
    return (body.get("acknowledgement") or {}).get("status", "Pending")


def _error(response: httpx.Response) -> PAError:
    try:
        body = response.json()
        detail = f"{body.get('errorCode', '')} {body.get('errorMessage', '')}".strip()
    except ValueError:
        detail = response.text[:200]
    transient = response.status_code >= 500 or response.status_code == 429
    answer = f"HTTP {response.status_code} {detail}".strip()
    return PAError(_said(gettext_noop("PA : %(detail)s"), answer), transient=transient)


def _said(msgid: str, detail: object) -> Message:
    """A sentence of ours around what the PA or the network said, quoted verbatim."""
    return message(msgid, detail=str(detail))
