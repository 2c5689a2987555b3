"""The seller API (/seller/v2) and the token endpoint, as the simulator serves them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs

from .queries import (
    DEFAULT_ORDERS_PAGE_SIZE,
    MAX_ORDERS_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    gesture_limit,
    page,
    page_bounds,
    select_gestures,
)
from .serving import form_parts
from .state import SimulatorState, Upload
from .wire import BadRequest, Request, Response, json_response, problem, validation_problem

API_PREFIX = "/seller/v2"
TOKEN_PATH = "/auth/realms/maas/protocol/openid-connect/token"
Handler = Callable[[SimulatorState, str, Request, re.Match], Response]


def token_endpoint(state: SimulatorState, request: Request) -> Response:
    if request.method != "POST":
        return problem(405, "Method Not Allowed", "Use POST with a form body.")
    form = {key: values[0] for key, values in parse_qs(request.body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        return problem(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    token = state.issue_token(form.get("client_id", ""), form.get("client_secret", ""))
    if token is None:
        return problem(401, "invalid_client", "Invalid client or Invalid client credentials")
    return json_response(
        {
            "access_token": token,
            "expires_in": state.token_ttl,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        }
    )


def seller_api(state: SimulatorState, request: Request) -> Response:
    decision = state.faults.decide()
    if decision.delay_seconds:
        state.stop_event.wait(decision.delay_seconds)
    with state.lock:
        state.stats["api_requests"] += 1
        state.requests.append((request.method, request.path[len(API_PREFIX) :] or "/", dict(request.query)))
    if decision.status == 429:
        headers = {"Retry-After": decision.retry_after} if decision.retry_after else {}
        return problem(429, "Too Many Requests", "Rate limit exceeded, retry later.", headers=headers)
    if decision.status:
        return problem(decision.status, "Service Unavailable", "The service is temporarily unavailable.")
    refusal, seller_id = _authenticate(state, request)
    if refusal is not None:
        return refusal
    path = request.path[len(API_PREFIX) :] or "/"
    if (broken := _endpoint_fault(state, request.method, path)) is not None:
        return broken
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match and method == request.method:
            try:
                return handler(state, seller_id, request, match)
            except BadRequest as error:
                return validation_problem(error.errors)
    return problem(404, "Not Found", f"No resource at {request.method} {API_PREFIX}{path}.")


ENDPOINT_FAULTS = {"/order-commercial-gesture-requests": "gestures_fault",
                   "/order-cancellation-requests": "cancellations_fault"}  # fmt: skip
ODD_SHAPE = {"data": {"results": []}, "count": 0}  # a 200 that is not the documented envelope


def _endpoint_fault(state: SimulatorState, method: str, path: str) -> Response | None:
    """The answer of a refund list configured to fail (faults.gestures_fault / cancellations_fault), if any."""
    fault = getattr(state.faults.config, ENDPOINT_FAULTS.get(path, ""), "") if method == "GET" else ""
    if not fault:
        return None
    if fault == "shape":
        return json_response(ODD_SHAPE)
    status = int(fault)
    titles = {400: "Bad Request", 403: "Forbidden", 404: "Not Found"}
    return problem(status, titles.get(status, "Internal Server Error"), f"{method} {API_PREFIX}{path} failed.")


def _authenticate(state: SimulatorState, request: Request) -> tuple[Response | None, str]:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="maas"'}
    if scheme.lower() != "bearer" or not token:
        return problem(401, "Unauthorized", "A bearer token is required.", headers=challenge), ""
    if state.authorise(token.strip()) is None:
        return problem(401, "Unauthorized", "The access token is invalid or expired.", headers=challenge), ""
    seller_id = (request.headers.get("SellerId") or "").strip()
    if not seller_id:
        return validation_problem({"SellerId": ["The SellerId header is required."]}), ""
    if seller_id not in state.sellers:
        return problem(403, "Forbidden", f"The client is not allowed to act for seller {seller_id}."), ""
    return None, seller_id


def list_orders(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    index, size = page_bounds(request.query, default_size=DEFAULT_ORDERS_PAGE_SIZE, max_size=MAX_ORDERS_PAGE_SIZE)
    with state.lock:
        items = state.served(seller_id, page(state.select(seller_id, request.query), index, size), listing=True)
        response = json_response({"itemsPerPage": size, "items": items})
        state.update_while_paging(seller_id, items)
        return response


def count_orders(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    with state.lock:
        return json_response(len(state.select(seller_id, request.query)))


def get_order(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    order_id = match["order_id"]
    with state.lock:
        order = state.sellers[seller_id].orders.get(order_id)
        if order is None:
            return problem(404, "Not Found", f"Order {order_id} was not found.")
        return json_response(state.served(seller_id, [order])[0])


def list_gestures(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    limit = gesture_limit(request.query)
    offset = decode_cursor(request.query["cursor"]) if request.query.get("cursor") else 0
    with state.lock:
        selected = select_gestures(state.sellers[seller_id].gestures, request.query)
    items = selected[offset : offset + limit]
    next_cursor = encode_cursor(offset + limit) if offset + limit < len(selected) else None
    headers = {}
    if next_cursor:
        headers["Link"] = (
            f'<{API_PREFIX}/order-commercial-gesture-requests?limit={limit}&cursor={next_cursor}>; rel="next"'
        )
    return json_response({"items": items, "nextCursor": next_cursor}, headers=headers)


def list_cancellations(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    index, size = page_bounds(request.query, default_size=DEFAULT_ORDERS_PAGE_SIZE, max_size=MAX_ORDERS_PAGE_SIZE)
    with state.lock:
        cancellations = state.sellers[seller_id].cancellations
        selected = [item for item in cancellations if _cancellation_matches(item, request.query)]
    return json_response({"itemsPerPage": size, "items": page(selected, index, size)})


def _cancellation_matches(item: dict, query: Mapping[str, str]) -> bool:
    for param in ("orderSellerId", "cancellationRequestId"):
        if query.get(param) and item.get(param) != query[param]:
            return False
    line_ids = {line.get("lineId") for line in item.get("lines") or []}
    return not query.get("lineId") or query["lineId"] in line_ids


def upload_invoice(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    order_id = match["order_id"]
    if order_id not in state.sellers[seller_id].orders:
        return problem(404, "Not Found", f"Order {order_id} was not found.")
    file_name, content_type, content = _multipart_file(request)
    upload = state.add_upload(seller_id, order_id, file_name, content_type, content)
    return json_response(_import_report(upload, running=True), status=201)


def get_import(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    with state.lock:
        upload = state.sellers[seller_id].uploads.get(match["import_id"])
        if upload is None:
            return problem(404, "Not Found", f"Invoice import {match['import_id']} was not found.")
        upload.polls += 1
        running = upload.polls <= state.import_polls_before_done
        return json_response(_import_report(upload, running=running))


def list_order_invoices(state: SimulatorState, seller_id: str, request: Request, match: re.Match) -> Response:
    with state.lock:
        uploads = [u for u in state.sellers[seller_id].uploads.values() if u.order_id == match["order_id"]]
        items = [
            {"fileName": u.file_name, "importId": u.import_id, "createdAt": u.created_at}
            for u in uploads
            if u.succeeded
        ]
    return json_response({"items": items})


def _import_report(upload: Upload, *, running: bool) -> dict:
    if running:
        status, integration, errors = "Running", "OrderCheck", []
    elif upload.succeeded:
        status, integration, errors = "Success", "Uploaded", []
    else:
        status, integration = "Failure", "FileCheck"
        errors = [{"code": "InvalidFileFormat", "message": "The file is not a PDF, a UBL 2.1 XML or a ZIP archive."}]
    file_status = "Running" if running else ("Success" if upload.succeeded else "Failure")
    return {
        "importId": upload.import_id,
        "status": status,
        "createdAt": upload.created_at,
        "files": [
            {
                "fileName": upload.file_name,
                "orderId": upload.order_id,
                "status": file_status,
                "integrationStatus": integration,
                "errors": errors,
            }
        ],
    }


def _multipart_file(request: Request) -> tuple[str, str, bytes]:
    content_type = request.headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise BadRequest({"file": ["Send the invoice as multipart/form-data."]})
    for part in form_parts(content_type, request.body):
        if part.filename:
            return part.filename, part.content_type or "text/plain", part.content
    raise BadRequest({"file": ["No file part in the request."]})


ORDER_ID = r"(?P<order_id>[^/]+)"
ROUTES: tuple[tuple[str, re.Pattern, Handler], ...] = (
    ("GET", re.compile(r"/orders/count"), count_orders),
    ("GET", re.compile(r"/orders"), list_orders),
    ("GET", re.compile(rf"/orders/{ORDER_ID}"), get_order),
    ("POST", re.compile(rf"/orders/{ORDER_ID}/invoice-documents"), upload_invoice),
    ("GET", re.compile(rf"/orders/{ORDER_ID}/invoice-documents"), list_order_invoices),
    ("GET", re.compile(r"/order-invoice-imports/(?P<import_id>[^/]+)"), get_import),
    ("GET", re.compile(r"/order-commercial-gesture-requests"), list_gestures),
    ("GET", re.compile(r"/order-cancellation-requests"), list_cancellations),
)
