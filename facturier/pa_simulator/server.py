"""PASimulator: a plateforme agréée speaking the AFNOR XP Z12-013 Flow Service (OpenAPI 1.2.0) on stdlib HTTP.

  POST /oauth/token            OAuth2 client credentials (form) -> bearer token
  POST /v1/flows               multipart file + flowInfo JSON -> 202 with flowId, acknowledgement Pending
  GET  /v1/flows/{flowId}      metadata with the acknowledgement (Ok, or Error with details)
  POST /v1/flows/search        {"where": {...}} -> {"results": [...]}
  GET  /v1/healthcheck
  GET  /v1/flows/{flowId}?docType=Original   the file (a CDAR life-cycle message for CustomerInvoiceLC flows)
  POST /_pa/faults             {"unavailable": N, "reject": N, "refuse": N, ...} (test and demo control)

A B2B invoice acknowledged Ok gets two life-cycle flows (CustomerInvoiceLC): 200 Déposée, then 212 Encaissée,
or 210 Refusée with a reason for the next `refuse` invoices.

Runs in a background thread for tests (`start()` returns the base URL) or in the foreground
(`python -m facturier.pa_simulator`). Needs neither Django nor a database.
"""

from __future__ import annotations

import json
import logging
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from facturier.simulator.serving import LocalHandler, LocalServer, form_parts

from .state import RULES, SYNTAXES, Flow, PAState, sha256

logger = logging.getLogger(__name__)
TOKEN_PATH = "/oauth/token"


class _Handler(LocalHandler):
    server_version = "PASimulator/1"
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            status, payload = self.server.route(self.command, url.path, body, self.headers, query)
        except Exception:  # a simulator bug answers 500 like a real server, the thread lives on
            logger.exception("PA simulator failed on %s %s", self.command, url.path)
            status, payload = 500, {"errorCode": "INTERNAL", "errorMessage": "simulator failure"}
        raw = isinstance(payload, bytes)
        data = payload if raw else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml" if raw else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_GET


def _error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"errorCode": code, "errorMessage": message}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], state: PAState):
        super().__init__(address, _Handler)
        self.state = state

    def route(self, method: str, path: str, body: bytes, headers, query: dict) -> tuple[int, dict | bytes]:
        if path == TOKEN_PATH and method == "POST":
            return self.token(body)
        if path == "/_pa/faults" and method == "POST":
            return self.set_faults(body)
        if path == "/v1/healthcheck":
            return 200, {"status": "UP"}
        if not path.startswith("/v1/"):
            return _error(404, "NOT_FOUND", path)
        client_id = self.state.client_of(headers.get("Authorization", "").removeprefix("Bearer ").strip())
        if client_id is None:
            return _error(401, "UNAUTHORIZED", "missing, invalid or expired bearer token")
        if path == "/v1/flows" and method == "POST":
            return self.submit(client_id, body, headers.get("Content-Type", ""))
        if path == "/v1/flows/search" and method == "POST":
            return self.search(client_id, body)
        if path.startswith("/v1/flows/") and method == "GET":
            flow = self.state.poll(client_id, path.removeprefix("/v1/flows/"))
            if flow is None:
                return _error(404, "FLOW_NOT_FOUND", "no such flow")
            return (200, flow.content) if query.get("docType") == "Original" else (200, flow.metadata())
        return _error(404, "NOT_FOUND", path)

    def token(self, body: bytes) -> tuple[int, dict]:
        form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        token = self.state.issue_token(form.get("client_id", ""), form.get("client_secret", ""))
        if token is None:
            return 401, {"error": "invalid_client"}
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.state.token_ttl}

    def submit(self, client_id: str, body: bytes, content_type: str) -> tuple[int, dict]:
        if self.state.take_fault("unavailable"):
            return _error(503, "UNAVAILABLE", "simulated outage")
        parts = {part.name: (part.filename, part.content) for part in form_parts(content_type, body) if part.name}
        if "file" not in parts or "flowInfo" not in parts:
            return _error(400, "INVALID_REQUEST", "multipart parts 'file' and 'flowInfo' are required")
        filename, content = parts["file"]
        try:
            info = json.loads(parts["flowInfo"][1])
        except ValueError:
            return _error(400, "INVALID_FLOW_INFO", "flowInfo is not JSON")
        if info.get("flowSyntax") not in SYNTAXES:
            return _error(400, "INVALID_FLOW_SYNTAX", f"flowSyntax must be one of {', '.join(SYNTAXES)}")
        if info.get("processingRule") and info["processingRule"] not in RULES:
            return _error(400, "INVALID_PROCESSING_RULE", f"processingRule must be one of {', '.join(RULES)}")
        if info.get("sha256") and info["sha256"] != sha256(content):
            return _error(400, "SHA256_MISMATCH", "the file's SHA-256 differs from flowInfo.sha256")
        flow = self.state.add_flow(client_id, info, filename, content)
        return 202, flow.metadata()

    def search(self, client_id: str, body: bytes) -> tuple[int, dict]:
        where = (json.loads(body or b"{}") or {}).get("where", {})
        with self.state.lock:
            flows = [f for f in self.state.flows.values() if f.client_id == client_id and _matches(f, where)]
        return 200, {"results": [f.metadata() for f in flows]}

    def set_faults(self, body: bytes) -> tuple[int, dict]:
        changes = json.loads(body or b"{}")
        with self.state.lock:
            for name, value in changes.items():
                if not hasattr(self.state.faults, name):
                    return _error(400, "UNKNOWN_FAULT", name)
                setattr(self.state.faults, name, int(value))
        return 200, vars(self.state.faults)


def _matches(flow: Flow, where: dict) -> bool:
    if where.get("trackingId") and flow.tracking_id != where["trackingId"]:
        return False
    if where.get("updatedAfter") and flow.updated_at <= where["updatedAfter"]:
        return False
    return not (where.get("flowType") and flow.flow_type not in where["flowType"])


class PASimulator(LocalServer):
    thread_name = "pa-simulator"

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, clients: dict[str, str] | None = None, token_ttl: int = 3600
    ):
        super().__init__(host, port)
        self.state = PAState(clients=clients, token_ttl=token_ttl)

    def make_server(self) -> _Server:
        return _Server((self.host, self.port), self.state)

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    def credentials(self) -> dict[str, str]:
        client_id, secret = next(iter(self.state.clients.items()))
        return {"flow_url": self.base_url, "token_url": self.token_url, "client_id": client_id, "client_secret": secret}

    def set_faults(self, **faults: int) -> None:
        with self.state.lock:
            for name, value in faults.items():
                setattr(self.state.faults, name, value)

    def flows(self) -> list[Flow]:
        with self.state.lock:
            return list(self.state.flows.values())
