"""Refund sources of the Octopia API (reference §4) turned into RefundEvents.

Endpoints chosen (both seen in two independent clients; the official spec was not available):
- GET /order-commercial-gesture-requests (cursor pagination, updatedAtMin filter): money given back on a
  Shipped/Delivered order, by definition after shipment. Only requests in an accepted state count.
- GET /order-cancellation-requests (pageIndex/pageSize, no date filter documented, so the updatedAt cut-off
  is applied here): an accepted cancellation only needs a credit note when the order had shipped; before
  shipment the lines are simply left off the invoice. The request names lines but not an amount, so the
  amount is rebuilt from the order: unit price x quantity, plus the line shipping when shippingCostRefund.
Not covered: the fulfilment-only Return API (no documented path or shape); the "return" kind is reserved.
Both item shapes are undocumented; the accepted spellings are listed in each reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from facturier.core.money import quantize

from .dto import MarketOrder, RefundEvent
from .parse import SHIPPED_STATUSES, OrderFieldError, parse_amount, parse_datetime, text

ACCEPTED_REQUEST_STATUSES = frozenset({"Accepted", "Validated", "Done", "Completed"})
# Requests not (or not yet) accepted: skipped quietly. Any other status is not understood: the request is not
# credited and the caller is told (the status enum is undocumented, fidelity #52 and #54: a silent loss otherwise).
OPEN_OR_REFUSED_STATUSES = frozenset({
    "Pending", "Requested", "Created", "Submitted", "InProgress", "Processing", "WaitingAcceptance", "ToBeValidated",
    "Refused", "Rejected", "Cancelled", "Canceled", "Failed", "Expired",
})  # fmt: skip


class RefundFieldError(ValueError):
    """A refund item lacks an id, an amount or a date; the message names it."""


def gesture_to_refund(item: Mapping) -> RefundEvent | None:
    """An accepted commercial gesture as a RefundEvent; None when it is not (or not yet) accepted."""
    if text(item.get("status")) not in ACCEPTED_REQUEST_STATUSES:
        return None
    gesture_id = text(item.get("id") or item.get("commercialGestureRequestId"))
    order_id = text(item.get("orderId"))
    if not gesture_id or not order_id:
        raise RefundFieldError(f"commercial gesture {gesture_id or '?'}: id or orderId is missing")
    try:
        amount = parse_amount(item.get("amount"), f"commercial gesture {gesture_id}: amount")
        created_at = _created_at(item, f"commercial gesture {gesture_id}")
    except OrderFieldError as error:
        raise RefundFieldError(str(error)) from None
    if amount <= 0:
        return None
    return RefundEvent(
        refund_id=f"gesture:{gesture_id}",
        order_id=order_id,
        kind="commercial_gesture",
        amount_gross=amount,
        line_ids=(),
        created_at=created_at,
        reason=text(item.get("reasonDetails")) or text(item.get("reason")),
    )


def status_not_understood(item: Mapping, kind: str) -> str:
    """What to tell about a request whose status is neither accepted nor a known open or refused one; "" if none."""
    status = text(item.get("status"))
    if status in ACCEPTED_REQUEST_STATUSES or status in OPEN_OR_REFUSED_STATUSES:
        return ""
    request_id = text(item.get("id") or item.get("commercialGestureRequestId") or item.get("cancellationRequestId"))
    order_id = text(item.get("orderId") or item.get("orderSellerId"))
    return f"{kind} {request_id or '?'} of order {order_id or '?'}: status {status or '(none)'!r} not understood"


def cancellation_order_id(item: Mapping) -> str:
    return text(item.get("orderSellerId") or item.get("orderId"))


def is_accepted_cancellation(item: Mapping, updated_at_min: datetime | None) -> bool:
    return text(item.get("status")) in ACCEPTED_REQUEST_STATUSES and is_in_window(item, updated_at_min)


def is_in_window(item: Mapping, updated_at_min: datetime | None) -> bool:
    """The request changed since `updated_at_min` (the cancellations list has no date filter of its own)."""
    if updated_at_min is None:
        return True
    try:
        updated_at = parse_datetime(item.get("updatedAt") or item.get("createdAt"), "updatedAt")
    except OrderFieldError:
        return True  # unreadable date: let the id-based dedup of the consumer decide
    return updated_at is None or updated_at >= updated_at_min


def cancellation_to_refund(item: Mapping, order: MarketOrder) -> RefundEvent | None:
    """An accepted cancellation of a shipped order; None when the order never shipped."""
    if order.shipped_at is None and order.status not in SHIPPED_STATUSES:
        return None
    request_id = text(item.get("cancellationRequestId") or item.get("id"))
    if not request_id:
        raise RefundFieldError(f"cancellation of order {order.order_id}: cancellationRequestId is missing")
    requested = _requested_lines(item)
    whole_refund = item.get("shippingCostRefund") is True
    amount = Decimal("0")
    for line in order.lines:
        if requested and line.line_id not in requested:
            continue
        amount += line.goods_gross
        if requested.get(line.line_id, whole_refund):
            amount += line.shipping_gross
    if amount <= 0:
        return None
    try:
        created_at = _created_at(item, f"cancellation {request_id}")
    except OrderFieldError as error:
        raise RefundFieldError(str(error)) from None
    return RefundEvent(
        refund_id=f"cancellation:{request_id}",
        order_id=order.order_id,
        kind="cancellation",
        amount_gross=quantize(amount),
        line_ids=tuple(requested),
        created_at=created_at,
        reason=text(item.get("reason")) or _first_line_reason(item),
    )


def _requested_lines(item: Mapping) -> dict[str, bool]:
    """{lineId: shipping refunded?}; empty for a whole-order cancellation."""
    lines = item.get("lines")
    if not isinstance(lines, list):
        return {}
    return {
        text(line.get("lineId") or line.get("orderLineId")): line.get("shippingCostRefund") is True
        for line in lines
        if isinstance(line, Mapping) and (line.get("lineId") or line.get("orderLineId"))
    }


def _first_line_reason(item: Mapping) -> str:
    lines = item.get("lines")
    if isinstance(lines, list):
        for line in lines:
            if isinstance(line, Mapping) and line.get("reason"):
                return text(line["reason"])
    return ""


def _created_at(item: Mapping, name: str) -> datetime:
    moment = parse_datetime(item.get("createdAt") or item.get("updatedAt"), f"{name}: createdAt")
    if moment is None:
        raise OrderFieldError(f"{name}: createdAt is missing")
    return moment
