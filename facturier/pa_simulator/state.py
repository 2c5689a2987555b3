"""In-memory state of the PA simulator: OAuth2 clients and tokens, deposited flows, acknowledgements, faults."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .lifecycle import cdar

SYNTAXES = ("CII", "UBL", "Factur-X", "CDAR", "FRR")
RULES = ("B2B", "B2BInt", "B2C", "B2G", "B2GInt", "OutOfScope", "B2GOutOfScope", "ArchiveOnly", "NotApplicable")


def utc_now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Flow:
    flow_id: str
    client_id: str
    name: str
    syntax: str
    processing_rule: str
    flow_type: str
    tracking_id: str
    content: bytes
    submitted_at: str
    updated_at: str
    ack_status: str = "Pending"
    ack_details: list[dict] = field(default_factory=list)
    polls: int = 0

    def metadata(self) -> dict:
        return {
            "flowId": self.flow_id,
            "name": self.name,
            "flowSyntax": self.syntax,
            "flowType": self.flow_type,
            "processingRule": self.processing_rule,
            "trackingId": self.tracking_id,
            "flowDirection": "In",
            "submittedAt": self.submitted_at,
            "updatedAt": self.updated_at,
            "acknowledgement": {"status": self.ack_status, "details": self.ack_details},
        }


@dataclass
class Faults:
    """unavailable: the next N flow deposits answer 503; reject: the next N deposits are acknowledged Error;
    reject_every: every Nth deposit is acknowledged Error (the demo's "some rejections"; 0 = never);
    polls_before_ack: GETs answered Pending before the acknowledgement is decided."""

    unavailable: int = 0
    reject: int = 0
    refuse: int = 0  # the next N B2B invoices are refused by their buyer (210) instead of paid (212)
    reject_every: int = 0
    polls_before_ack: int = 0


class PAState:
    def __init__(self, *, clients: dict[str, str] | None = None, token_ttl: int = 3600):
        self.lock = threading.Lock()
        self.clients = dict(clients or {"facturier-demo": "demo-secret"})
        self.token_ttl = token_ttl
        self.tokens: dict[str, tuple[str, float]] = {}
        self.flows: dict[str, Flow] = {}
        self.faults = Faults()
        self.stats = {"token_requests": 0, "flow_posts": 0}

    def issue_token(self, client_id: str, secret: str) -> str | None:
        with self.lock:
            self.stats["token_requests"] += 1
            if not client_id or self.clients.get(client_id) != secret:
                return None
            token = secrets.token_urlsafe(24)
            self.tokens[token] = (client_id, time.monotonic() + self.token_ttl)
            return token

    def client_of(self, token: str) -> str | None:
        with self.lock:
            client_id, expires = self.tokens.get(token, ("", 0.0))
            return client_id if client_id and expires > time.monotonic() else None

    def take_fault(self, name: str) -> bool:
        with self.lock:
            if getattr(self.faults, name) > 0:
                setattr(self.faults, name, getattr(self.faults, name) - 1)
                return True
            return False

    def add_flow(self, client_id: str, info: dict, filename: str, content: bytes) -> Flow:
        moment = utc_now()
        flow = Flow(
            flow_id=uuid.uuid4().hex,
            client_id=client_id,
            name=info.get("name") or filename,
            syntax=info["flowSyntax"],
            processing_rule=info.get("processingRule", ""),
            flow_type=info.get("flowType", ""),
            tracking_id=info.get("trackingId", ""),
            content=content,
            submitted_at=moment,
            updated_at=moment,
        )
        every = self.faults.reject_every
        if self.take_fault("reject") or (every and (self.stats["flow_posts"] + 1) % every == 0):
            flow.ack_details = [_detail("REJ_SEMAN", "Rejet simulé : contenu refusé par la plateforme")]
        with self.lock:
            self.stats["flow_posts"] += 1
            self.flows[flow.flow_id] = flow
        return flow

    def poll(self, client_id: str, flow_id: str) -> Flow | None:
        with self.lock:
            flow = self.flows.get(flow_id)
            if flow is None or flow.client_id != client_id:
                return None
            flow.polls += 1
            if flow.ack_status == "Pending" and flow.polls > self.faults.polls_before_ack:
                flow.ack_status = "Error" if flow.ack_details else "Ok"
                flow.updated_at = utc_now()
                if flow.ack_status == "Ok" and flow.processing_rule == "B2B":
                    self._emit_lifecycle(flow)
            return flow

    def _emit_lifecycle(self, invoice: Flow) -> None:
        """200 Déposée, then the buyer's answer: 212 Encaissée, or 210 Refusée with a reason (lock held)."""
        refused = self.faults.refuse > 0
        if refused:
            self.faults.refuse -= 1
        self._add_lifecycle(invoice, "200")
        if refused:
            self._add_lifecycle(invoice, "210", "REF_PRIX", "Prix non conforme à la commande")
        else:
            self._add_lifecycle(invoice, "212")

    def _add_lifecycle(self, invoice: Flow, code: str, reason_code: str = "", reason: str = "") -> None:
        moment = utc_now()
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        flow = Flow(
            flow_id=uuid.uuid4().hex, client_id=invoice.client_id, name=f"CDAR-{invoice.tracking_id}-{code}.xml",
            syntax="CDAR", processing_rule="B2B", flow_type="CustomerInvoiceLC", tracking_id=invoice.tracking_id,
            content=cdar(invoice.tracking_id, code, stamp, reason_code, reason), submitted_at=moment,
            updated_at=moment, ack_status="Ok",
        )
        self.flows[flow.flow_id] = flow


def _detail(code: str, message: str) -> dict:
    return {"item": "file", "level": "Error", "reasonCode": code, "reasonMessage": message}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
