"""The /_simulator/ control API (JSON), for tests and the demo. Not part of Octopia's API.

GET  /_simulator/state                                   sellers, order counts, stats, faults
POST /_simulator/reset                                   regenerate from the seed, forget tokens/uploads
GET  /_simulator/faults | PUT /_simulator/faults {...}   read / change faults (counters restart)
POST /_simulator/sellers/{sellerId}/orders {order}       add or replace an order (raw Octopia JSON)
GET  /_simulator/sellers/{sellerId}/orders/{orderId}     the stored order, without injected faults
POST /_simulator/sellers/{sellerId}/orders/{orderId}/status {"status": "Shipped"}   updatedAt is bumped
POST /_simulator/sellers/{sellerId}/refunds {"kind": "commercial_gesture"|"cancellation", "orderId",
     "amount" (gestures), "lineIds", "shipping", "reason"}
GET  /_simulator/sellers/{sellerId}/invoices[?content=1] uploaded invoices (content base64 on demand)
GET  /_simulator/requests[?since=N]                      the seller-API requests served (method, path, query)
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from .state import SimulatorState
from .wire import BadRequest, Request, Response, json_response, problem, validation_problem

CONTROL_PREFIX = "/_simulator"
Handler = Callable[[SimulatorState, Request, re.Match], Response]


def control_api(state: SimulatorState, request: Request) -> Response:
    path = request.path[len(CONTROL_PREFIX) :]
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match and method == request.method:
            try:
                return handler(state, request, match)
            except BadRequest as error:
                return validation_problem(error.errors)
            except (KeyError, ValueError, TypeError) as error:
                return problem(400, "Bad Request", f"{type(error).__name__}: {error}")
    return problem(404, "Not Found", f"No control resource at {request.method} {request.path}.")


def show_state(state: SimulatorState, request: Request, match: re.Match) -> Response:
    with state.lock:
        sellers = {
            seller_id: {
                "orders": len(store.orders),
                "gestures": len(store.gestures),
                "cancellations": len(store.cancellations),
                "uploads": len(store.uploads),
                "malformed": state.malformed_reasons(seller_id),
                "fault_targets": state.fault_targets(seller_id),
            }
            for seller_id, store in state.sellers.items()
        }
        return json_response(
            {"sellers": sellers, "stats": dict(state.stats), "faults": _faults(state), "now": state.clock()}
        )


def reset(state: SimulatorState, request: Request, match: re.Match) -> Response:
    state.reset()
    return json_response({"reset": True})


def show_faults(state: SimulatorState, request: Request, match: re.Match) -> Response:
    return json_response(_faults(state))


def set_faults(state: SimulatorState, request: Request, match: re.Match) -> Response:
    changes = request.json()
    if not isinstance(changes, dict):
        raise BadRequest({"body": ["Send a JSON object of faults."]})
    state.faults.configure(state.faults.config.updated(changes))
    return json_response(_faults(state))


def put_order(state: SimulatorState, request: Request, match: re.Match) -> Response:
    order = request.json()
    if not isinstance(order, dict):
        raise BadRequest({"body": ["Send the order as a JSON object."]})
    state.put_order(match["seller_id"], order)
    return json_response(order, status=201)


def show_order(state: SimulatorState, request: Request, match: re.Match) -> Response:
    with state.lock:
        order = state.ensure_seller(match["seller_id"]).orders.get(match["order_id"])
        if order is None:
            return problem(404, "Not Found", f"Order {match['order_id']} was not found.")
        return json_response(order)


def set_status(state: SimulatorState, request: Request, match: re.Match) -> Response:
    body = request.json()
    status = body.get("status") if isinstance(body, dict) else None
    if not isinstance(status, str):
        raise BadRequest({"status": ['Send {"status": "Shipped"}.']})
    with state.lock:
        if match["order_id"] not in state.ensure_seller(match["seller_id"]).orders:
            return problem(404, "Not Found", f"Order {match['order_id']} was not found.")
        return json_response(state.set_order_status(match["seller_id"], match["order_id"], status))


def add_refund(state: SimulatorState, request: Request, match: re.Match) -> Response:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest({"body": ["Send the refund as a JSON object."]})
    try:
        return json_response(state.add_refund(match["seller_id"], body), status=201)
    except KeyError:
        return problem(404, "Not Found", f"Order {body.get('orderId')} was not found.")


def list_invoices(state: SimulatorState, request: Request, match: re.Match) -> Response:
    with_content = request.query.get("content") in ("1", "true")
    with state.lock:
        uploads = list(state.ensure_seller(match["seller_id"]).uploads.values())
    items = []
    for upload in uploads:
        item = {
            "importId": upload.import_id,
            "orderId": upload.order_id,
            "fileName": upload.file_name,
            "contentType": upload.content_type,
            "size": len(upload.content),
            "sha256": hashlib.sha256(upload.content).hexdigest(),
            "succeeded": upload.succeeded,
            "createdAt": upload.created_at,
        }
        if with_content:
            item["contentBase64"] = base64.b64encode(upload.content).decode()
        items.append(item)
    return json_response({"items": items})


def show_requests(state: SimulatorState, request: Request, match: re.Match) -> Response:
    since = int(request.query.get("since") or 0)
    with state.lock:
        served = state.requests[since:]
        return json_response({"items": [{"method": m, "path": p, "query": q} for m, p, q in served]})


def _faults(state: SimulatorState) -> dict:
    return {"config": state.faults.config.as_dict(), "remaining": state.faults.remaining()}


SELLER = r"/sellers/(?P<seller_id>[^/]+)"
ROUTES: tuple[tuple[str, re.Pattern, Handler], ...] = (
    ("GET", re.compile(r"/state"), show_state),
    ("POST", re.compile(r"/reset"), reset),
    ("GET", re.compile(r"/faults"), show_faults),
    ("GET", re.compile(r"/requests"), show_requests),
    ("PUT", re.compile(r"/faults"), set_faults),
    ("POST", re.compile(rf"{SELLER}/orders"), put_order),
    ("GET", re.compile(rf"{SELLER}/orders/(?P<order_id>[^/]+)"), show_order),
    ("POST", re.compile(rf"{SELLER}/orders/(?P<order_id>[^/]+)/status"), set_status),
    ("POST", re.compile(rf"{SELLER}/refunds"), add_refund),
    ("GET", re.compile(rf"{SELLER}/invoices"), list_invoices),
)
