"""MiraklSimulatorServer: a fake Mirakl instance on stdlib HTTP, for tests and `make run`.

Seller API (what Facturier calls), as the public MMP seller OpenAPI describes it:
- `GET /api/orders` (OR11): `start_update_date` (less a safety delta, as Mirakl does: `update_date_delta`),
  `end_update_date`, `order_ids`, `offset`, `max` (<= 100, 10 by default), `sort` (dateCreated) and `order` (asc by
  default, or desc); answers {"orders": [...], "total_count": n} (`total_count` left out, or wrong, on demand);
- `POST /api/orders/{order_id}/documents` (OR74): multipart `files` + `order_documents` (JSON); synchronous, answers
  {"errors_count": n, "order_documents": [refused ones only: {"errors": [{code, field, message}], "input": {...}}]}
  (the documented file types only, distinct names, US-ASCII names, 50 documents per order at most, the types DO01
  lists, SYSTEM_* ones refused to a shop); an accepted CUSTOMER_INVOICE sets the order's `has_invoice`;
- `GET /api/orders/documents` (OR72): the documents of `order_ids`;
- `GET /api/documents` (DO01): the document types;
- `GET /api/account` (A01): the shop of the key.
Every call needs `Authorization: <api key>` (401 otherwise) and, when given, a `shop_id` the key may act for (403).
Control (tests, demo): `POST /_simulator/orders/{id}/ship`, `POST /_simulator/orders/{id}/refund` (the waiting
refund is paid back), `POST /_simulator/orders/{id}/operator-invoice` (the operator
invoices the buyer itself: `has_invoice` becomes true with no document of the shop), `GET /_simulator/uploads`,
`PUT /_simulator/faults` (a JSON object of faults.FaultConfig).
Faults (faults.FaultConfig): burst_429, error_5xx_next/error_5xx_rate, timeout_next, latency_ms, malformed_orders.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from ..faults import FaultConfig, FaultInjector
from ..serving import LocalHandler, LocalServer, StateServer, form_parts, read_request, write_response
from ..wire import Response, json_response, to_json
from .scenarios import (
    SCENARIO_IDS,
    awaiting_shipment,
    bought_by_business,
    build_orders,
    invoiced_by_operator,
    iso,
    refund_waiting_line,
    ship,
)

logger = logging.getLogger(__name__)
DEFAULT_SHOP_ID = "2001"
DEFAULT_API_KEY = "mirakl-key-2001"
MAX_PAGE = 100
MAX_DOCUMENTS_PER_ORDER = 50
# DO01's example for orders: the operator configures the list; the public API names no credit-note type.
DOCUMENT_TYPES = {"CUSTOMER_INVOICE": "Invoice", "SYSTEM_DELIVERY_BILL": "Delivery slip"}
OPERATOR_ONLY_PREFIX = "SYSTEM_"
ALLOWED_EXTENSIONS = frozenset({
    "csv", "doc", "xls", "xlsx", "ppt", "pdf", "odt", "ods", "odp", "txt", "rtf", "png", "jpg", "gif", "zpl", "mov",
    "mp4",
})  # OR74's list; fmt: skip
DEFAULT_PAGE = 10
UPDATE_DATE_DELTA_SECONDS = 60
ORDER_DOCUMENTS_PATH = re.compile(r"^/api/orders/([^/]+)/documents$")
CONTROL_ORDER_PATH = re.compile(r"^/_simulator/orders/([^/]+)/(ship|refund|operator-invoice)$")


@dataclass(frozen=True)
class Upload:
    order_id: str
    file_name: str
    type_code: str
    content: bytes
    document_id: int
    uploaded_at: str = ""  # as OR72 shows it
    documents_type: str = ""  # the Content-Type of the order_documents part, as sent
    accepted_at: float = field(default_factory=time.time)  # for the continuous bench's latency (time.time())


class MiraklState:
    def __init__(
        self, *, seed: int | str, orders: int, faults: FaultConfig, now: datetime | None, api_keys: dict,
        update_date_delta: int = UPDATE_DATE_DELTA_SECONDS, serves_or72: bool = True, page_cap: int = 0,
        total_count: str = "exact", upload_status: int = 200,
    ):  # fmt: skip
        self.page_cap = page_cap  # > 0: pages hold at most this many orders, whatever `max` asked
        self.total_count = total_count  # OR11's total_count: "exact", "absent", or "page" (the page's length: wrong)
        self.upload_status = upload_status  # OR74 taking every document: 200 with its body, 201 or 204 without
        self.lock = threading.Lock()
        self.serves_or72 = serves_or72  # False: an instance (or a third-party server) without OR72, answering 404
        self.update_date_delta = timedelta(seconds=update_date_delta)
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.orders = {data["order_id"]: data for data in build_orders(self.now, orders, seed)}
        self.api_keys = api_keys  # key -> shop ids it may act for
        self.uploads: list[Upload] = []
        self.faults = FaultInjector(faults, hash_seed(seed))
        self.stopping = threading.Event()

    def malformed_ids(self) -> set[str]:
        """The last n generated orders are served broken (a price that is not a number)."""
        count = self.faults.config.malformed_orders
        generated = [order_id for order_id in self.orders if order_id not in SCENARIO_IDS]
        return set(generated[-count:]) if count else set()

    def wire(self, data: dict) -> dict:
        if data["order_id"] not in self.malformed_ids():
            return data
        broken = copy.deepcopy(data)
        broken["order_lines"][0]["price_unit"] = "n/a"
        return broken


def hash_seed(seed: int | str) -> int:
    return sum(ord(char) * 31**index for index, char in enumerate(str(seed))) % 2**31


class _Handler(LocalHandler):
    server_version = "MiraklSimulator/1"
    server: _Server

    def do_GET(self) -> None:
        path, query, body = read_request(self)
        try:
            status, payload, headers = self.server.route(self.command, path, query, self.headers, body)
        except Exception:  # a simulator bug answers 500 as a real server would
            logger.exception("Mirakl simulator failed on %s %s", self.command, path)
            status, payload, headers = 500, {"status": 500, "message": "Simulator failure"}, {}
        if status is None:
            self.close_connection = True  # a timeout fault: the client gave up long ago
            return
        write_response(self, json_response(payload, status, headers) if payload is not None else Response(status))

    do_POST = do_PUT = do_DELETE = do_GET


class _Server(StateServer):
    state: MiraklState

    def __init__(self, address: tuple[str, int], state: MiraklState):
        super().__init__(address, _Handler, state)

    def route(self, method: str, path: str, query: dict, headers, body: bytes):
        if path.startswith("/_simulator/"):
            return control(self.state, method, path, body)
        if not path.startswith("/api/"):
            return 404, {"status": 404, "message": f"No resource at {path}"}, {}
        decision = self.state.faults.decide()
        if decision.delay_seconds and self.state.stopping.wait(decision.delay_seconds):
            return None, None, {}
        if decision.delay_seconds >= self.state.faults.config.timeout_seconds:
            return None, None, {}
        if decision.status:
            extra = {"Retry-After": decision.retry_after} if decision.status == 429 and decision.retry_after else {}
            return decision.status, {"status": decision.status, "message": "Simulated fault"}, extra
        shops = self.state.api_keys.get(headers.get("Authorization", ""))
        if shops is None:
            return 401, {"status": 401, "message": "Unauthorized"}, {}
        shop_id = query.get("shop_id") or shops[0]
        if shop_id not in shops:
            return 403, {"status": 403, "message": f"Access denied to shop {shop_id}"}, {}
        if method == "GET" and path == "/api/orders":
            return list_orders(self.state, query)
        if method == "GET" and path == "/api/orders/documents" and self.state.serves_or72:
            return list_documents(self.state, query)
        if method == "GET" and path == "/api/documents":
            documents = [{"code": code, "label": label, "description": label, "entity": "ORDER"}
                         for code, label in DOCUMENT_TYPES.items()]  # fmt: skip
            return 200, {"documents": documents}, {}
        if method == "GET" and path == "/api/account":
            return 200, {"shop_id": int(shop_id) if shop_id.isdigit() else shop_id, "shop_name": "Boutique démo"}, {}
        if method == "POST" and (match := ORDER_DOCUMENTS_PATH.match(path)):
            return upload_documents(self.state, unquote(match.group(1)), headers, body)
        return 404, {"status": 404, "message": f"No resource at {method} {path}"}, {}


def list_orders(state: MiraklState, query: dict):
    try:
        offset = int(query.get("offset") or 0)
        size = int(query.get("max") or DEFAULT_PAGE)
        low = _date(query.get("start_update_date"))
        low = low - state.update_date_delta if low else None
        high = _date(query.get("end_update_date"))
    except ValueError as error:
        return 400, {"status": 400, "message": f"Invalid parameter: {error}"}, {}
    if size > MAX_PAGE or size < 1 or offset < 0:
        return 400, {"status": 400, "message": f"max must be within 1..{MAX_PAGE}"}, {}
    wanted = {item for item in (query.get("order_ids") or "").split(",") if item}
    with state.lock:
        selected = [
            data for data in state.orders.values()
            if (not wanted or data["order_id"] in wanted)
            and (low is None or _date(data["last_updated_date"]) >= low)
            and (high is None or _date(data["last_updated_date"]) <= high)
        ]  # fmt: skip
        selected.sort(key=lambda data: (data["created_date"], data["order_id"]), reverse=query.get("order") == "desc")
        served = min(size, state.page_cap) if state.page_cap else size
        page = [state.wire(data) for data in selected[offset : offset + served]]
        body = json.loads(to_json({"orders": page, **_total_count(state.total_count, len(selected), len(page))}))
    return 200, body, {}


def _total_count(mode: str, total: int, page: int) -> dict:
    if mode == "absent":
        return {}
    return {"total_count": page if mode == "page" else total}


def list_documents(state: MiraklState, query: dict):
    wanted = {item for item in (query.get("order_ids") or "").split(",") if item}
    if not wanted:
        return 400, {"status": 400, "message": "order_ids is required"}, {}
    with state.lock:
        documents = [
            {"id": u.document_id, "order_id": u.order_id, "file_name": u.file_name, "file_size": len(u.content),
             "type": u.type_code, "date_uploaded": u.uploaded_at}
            for u in state.uploads if u.order_id in wanted
        ]  # fmt: skip
    return 200, {"order_documents": documents, "total_count": len(documents)}, {}


def upload_documents(state: MiraklState, order_id: str, headers, body: bytes):
    if order_id not in state.orders:
        return 404, {"status": 404, "message": f"Order {order_id} not found"}, {}
    files, documents, documents_type = _multipart(headers.get("Content-Type", ""), body)
    if not files or documents is None:
        return 400, {"status": 400, "message": "files and order_documents are required"}, {}
    listed = documents.get("order_documents") or []
    described = {item.get("file_name"): item for item in listed if isinstance(item, dict)}
    names = [name for name, _content in files]
    refused = []
    with state.lock:
        held = sum(1 for upload in state.uploads if upload.order_id == order_id)
        for name, content in files:
            document = described.get(name) or {"file_name": name}
            problems = _document_problems(name, document.get("type_code"), names.count(name), held)
            if problems:
                refused.append({"errors": problems, "input": document})
                continue
            held += 1
            moment = datetime.now(UTC).replace(microsecond=0)
            state.uploads.append(Upload(order_id, name, document["type_code"], content, len(state.uploads) + 1,
                                        iso(moment), documents_type))  # fmt: skip
            if document["type_code"] == "CUSTOMER_INVOICE":
                state.orders[order_id]["has_invoice"] = True
    if not refused and state.upload_status != 200:
        return state.upload_status, None, {}
    return 200, {"errors_count": len(refused), "order_documents": refused}, {}


def _document_problems(name: str, type_code: str | None, copies: int, held: int) -> list[dict]:
    problems = []
    if type_code not in DOCUMENT_TYPES:
        problems.append(_error("valid_order_document.type", "type_code",
                               "Unable to retrieve document's type from the given code"))  # fmt: skip
    elif type_code.startswith(OPERATOR_ONLY_PREFIX):
        problems.append(_error("valid_order_document.type", "type_code", "This document type is restricted"))
    if not name.isascii():
        problems.append(_error("valid_order_document.file_name", "file_name", "The file name must be US-ASCII"))
    if name.rsplit(".", 1)[-1].lower() not in ALLOWED_EXTENSIONS or "." not in name:
        problems.append(_error("valid_order_document.file_type", "file_name", "This file type is not supported"))
    if copies > 1:
        problems.append(_error("valid_order_document.file_name", "file_name", "Documents filenames must be distinct"))
    if held >= MAX_DOCUMENTS_PER_ORDER:
        problems.append(_error("valid_order_document.max", "files",
                               f"An order can have a maximum of {MAX_DOCUMENTS_PER_ORDER} documents"))  # fmt: skip
    return problems


def _error(code: str, field: str, message: str) -> dict:
    return {"code": code, "field": field, "message": message}


def _multipart(content_type: str, body: bytes) -> tuple[list[tuple[str, bytes]], dict | None, str]:
    """(files, the order_documents object, the Content-Type its part declared: "" when none)."""
    files, documents, documents_type = [], None, ""
    for part in form_parts(content_type, body):
        if part.name == "files":
            files.append((part.filename, part.content))
        elif part.name == "order_documents":
            documents_type = part.content_type
            try:
                documents = json.loads(part.content or b"null")
            except ValueError:
                documents = None
    return files, documents if isinstance(documents, dict) else None, documents_type


def control(state: MiraklState, method: str, path: str, body: bytes):
    if method == "GET" and path == "/_simulator/uploads":
        with state.lock:
            uploads = [
                {"order_id": u.order_id, "file_name": u.file_name, "type_code": u.type_code, "size": len(u.content)}
                for u in state.uploads
            ]  # fmt: skip
        return 200, {"uploads": uploads}, {}
    if method == "PUT" and path == "/_simulator/faults":
        try:
            state.faults.configure(FaultConfig.parse(json.loads(body or b"{}")))
        except (ValueError, TypeError) as error:
            return 400, {"status": 400, "message": str(error)}, {}
        return 200, state.faults.config.as_dict(), {}
    if method == "POST" and (match := CONTROL_ORDER_PATH.match(path)):
        order_id, action = unquote(match.group(1)), match.group(2)
        with state.lock:
            if order_id not in state.orders:
                return 404, {"status": 404, "message": f"Order {order_id} not found"}, {}
            moment = datetime.now(UTC).replace(microsecond=0)
            if action == "ship":
                ship(state.orders[order_id], moment)
            elif action == "operator-invoice":
                invoiced_by_operator(state.orders[order_id], moment)
            else:
                refund_waiting_line(state.orders, order_id, moment)
        return 200, {"order_id": order_id, "done": action}, {}
    return 404, {"status": 404, "message": f"No control at {method} {path}"}, {}


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MiraklSimulatorServer(LocalServer):
    thread_name = "mirakl-simulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | str = 0,
        orders: int = 20,
        faults: FaultConfig | str | dict | None = None,
        now: datetime | None = None,
        api_keys: dict[str, list[str]] | None = None,
        update_date_delta: int = UPDATE_DATE_DELTA_SECONDS,
        serves_or72: bool = True,
        page_cap: int = 0,
        total_count: str = "exact",
        upload_status: int = 200,
    ):
        """api_keys: {key: [shop ids]}; by default one key, DEFAULT_API_KEY, for shop DEFAULT_SHOP_ID."""
        super().__init__(host, port)
        config = faults if isinstance(faults, FaultConfig) else FaultConfig.parse(faults or "")
        keys = api_keys if api_keys is not None else {DEFAULT_API_KEY: [DEFAULT_SHOP_ID]}
        self.state = MiraklState(
            seed=seed, orders=orders, faults=config, now=now, api_keys=keys, update_date_delta=update_date_delta,
            serves_or72=serves_or72, page_cap=page_cap, total_count=total_count, upload_status=upload_status,
        )

    def make_server(self) -> _Server:
        self.state.stopping.clear()
        return _Server((self.host, self.port), self.state)

    def before_stop(self) -> None:
        self.state.stopping.set()

    @property
    def instance_url(self) -> str:
        return self.base_url

    def credentials(self, shop_id: str = DEFAULT_SHOP_ID) -> dict[str, str]:
        """The credentials of a connection to this instance (connection_name included)."""
        key = next((key for key, shops in self.state.api_keys.items() if shop_id in shops), DEFAULT_API_KEY)
        return {"instance": self.instance_url, "api_key": key, "connection_name": "Mirakl Démo"}

    def set_faults(self, faults: FaultConfig | str | None = None, **changes: object) -> None:
        """Replace the faults (`faults`), or change some of them (`changes`), as the Octopia simulator does."""
        if faults is not None:
            config = faults if isinstance(faults, FaultConfig) else FaultConfig.parse(faults)
        else:
            config = self.state.faults.config.updated(changes)
        self.state.faults.configure(config)

    def ship(self, order_id: str) -> None:
        with self.state.lock:
            ship(self.state.orders[order_id], datetime.now(UTC).replace(microsecond=0))

    def add_awaiting_shipment(self, order_id: str) -> None:
        """A copy of the order awaiting shipment under `order_id`, bought yesterday; `ship` ships it later."""
        with self.state.lock:
            self.state.orders[order_id] = awaiting_shipment(
                self.state.orders["MK-NOTSHIPPED-A"], order_id, datetime.now(UTC).replace(microsecond=0)
            )

    def invoice_as_operator(self, order_id: str) -> None:
        """The operator issues the customer invoice itself (marketplaces that invoice in the seller's name)."""
        with self.state.lock:
            invoiced_by_operator(self.state.orders[order_id], datetime.now(UTC).replace(microsecond=0))

    def make_business(self, order_id: str) -> None:
        with self.state.lock:
            bought_by_business(self.state.orders[order_id])

    def uploads(self, order_id: str | None = None) -> list[Upload]:
        with self.state.lock:
            return [upload for upload in self.state.uploads if order_id is None or upload.order_id == order_id]
